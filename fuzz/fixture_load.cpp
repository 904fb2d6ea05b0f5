// Bytes as a mock fixture: parse_fixture (the embedded schema, then ids,
// references and values; SourceError is its one documented refusal), and,
// when it loads, what PUT /_mock/fixture does with it: MockApp::load, then
// a few requests over the new state with its first key and account.
#include "fuzz/fuzz_common.h"
#include "fuzz/mock_setup.h"
#include "mock-server/model/fixture.h"

using namespace tollgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;
  mock::Fixture fixture;
  try {
    fixture = mock::parse_fixture(fuzz::text_of(data, size), "fuzz.yaml");
  } catch (const SourceError&) {
    return 0;  // a clean refusal
  }
  fuzz::Mock& m = fuzz::mock_app();
  m.app.load(fixture);
  const std::string key = fixture.keys.empty() ? "sk-demo" : fixture.keys.front().key;
  const std::string access = fixture.accounts.empty() ? "demo-access-key" : fixture.accounts.front().access_key;
  auto request = [&](std::string method, std::string target, std::string auth, std::string body = "") {
    net::HttpRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.headers = {{"Authorization", "Bearer " + auth}, {"Content-Type", "application/json"}};
    r.body = std::move(body);
    fuzz::answer(m.app, std::move(r));
  };
  request("GET", "/aiproxy/v1/models", key);
  request("POST", "/aiproxy/v1/chat/completions", key,
          R"({"model":")" + (fixture.models.empty() ? std::string("gpt-4o-mini") : fixture.models.front().id) +
              R"(","messages":[{"role":"user","content":"hi"}],"max_tokens":4})");
  request("GET", "/aiapigiare/AiApiGiaRe/user", access);
  request("GET", "/aiapigiare/AiApiGiaRe/apikeylist", access);
  request("GET", "/_mock/counters", "");
  return 0;
}
