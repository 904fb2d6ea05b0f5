-- wrk: the non-streaming chat completion both servers get.
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer sk-bench"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"gpt-4-turbo","messages":[{"role":"user","content":"What is machine learning?"}]}'
