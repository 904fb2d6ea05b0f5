// aiapigiare Media's async tasks with a fake clock: progress, results on the
// CDN, auto-route failover, each model's config checks, other accounts.
#include <set>

#include <gtest/gtest.h>

#include "tests/support/tasks_fixture.h"

namespace tollgate::test {
namespace {

using nlohmann::json;

TEST_F(Tasks, MediaReportsProgressAndEndsWithAPermanentWebpOnTheCdn) {
  const json body = {{"model", "gemini-2.5-flash-image"},
                     {"prompt", "night city"},
                     {"config", {{"aspect_ratio", "16:9"}, {"output_format", "webp"}, {"images", {"https://example.com/in.png", "data:image/png;base64,iVBORw0KGgo="}}}}};
  const auto r = local("POST", "/aiapigiare/task/submit", body, kDemo);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_CONFORMS(mock_, "aiapigiare", "POST", "/aiapigiare/task/submit", r);
  const std::string id = json::parse(r.body)["task_id"];
  EXPECT_EQ(json::parse(r.body)["status"], "queued");
  const mock::Task t = task(id);
  auto get = [&] {
    const auto g = local("GET", "/aiapigiare/task/" + id, nullptr, kDemo);
    EXPECT_EQ(g.status, 200);
    EXPECT_CONFORMS(mock_, "aiapigiare", "GET", "/aiapigiare/task/" + id, g);
    return json::parse(g.body);
  };
  EXPECT_EQ(get()["status"], "queued");
  mock_.clock().set_ms(t.start_ms + (t.finish_ms - t.start_ms) / 2);
  json g = get();
  EXPECT_EQ(g["status"], "processing");
  EXPECT_NEAR(g["progress"].get<int>(), 50, 1);
  mock_.clock().set_ms(t.finish_ms);
  g = get();
  ASSERT_EQ(g["status"], "completed") << g.dump();
  EXPECT_EQ(g["result"]["source"], "official");
  EXPECT_EQ(g["result"]["content_type"], "image/webp");
  EXPECT_EQ(g["result"]["width"], 1820);
  EXPECT_EQ(g["result"]["height"], 1024);
  // Billed per request through the shared ledger, and listed.
  const auto logs = mock_.context().store().logs(1, query(2, "", "gemini-2.5-flash-image"));
  ASSERT_EQ(logs.total, 1);
  EXPECT_EQ(logs.items[0].quota, 19'500);
  const auto list = local("GET", "/aiapigiare/AiApiGiaRe/task?start_timestamp=0&end_timestamp=9999999999", nullptr, kAccess);
  EXPECT_CONFORMS(mock_, "aiapigiare", "GET", "/aiapigiare/AiApiGiaRe/task", list);
  ASSERT_EQ(json::parse(list.body)["data"].size(), 1u);
  EXPECT_EQ(json::parse(list.body)["data"][0]["status"], "completed");
  EXPECT_EQ(json::parse(list.body)["data"][0]["progress"], "100%");
  // The link never expires: a year later it still serves the WebP.
  mock_.clock().advance(std::chrono::hours(24 * 400));
  expect_image(g["result"]["url"], "webp", 1820, 1024);
}

TEST_F(Tasks, MediaAutoRouteFailsOverAndRecordsEveryAttempt) {
  const json body = {{"model", "gpt-image"}, {"prompt", "fox"}};
  auto submit = [&](const std::string& fault) {
    Headers h = kDemo;
    if (!fault.empty()) h["X-Tollgate-Fault"] = fault;
    const auto r = local("POST", "/aiapigiare/task/submit", body, h);
    EXPECT_EQ(r.status, 202) << r.body;
    const std::string id = json::parse(r.body)["task_id"];
    finish(id);
    const auto g = local("GET", "/aiapigiare/task/" + id, nullptr, kDemo);
    EXPECT_CONFORMS(mock_, "aiapigiare", "GET", "/aiapigiare/task/" + id, g);
    return json::parse(g.body);
  };
  json g = submit("fail-sources=official");
  EXPECT_EQ(g["status"], "completed");
  EXPECT_EQ(g["result"]["source"], "fal-ai");
  ASSERT_EQ(g["result"]["attempts"].size(), 2u);
  EXPECT_EQ(g["result"]["attempts"][0]["status"], "failed");
  EXPECT_EQ(g["result"]["attempts"][1]["status"], "succeeded");
  g = submit("fail-sources=official,fal-ai");
  EXPECT_EQ(g["result"]["source"], "replicate");
  // Every source down: the task fails and its charge comes back.
  const std::int64_t before = remain(1);
  g = submit("fail-sources=official, fal-ai ,replicate");
  EXPECT_EQ(g["status"], "failed");
  EXPECT_EQ(g["error"]["code"], "all_sources_failed");
  EXPECT_EQ(g["attempts"].size(), 3u);
  EXPECT_EQ(remain(1), before) << "charged when submitted, refunded when it failed";
  EXPECT_EQ(mock_.context().store().logs(1, query(6, "", "gpt-image")).total, 1);
  // An outage window in the fault profile reroutes the same way.
  const auto put = local("PUT", "/_mock/faults", json::array({{{"outage", {{"source", "official"}, {"for_s", 30}}}}}));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(submit("")["result"]["source"], "fal-ai");
  mock_.clock().advance(std::chrono::seconds(31));
  EXPECT_EQ(submit("")["result"]["source"], "official") << "the window closed";
}

TEST_F(Tasks, MediaValidatesEachModelsConfigWithClear400s) {
  struct Case {
    json body;
    const char* message;
  };
  const Case cases[] = {
      {{{"model", "gpt-image"}, {"prompt", "x"}, {"config", {{"size", "huge"}}}}, "size"},
      {{{"model", "gpt-image"}, {"prompt", "x"}, {"config", {{"size", "512x512"}}}}, "not offered by gpt-image"},
      {{{"model", "gpt-image"}, {"prompt", "x"}, {"config", {{"aspect_ratio", "16:9"}}}}, "aspect_ratio 16:9"},
      {{{"model", "gpt-image"}, {"prompt", "x"}, {"config", {{"size", "1536x1024"}, {"aspect_ratio", "1:1"}}}},
       "does not have the aspect ratio"},
      {{{"model", "imagen4-fast"}, {"prompt", "x"}, {"config", {{"size", "4096x4096"}}}}, "larger than"},
      {{{"model", "imagen4-fast"}, {"prompt", "x"}, {"config", {{"images", {"https://example.com/a.png"}}}}},
       "does not take input images"},
      {{{"model", "gemini-2.5-flash-image"}, {"prompt", "x"}, {"config", {{"images", {"a", "b", "c", "d"}}}}}, "at most 3"},
      {{{"model", "gemini-2.5-flash-image"}, {"prompt", "x"}, {"config", {{"images", {"not base64!"}}}}},
       "config.images[0] is neither"},
      {{{"model", "gemini-2.5-flash-image"}, {"prompt", "x"}, {"config", {{"images", {"data:text/plain;base64,eA=="}}}}},
       "data:image"},
      {{{"model", "dall-e-3"}, {"prompt", "x"}, {"config", {{"output_format", "webp"}}}}, "output_format"},
      {{{"model", "dall-e-3"}, {"prompt", "x"}, {"config", {{"n", 9}}}}, "config.n"},
      {{{"prompt", "x"}}, "model"},
  };
  for (const auto& c : cases) {
    const auto r = local("POST", "/aiapigiare/task/submit", c.body, kDemo);
    EXPECT_EQ(r.status, 400) << c.body.dump() << " -> " << r.body;
    EXPECT_EQ(json::parse(r.body)["error"]["code"], "invalid_request");
    EXPECT_NE(r.body.find(c.message), std::string::npos) << r.body;
    EXPECT_CONFORMS(mock_, "aiapigiare", "POST", "/aiapigiare/task/submit", r);
  }
}

TEST_F(Tasks, MediaKeysModelsAndTasksOfOthers) {
  const json body = {{"model", "gpt-image"}, {"prompt", "fox"}};
  struct Case {
    const char* key;
    json body;
    int status;
    const char* code;
  };
  const Case cases[] = {
      {"sk-disabled", body, 403, "key_disabled"},
      {"sk-expired", body, 403, "key_expired"},
      {"sk-empty", body, 403, "insufficient_quota"},
      {"sk-nope", body, 401, "invalid_api_key"},
      {"aimichat_demo", body, 401, "invalid_api_key"},
      {"sk-demo", {{"model", "gpt-4o-mini"}, {"prompt", "fox"}}, 404, "model_not_found"},
  };
  for (const auto& c : cases) {
    const auto r = local("POST", "/aiapigiare/task/submit", c.body, {{"Authorization", std::string("Bearer ") + c.key}});
    EXPECT_EQ(r.status, c.status) << c.key << " " << r.body;
    EXPECT_EQ(json::parse(r.body)["error"]["code"], c.code) << c.key;
    EXPECT_CONFORMS(mock_, "aiapigiare", "POST", "/aiapigiare/task/submit", r);
  }
  const auto r = local("POST", "/aiapigiare/task/submit", body, kDemo);
  const std::string id = json::parse(r.body)["task_id"];
  EXPECT_EQ(local("GET", "/aiapigiare/task/" + id, nullptr, {{"Authorization", "Bearer sk-other"}}).status, 404)
      << "another account's task is not found";
  EXPECT_EQ(local("GET", "/aiapigiare/task/t_missing", nullptr, kDemo).status, 404);
}

}  // namespace
}  // namespace tollgate::test
