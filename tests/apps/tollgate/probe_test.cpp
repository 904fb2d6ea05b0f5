// tollgate probe as a user runs it: against the mock on every bundled
// contract (no failure), against a small API that conforms exactly (no
// false alarm over many seeds), and against the same API with one fault
// each (found, with a curl command that shows the fault when run).
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "net/http_server.h"
#include "tests/support/child_process.h"
#include "tests/support/tollgate_cli.h"

namespace tollgate::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(Probe, EveryBundledContractPassesAgainstTheMock) {
  Child mock({TOLLGATE_MOCK_BINARY, "--listen", "127.0.0.1:0", "--threads", "1"});
  const std::string url = announced_url(mock);
  const std::string root = TOLLGATE_SOURCE_DIR;
  struct Family {
    const char* spec;
    const char* base;
    const char* key;
  };
  for (const Family& f : {Family{"aiproxy", "aiproxy", "sk-demo"}, Family{"aimichat", "aimichat", "aimichat_demo"},
                          Family{"apixo", "apixo", "apixo-demo"}, Family{"aiapigiare-media", "aiapigiare", "sk-demo"},
                          // Last: its chains edit and delete the demo account's first key, sk-demo.
                          Family{"aiapigiare-system", "aiapigiare", "demo-access-key"}}) {
    const auto o = tollgate("probe " + root + "/spec/" + f.spec + ".yaml --target " + url + "/" + f.base +
                            " -H 'Authorization: Bearer " + f.key + "' --quiet");
    EXPECT_EQ(o.exit_code, 0) << f.spec << "\n" << o.output;
    EXPECT_NE(o.output.find(", 0 failed\n"), std::string::npos) << o.output;
    EXPECT_EQ(o.output.find("not sent"), std::string::npos) << o.output;
    // Every kind of case was sent.
    for (const char* kind : {" auth", " example", " method", " negative", " positive"})
      EXPECT_NE(o.output.find(kind), std::string::npos) << f.spec << ": no" << kind << " case\n" << o.output;
    // Every family but AimiChat (one operation) has a create -> read chain.
    if (std::string(f.spec) != "aimichat") {
      EXPECT_NE(o.output.find(" chain"), std::string::npos) << f.spec << ": no chain\n" << o.output;
    }
    // The async families' tasks are read until they are final.
    if (std::string(f.spec) == "apixo" || std::string(f.spec) == "aiapigiare-media") {
      EXPECT_NE(o.output.find(" is final\n"), std::string::npos) << f.spec << ": no task polled\n" << o.output;
    }
    EXPECT_EQ(o.output.find("k-demo"), std::string::npos) << "a credential in the output";
  }
}

// A small API, written to its contract: items with a name (at most 20
// characters) and a color (red or green), nothing else; a bearer key.
const char* const kItemsContract = R"(openapi: 3.0.3
info: {title: Items, version: "1"}
security: [{bearer: []}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    ItemIn:
      type: object
      required: [name, color]
      additionalProperties: false
      properties:
        name: {type: string, minLength: 1, maxLength: 20}
        color: {type: string, enum: [red, green]}
        note: {type: string, maxLength: 40}
    Item:
      type: object
      required: [id, name, color]
      properties:
        id: {type: integer}
        name: {type: string}
        color: {type: string}
    Word:
      type: object
      required: [word]
      properties:
        word: {type: string}
    Error:
      type: object
      required: [error]
      properties:
        error: {type: string}
paths:
  /items:
    post:
      operationId: createItem
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ItemIn'}
            example: {name: kettle, color: red}
      responses:
        '201':
          description: created
          headers:
            X-Item-Id: {schema: {type: string}}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
          links:
            DeleteIt:
              operationId: deleteItem
              parameters: {item_id: '$response.body#/id'}
            ReadIt:
              operationRef: '#/paths/~1items~1{item_id}/get'
              parameters: {item_id: '$response.header.X-Item-Id'}
        '400':
          description: the body is not an ItemIn
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
        '401':
          description: no key, or a wrong one
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
  /words:
    post:
      operationId: streamWords
      description: The words of a prompt, one event each, then [DONE].
      requestBody:
        required: true
        content:
          application/json:
            example: {prompt: the quick brown fox, stream: true}
            schema:
              type: object
              required: [prompt, stream]
              properties:
                prompt: {type: string, minLength: 1, maxLength: 60}
                stream: {type: boolean, enum: [true]}
      responses:
        '200':
          description: the words
          content:
            text/event-stream:
              schema: {type: string}
              x-sse:
                chunk: {$ref: '#/components/schemas/Word'}
                done: '[DONE]'
        '400': {description: not a prompt, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        '401': {description: no key, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
  /items/{item_id}:
    parameters:
      - {name: item_id, in: path, required: true, schema: {type: integer}}
    get:
      operationId: getItem
      responses:
        '200':
          description: the item
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
        '401': {description: no key, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        '404': {description: no such item, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
    put:
      operationId: replaceItem
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ItemIn'}
      responses:
        '200':
          description: the item as replaced
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
        '400': {description: not an ItemIn, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        '401': {description: no key, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        '404': {description: no such item, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
    delete:
      operationId: deleteItem
      responses:
        '204': {description: deleted}
        '401': {description: no key, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        '404': {description: no such item, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
)";

const char* const kKey = "k-0123456789abcdef";

enum class Fault {
  kNone,
  kServerErrorOnBadJson,
  kAcceptsBadEnum,
  kMissingResponseField,
  kNoAuth,
  kWrongType,
  k404NotMethod,
  kDeleteKeepsIt,
  kStreamWithoutDone,
  kAnyKey,      // any Authorization header lets a request in
  kUpdateLost,  // a PUT answers 200 with the new item but keeps the old one
};

// The items made so far (ids from 1).
struct Store {
  std::mutex mutex;
  std::map<int, json> items;
  int next = 1;
};

// Why `body` is no ItemIn, or nullopt when it is one.
std::optional<std::string> not_an_item(const json& body, bool any_color) {
  if (!body.is_object()) return "not an object";
  for (auto it = body.begin(); it != body.end(); ++it)
    if (it.key() != "name" && it.key() != "color" && it.key() != "note") return "unknown field " + it.key();
  if (body.contains("note") && (!body["note"].is_string() || body["note"].get<std::string>().size() > 40)) return "note";
  if (!body.contains("name") || !body["name"].is_string() || body["name"].get<std::string>().empty() ||
      body["name"].get<std::string>().size() > 20)
    return "name";
  if (!body.contains("color") || !body["color"].is_string()) return "color";
  if (!any_color && body["color"] != "red" && body["color"] != "green") return "color";
  return std::nullopt;
}

net::HttpResponse items_api(const net::HttpRequest& r, Fault fault, Store& store) {
  auto error = [](int status, const std::string& message) { return net::HttpResponse::json(status, {{"error", message}}); };
  // A request without the key (with kAnyKey: without any Authorization).
  const auto keyless = [&] {
    if (fault == Fault::kNoAuth) return false;
    if (fault == Fault::kAnyKey) return r.header("authorization").empty();
    return r.header("authorization") != std::string("Bearer ") + kKey;
  };
  if (r.path.rfind("/items/", 0) == 0) {
    if (r.method != "GET" && r.method != "PUT" && r.method != "DELETE") {
      auto resp = error(405, "method not allowed");
      resp.headers.emplace_back("Allow", "GET, PUT, DELETE");
      return resp;
    }
    if (keyless()) return error(401, "no key");
    json body;
    if (r.method == "PUT") {
      if (r.header("content-type").substr(0, 16) != "application/json") return error(400, "send application/json");
      body = json::parse(r.body, nullptr, false);
      if (body.is_discarded()) return error(400, "not JSON");
      // Only the create handler lets a bad colour in (kAcceptsBadEnum).
      if (const auto why = not_an_item(body, false)) return error(400, *why);
    }
    const std::string id = r.path.substr(7);
    if (id.empty() || id.size() > 9 || id.find_first_not_of("0123456789") != std::string::npos) return error(404, "no such item");
    std::lock_guard lock(store.mutex);
    const auto it = store.items.find(std::stoi(id));
    if (it == store.items.end()) return error(404, "no such item");
    if (r.method == "GET") return net::HttpResponse::json(200, it->second);
    if (r.method == "PUT") {
      const json item = {{"id", it->first}, {"name", body["name"]}, {"color", body["color"]}};
      if (fault != Fault::kUpdateLost) it->second = item;
      return net::HttpResponse::json(200, item);
    }
    if (fault != Fault::kDeleteKeepsIt) store.items.erase(it);
    net::HttpResponse gone;
    gone.status = 204;
    gone.content_type.clear();
    return gone;
  }
  // A POST path's method, key and Content-Type, as the contract has them.
  auto refused = [&]() -> std::optional<net::HttpResponse> {
    if (r.method != "POST") {
      if (fault == Fault::k404NotMethod) return error(404, "no such path");
      auto resp = error(405, "method not allowed");
      resp.headers.emplace_back("Allow", "POST");
      return resp;
    }
    if (keyless()) return error(401, "no key");
    if (r.header("content-type").substr(0, 16) != "application/json") return error(400, "send application/json");
    return std::nullopt;
  };
  if (r.path == "/words") {
    if (auto no = refused()) return *no;
    const json body = json::parse(r.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || body.size() != 2 || !body.contains("prompt") ||
        !body["prompt"].is_string() || body["prompt"].get<std::string>().empty() ||
        body["prompt"].get<std::string>().size() > 60 || body.value("stream", json()) != json(true))
      return error(400, "not a prompt");
    net::HttpResponse events;
    events.content_type = "text/event-stream";
    std::string word;
    for (char ch : body["prompt"].get<std::string>() + " ") {
      if (ch != ' ') {
        word += ch;
      } else if (!word.empty()) {
        events.body += "data: " + json{{"word", word}}.dump() + "\n\n";
        word.clear();
      }
    }
    if (fault != Fault::kStreamWithoutDone) events.body += "data: [DONE]\n\n";
    return events;
  }
  if (r.path != "/items") return error(404, "no such path");
  if (auto no = refused()) return *no;
  const json body = json::parse(r.body, nullptr, false);
  if (body.is_discarded()) return fault == Fault::kServerErrorOnBadJson ? error(500, "oops") : error(400, "not JSON");
  if (const auto why = not_an_item(body, fault == Fault::kAcceptsBadEnum)) return error(400, *why);
  std::lock_guard lock(store.mutex);
  json item = {{"id", store.next++}, {"name", body["name"]}, {"color", body["color"]}};
  store.items[item["id"].get<int>()] = item;
  if (fault == Fault::kMissingResponseField) item.erase("id");
  const std::string id = std::to_string(store.next - 1);
  if (fault == Fault::kWrongType) item["id"] = id;
  auto created = net::HttpResponse::json(201, item);
  created.headers.emplace_back("X-Item-Id", id);
  return created;
}

class ItemsApi {
 public:
  explicit ItemsApi(Fault fault)
      : server_(options(), [fault, this](const net::HttpRequest& r) { return items_api(r, fault, store_); }) {
    port_ = server_.start();
  }
  ~ItemsApi() {
    server_.stop();
    server_.wait();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  static net::ServerOptions options() {
    net::ServerOptions o;
    o.threads = 1;
    return o;
  }
  Store store_;
  net::HttpServer server_;
  std::uint16_t port_ = 0;
};

class ProbeItems : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tollgate-probe-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "items.yaml") << kItemsContract;
  }
  void TearDown() override { fs::remove_all(dir_); }
  Outcome probe(const ItemsApi& api, const std::string& more = "") {
    return tollgate("probe " + (dir_ / "items.yaml").string() + " --target " + api.url() + " -H 'Authorization: Bearer " +
                    kKey + "' --quiet " + more);
  }
  fs::path dir_;
};

TEST_F(ProbeItems, AConformingServerGivesNoFailureOverTenSeeds) {
  ItemsApi api(Fault::kNone);
  // Each case is sent exactly once, whichever of the 3 workers takes it.
  const auto once = probe(api, "--workers 3 --out " + (dir_ / "out").string());
  EXPECT_EQ(once.exit_code, 0) << once.output;
  std::ifstream in(dir_ / "out" / "summary.json");
  const json summary = json::parse(in);
  std::size_t steps = 0;
  for (const auto& sc : summary["scenarios"])
    for (const auto& st : sc["steps"]) {
      EXPECT_EQ(st["requests"], 1) << st["name"];
      ++steps;
    }
  EXPECT_GT(steps, 10u);
  EXPECT_EQ(summary["totals"]["requests"], steps);
  // The contract's OpenAPI link makes the chain (inference would find the same one).
  EXPECT_NE(once.output.find("note: chain createItem -> deleteItem: item_id from /id of the answer (OpenAPI link "
                             "'DeleteIt' of createItem)"),
            std::string::npos)
      << once.output;
  // ... and by operationRef, with the id from a header of the answer.
  EXPECT_NE(once.output.find("note: chain createItem -> getItem: item_id from header X-Item-Id of the answer (OpenAPI "
                             "link 'ReadIt' of createItem)"),
            std::string::npos)
      << once.output;
  // junit.xml: one test case per operation and check, not per case.
  std::ifstream junit_in(dir_ / "out" / "junit.xml");
  const std::string junit((std::istreambuf_iterator<char>(junit_in)), std::istreambuf_iterator<char>());
  EXPECT_NE(junit.find("classname=\"probe.createItem\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("classname=\"chains.getItem\""), std::string::npos) << junit;
  EXPECT_EQ(junit.find("classname=\"probe.createItem positive"), std::string::npos) << junit;
  EXPECT_EQ(junit.find("<failure"), std::string::npos) << junit;
  for (int seed = 0; seed < 10; ++seed) {
    const auto o = probe(api, "--seed " + std::to_string(seed));
    EXPECT_EQ(o.exit_code, 0) << "seed " << seed << "\n" << o.output;
    EXPECT_NE(o.output.find(", 0 failed\n"), std::string::npos) << o.output;
  }
}

TEST_F(ProbeItems, TheSameSeedGivesTheSameCases) {
  ItemsApi api(Fault::kNone);
  const std::string dry = "--dry-run --seed 3";
  const auto a = probe(api, dry), b = probe(api, dry), c = probe(api, "--dry-run --seed 4");
  EXPECT_EQ(a.exit_code, 0) << a.output;
  EXPECT_EQ(a.output, b.output);
  EXPECT_NE(a.output, c.output);
  EXPECT_NE(a.output.find("nothing sent (--dry-run)"), std::string::npos) << a.output;
  EXPECT_EQ(a.output.find(kKey), std::string::npos) << "the key shows in a dry run";
}

struct FaultCase {
  const char* name;
  Fault fault;
  const char* failing_case;  // in the FAIL line
  const char* shown;         // the status (or part of the body) the reproducer gets; nullptr: a chain
};

class OneFault : public ProbeItems, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(OneFault, IsFoundWithACurlThatShowsIt) {
  const FaultCase& f = GetParam();
  ItemsApi api(f.fault);
  const auto o = probe(api, "--show-secrets");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  const auto at = o.output.find(std::string("FAIL ") + f.failing_case);
  ASSERT_NE(at, std::string::npos) << o.output;
  if (!f.shown) {  // a chain: its steps in order, the id to fill in by hand
    EXPECT_NE(o.output.find("  reproduce, in order ({{ref}}: /id of the first answer):\n    curl -sS -i -X POST ", at),
              std::string::npos)
        << o.output;
    return;
  }
  // The failure's reproducer (shrunk, when it could be), run as printed,
  // gets the fault again.
  const auto repro = o.output.find("  reproduce", at);
  ASSERT_NE(repro, std::string::npos) << o.output;
  const auto line_end = o.output.find('\n', repro);
  const auto curl_at = o.output.find(": curl ", repro) + 2;
  ASSERT_LT(curl_at, line_end) << o.output;
  const std::string curl = o.output.substr(curl_at, line_end - curl_at);
  ASSERT_EQ(curl.rfind("curl ", 0), 0u) << curl;
  const auto again = run_shell(curl);
  EXPECT_EQ(again.exit_code, 0) << curl << "\n" << again.output;
  EXPECT_NE(again.output.find(f.shown), std::string::npos) << curl << "\n" << again.output;
  // Without --show-secrets the key is masked in the reproducer (an auth
  // case's reproducer sends none).
  const auto masked = probe(api);
  EXPECT_EQ(masked.output.find(kKey), std::string::npos) << masked.output;
  if (f.fault == Fault::kAnyKey) {  // the wrong credential is the probe's own: shown as it is
    EXPECT_NE(masked.output.find("Bearer tollgate-probe-wrong-credential"), std::string::npos) << masked.output;
  } else if (f.fault != Fault::kNoAuth) {
    EXPECT_NE(masked.output.find("Bearer k-01****cdef"), std::string::npos) << masked.output;
  }
}

const FaultCase kFaults[] = {
    {"server_error_on_malformed_json", Fault::kServerErrorOnBadJson, "createItem negative: body is not JSON",
     "HTTP/1.1 500"},
    {"accepts_a_value_outside_the_enum", Fault::kAcceptsBadEnum, "createItem negative: body /color: not one of its enum",
     "HTTP/1.1 201"},
    {"a_required_response_field_missing", Fault::kMissingResponseField, "createItem example", "HTTP/1.1 201"},
    {"answers_without_credentials", Fault::kNoAuth, "createItem auth: no credentials", "HTTP/1.1 201"},
    {"a_response_field_of_the_wrong_type", Fault::kWrongType, "createItem positive", "\"id\":\""},
    {"404_where_405_is_due", Fault::k404NotMethod, "PATCH /items method: undocumented", "HTTP/1.1 404"},
    {"a_stream_without_its_terminator", Fault::kStreamWithoutDone, "streamWords example", "data: {\"word\""},
    // Stateful: a deleted item is still there (create, read, delete, read).
    {"a_delete_that_keeps_the_item", Fault::kDeleteKeepsIt, "chain createItem -> deleteItem: getItem after the delete: gone",
     nullptr},
    {"any_key_let_in", Fault::kAnyKey, "createItem auth: wrong credential (Authorization)", "HTTP/1.1 201"},
    // Stateful: an update answered 200 that a read does not show.
    {"an_update_that_is_lost", Fault::kUpdateLost, "chain createItem -> deleteItem: getItem reads the update", nullptr},
};

INSTANTIATE_TEST_SUITE_P(Probe, OneFault, ::testing::ValuesIn(kFaults),
                         [](const auto& info) { return std::string(info.param.name); });

// A failing case is sent again in smaller versions: the reproducer is the
// least request that still fails the same way, and still shows the fault.
TEST_F(ProbeItems, AFailingCaseIsShrunkToTheLeastRequestThatStillFails) {
  ItemsApi api(Fault::kWrongType);  // every created item's id is a string
  const auto o = probe(api, "--show-secrets --operation createItem --out " + (dir_ / "out").string());
  EXPECT_EQ(o.exit_code, 1) << o.output;
  // The first positive sends every optional property (a note); shrunk,
  // the request has none.
  const auto at = o.output.find("FAIL createItem positive: 1\n");
  ASSERT_NE(at, std::string::npos) << o.output;
  const auto repro = o.output.find("  reproduce (shrunk, ", at);
  ASSERT_NE(repro, std::string::npos) << o.output;
  const auto line_end = o.output.find('\n', repro);
  const auto curl_at = o.output.find(": curl ", repro) + 2;
  const std::string curl = o.output.substr(curl_at, line_end - curl_at);
  EXPECT_EQ(curl.find("note"), std::string::npos) << curl;
  EXPECT_NE(o.output.substr(line_end, o.output.find('\n', line_end + 1) - line_end).find("\"note\""), std::string::npos)
      << "the case as first sent follows";
  const auto again = run_shell(curl);
  EXPECT_NE(again.output.find("\"id\":\""), std::string::npos) << curl << "\n" << again.output;
  EXPECT_NE(o.output.find("shrinking: "), std::string::npos) << o.output;
  // junit.xml: the operation's failing check lists the cases that failed it.
  std::ifstream junit_in(dir_ / "out" / "junit.xml");
  const std::string junit((std::istreambuf_iterator<char>(junit_in)), std::istreambuf_iterator<char>());
  const auto tc = junit.find("classname=\"probe.createItem\" name=\"contract createItem\"");
  ASSERT_NE(tc, std::string::npos) << junit;
  EXPECT_NE(junit.find("createItem positive: 1: ", tc), std::string::npos) << junit;
  // --no-shrink: as first sent, nothing sent again.
  const auto plain = probe(api, "--no-shrink --operation createItem");
  EXPECT_EQ(plain.output.find("shrunk"), std::string::npos) << plain.output;
  EXPECT_EQ(plain.output.find("shrinking: "), std::string::npos) << plain.output;
}

// CI with known failures: a baseline written by one run lets the next fail
// only on new ones, and says when a known one is fixed.
TEST_F(ProbeItems, ABaselineAcceptsKnownFailuresOnly) {
  const std::string file = (dir_ / "baseline.txt").string();
  {
    ItemsApi api(Fault::kAcceptsBadEnum);
    auto o = probe(api, "--write-baseline " + file);
    EXPECT_EQ(o.exit_code, 1) << o.output;
    EXPECT_NE(o.output.find("baseline: 1 failing case(s) written to " + file), std::string::npos) << o.output;
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("\ncreateItem negative: body /color: not one of its enum\n"), std::string::npos) << text;
    o = probe(api, "--baseline " + file);
    EXPECT_EQ(o.exit_code, 0) << o.output;
    EXPECT_NE(o.output.find("KNOWN createItem negative: body /color: not one of its enum (in the baseline)"), std::string::npos)
        << o.output;
    EXPECT_NE(o.output.find("1 failed (1 known from the baseline, 0 new)"), std::string::npos) << o.output;
  }
  {
    ItemsApi api(Fault::kNone);  // fixed
    const auto o = probe(api, "--baseline " + file);
    EXPECT_EQ(o.exit_code, 0) << o.output;
    EXPECT_NE(o.output.find("FIXED createItem negative: body /color: not one of its enum"), std::string::npos) << o.output;
  }
  {
    ItemsApi api(Fault::kNoAuth);  // a new failure: the baseline does not cover it
    const auto o = probe(api, "--baseline " + file);
    EXPECT_EQ(o.exit_code, 1) << o.output;
    EXPECT_NE(o.output.find("FAIL createItem auth: no credentials"), std::string::npos) << o.output;
  }
  std::ofstream(dir_ / "junk.txt") << "createItem\x01\xff\n";
  ItemsApi api(Fault::kNone);
  const auto bad = probe(api, "--baseline " + (dir_ / "junk.txt").string());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("junk.txt:1:1: not a case name"), std::string::npos) << bad.output;
}

TEST_F(ProbeItems, BadOptionsAreRefusedBeforeAnythingIsSent) {
  ItemsApi api(Fault::kNone);
  auto o = probe(api, "--operation nosuchOperation");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("'nosuchOperation' is no operationId"), std::string::npos) << o.output;
  o = tollgate("probe " + (dir_ / "items.yaml").string() + " --target ftp://127.0.0.1:1");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  o = probe(api, "--rate fast");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("--rate"), std::string::npos) << o.output;
}

}  // namespace
}  // namespace tollgate::test
