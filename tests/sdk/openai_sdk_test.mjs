// The official OpenAI SDK (npm `openai`, pinned in package-lock.json)
// against tollgate-mock's AIProxy family: it must just work, and errors
// must surface as the SDK's own exception classes.
// Usage: node openai_sdk_test.mjs PATH/TO/tollgate-mock
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useMock } from './start_mock.mjs';

let OpenAI;
try {
  ({ default: OpenAI } = await import('openai'));
} catch {
  console.log('SKIP: the openai package is not installed (run ci/install-deps)');
  process.exit(77);
}

const mock = useMock(process.argv[2]);

const client = (apiKey = 'sk-demo') => new OpenAI({ apiKey, baseURL: mock.baseURL, maxRetries: 0, timeout: 10000 });

test('lists models', async () => {
  const ids = [];
  for await (const model of client().models.list()) ids.push(model.id);
  assert.ok(ids.includes('gpt-4-turbo'));
});

test('chat completion', async () => {
  const r = await client().chat.completions.create({
    model: 'gpt-4-turbo',
    messages: [{ role: 'user', content: 'Hello' }],
  });
  assert.equal(r.object, 'chat.completion');
  assert.equal(typeof r.choices[0].message.content, 'string');
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
});

test('streaming chat completion with usage', async () => {
  const stream = await client().chat.completions.create({
    model: 'gpt-4-turbo',
    messages: [{ role: 'user', content: 'Hello' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let usage;
  let finish;
  for await (const chunk of stream) {
    if (chunk.choices.length) {
      text += chunk.choices[0].delta.content ?? '';
      finish = chunk.choices[0].finish_reason ?? finish;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.ok(text.length > 0);
  assert.equal(finish, 'stop');
  assert.ok(usage.completion_tokens > 0);
});

test('completion', async () => {
  const r = await client().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi', max_tokens: 4 });
  assert.equal(r.choices[0].finish_reason, 'length');
});

test('embeddings (the SDK asks for base64 and decodes it)', async () => {
  const r = await client().embeddings.create({ model: 'text-embedding-3-small', input: 'hello', dimensions: 32 });
  const v = r.data[0].embedding;
  assert.equal(v.length, 32);
  const norm = v.reduce((s, x) => s + x * x, 0);
  assert.ok(Math.abs(norm - 1) < 1e-4, `norm ${norm}`);
});

test('errors are the SDK exception classes', async () => {
  const chat = (c, model = 'gpt-4-turbo', content = 'hi') =>
    c.chat.completions.create({ model, messages: [{ role: 'user', content }] });
  await assert.rejects(chat(client('sk-wrong')), OpenAI.AuthenticationError);
  await assert.rejects(chat(client(), 'gpt-9'), (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
  await assert.rejects(chat(client(), 'tiny-context-chat', 'word '.repeat(200)),
    (e) => e instanceof OpenAI.BadRequestError && e.code === 'context_length_exceeded' && e.param === 'messages');
  const limited = client('sk-limited');
  let error;
  for (let i = 0; i < 5 && !error; i++) {
    try { await limited.models.list(); } catch (e) { error = e; }
  }
  assert.ok(error instanceof OpenAI.RateLimitError, String(error));
  assert.equal(error.code, 'rate_limit_exceeded');
});

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather of a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
    strict: true,
  },
};

test('a forced tool call, its arguments valid JSON for the schema', async () => {
  const r = await client().chat.completions.create({
    model: 'gpt-4-turbo',
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
    tools: [weatherTool],
    tool_choice: { type: 'function', function: { name: 'get_weather' } },
  });
  const choice = r.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.content, null);
  const args = JSON.parse(choice.message.tool_calls[0].function.arguments);
  assert.equal(typeof args.city, 'string');
  assert.ok(['c', 'f'].includes(args.unit));
});

test('streamed tool calls assemble in the SDK stream helper', async () => {
  const stream = client().chat.completions.stream({
    model: 'gpt-4-turbo',
    messages: [{ role: 'user', content: 'Use get_weather for Paris' }],
    tools: [weatherTool],
    stream_options: { include_usage: true },
  });
  const done = [];
  stream.on('tool_calls.function.arguments.done', (e) => done.push(e));
  const final = await stream.finalChatCompletion();
  const call = final.choices[0].message.tool_calls[0];
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(call.function.parsed_arguments ?? JSON.parse(call.function.arguments), JSON.parse(call.function.arguments));
  assert.equal(done.length, 1);
  assert.equal(final.choices[0].finish_reason, 'tool_calls');
});

test('runTools: the agent loop calls the tool and ends with text', async () => {
  const calls = [];
  const runner = client().chat.completions.runTools({
    model: 'gpt-4-turbo',
    messages: [{ role: 'user', content: 'What is the weather in Paris? Use get_weather.' }],
    tools: [{
      type: 'function',
      function: {
        name: 'get_weather',
        parameters: weatherTool.function.parameters,
        parse: JSON.parse,
        function: (args) => { calls.push(args); return '18 C and sunny'; },
      },
    }],
  });
  const text = await runner.finalContent();
  assert.equal(calls.length, 1);
  assert.equal(typeof text, 'string');
  assert.ok(text.length > 0);
});

test('chat.completions.parse with a json_schema response format', async () => {
  const r = await client().chat.completions.parse({
    model: 'gpt-4-turbo',
    messages: [{ role: 'user', content: 'Extract: Alice meets Bob on Friday' }],
    response_format: {
      type: 'json_schema',
      json_schema: {
        name: 'event',
        strict: true,
        schema: {
          type: 'object',
          properties: { name: { type: 'string' }, participants: { type: 'array', items: { type: 'string' } } },
          required: ['name', 'participants'],
          additionalProperties: false,
        },
      },
    },
  });
  const parsed = r.choices[0].message.parsed;
  assert.equal(typeof parsed.name, 'string');
  assert.ok(Array.isArray(parsed.participants));
});

test('n, logprobs, stop and max_completion_tokens', async () => {
  const r = await client().chat.completions.create({
    model: 'gpt-4-turbo',
    messages: [{ role: 'developer', content: 'Be brief' }, { role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    n: 2,
    logprobs: true,
    top_logprobs: 2,
    max_completion_tokens: 5,
  });
  assert.equal(r.choices.length, 2);
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.choices[0].logprobs.content.length, 5);
  assert.equal(r.choices[0].logprobs.content[0].top_logprobs.length, 2);
  const s = await client().chat.completions.create({
    model: 'gpt-4-turbo', messages: [{ role: 'user', content: 'Hello' }], stop: [' '],
  });
  assert.equal(s.choices[0].finish_reason, 'stop');
  assert.ok(!s.choices[0].message.content.includes(' '));
});

test('the seed example: a chat model on the completions endpoint', async () => {
  const r = await client().completions.create({ model: 'gpt-4-turbo', prompt: 'Once upon a time', max_tokens: 20 });
  assert.equal(r.object, 'text_completion');
});

// ---- The Responses API ------------------------------------------------------

test('responses: create, output_text, retrieve, continue and delete', async () => {
  const c = client();
  const r = await c.responses.create({ model: 'gpt-4-turbo', instructions: 'Be brief.', input: 'What is machine learning?' });
  assert.equal(r.object, 'response');
  assert.equal(r.status, 'completed');
  assert.ok(r.output_text.length > 0, 'the SDK joins the output text');
  assert.ok(r.usage.output_tokens > 0);
  assert.equal((await c.responses.retrieve(r.id)).output_text, r.output_text);
  const next = await c.responses.create({ model: 'gpt-4-turbo', previous_response_id: r.id, input: 'And in French?' });
  assert.ok(next.usage.input_tokens > r.usage.output_tokens, 'the earlier turn is input again');
  await c.responses.delete(r.id);
  await assert.rejects(c.responses.retrieve(r.id), OpenAI.NotFoundError);
});

test('responses: streamed events, and the stream helper', async () => {
  const c = client();
  const types = [];
  let text = '';
  for await (const e of await c.responses.create({ model: 'gpt-4-turbo', input: 'Count to five', stream: true })) {
    types.push(e.type);
    if (e.type === 'response.output_text.delta') text += e.delta;
  }
  assert.equal(types[0], 'response.created');
  assert.equal(types.at(-1), 'response.completed');
  assert.ok(text.length > 0);
  const s = c.responses.stream({ model: 'gpt-4-turbo', input: 'Count to five' });
  const final = await s.finalResponse();  // (the helper's final response has no output_text)
  const whole = final.output.filter((o) => o.type === 'message').flatMap((o) => o.content).map((p) => p.text).join('');
  assert.equal(whole, text, 'the same words streamed and whole');
});

test('responses: a function tool called, its output sent back, then text', async () => {
  const c = client();
  const tools = [{
    type: 'function', name: 'get_weather', strict: true, description: 'The weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  }];
  const input = [{ role: 'user', content: 'What is the weather in Paris? Use get_weather.' }];
  const first = await c.responses.create({ model: 'gpt-4-turbo', input, tools });
  const call = first.output.find((o) => o.type === 'function_call');
  assert.equal(call.name, 'get_weather');
  assert.equal(typeof JSON.parse(call.arguments).city, 'string');
  const second = await c.responses.create({
    model: 'gpt-4-turbo', tools,
    input: [...input, call, { type: 'function_call_output', call_id: call.call_id, output: '18 C and sunny' }],
  });
  assert.equal(second.output[0].type, 'message');
  assert.ok(second.output_text.length > 0);
});

test('responses: structured output with text.format json_schema, via responses.parse', async () => {
  const r = await client().responses.parse({
    model: 'gpt-4-turbo',
    input: 'Extract: Alice meets Bob on Friday',
    text: {
      format: {
        type: 'json_schema', name: 'event', strict: true,
        schema: {
          type: 'object',
          properties: { name: { type: 'string' }, participants: { type: 'array', items: { type: 'string' } } },
          required: ['name', 'participants'], additionalProperties: false,
        },
      },
    },
  });
  assert.equal(typeof r.output_parsed.name, 'string');
  assert.ok(Array.isArray(r.output_parsed.participants));
});
