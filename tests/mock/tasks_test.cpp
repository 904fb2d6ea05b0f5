// Async tasks with a fake clock: Apixo and aiapigiare Media from submit to
// a downloaded image, their fail codes, refunds, 400s, auto-route
// failover, the per-key limits at their edges, and the CDN.
#include <gtest/gtest.h>

#include "mock-server/content/images.h"
#include "tests/support/mock_server.h"

namespace tollgate::test {
namespace {

using nlohmann::json;
using Headers = std::map<std::string, std::string>;

const Headers kApixo = {{"Authorization", "Bearer apixo-demo"}};
const Headers kDemo = {{"Authorization", "Bearer sk-demo"}};
const Headers kAccess = {{"Authorization", "Bearer demo-access-key"}};

mock::LogQuery query(int type, const std::string& token, const std::string& model) {
  mock::LogQuery q;
  q.type = type;
  if (!token.empty()) q.token_name = token;
  if (!model.empty()) q.model_name = model;
  return q;
}

class Tasks : public ::testing::Test {
 protected:
  /// One request answered in-process (no socket): fast enough for the
  /// 10,000-request edges.
  ClientResponse local(const std::string& method, const std::string& target, const json& body = nullptr,
                       const Headers& headers = {}) {
    net::HttpRequest r;
    r.method = method;
    r.target = target;
    r.path = target.substr(0, target.find('?'));
    if (target.find('?') != std::string::npos) r.query = target.substr(target.find('?') + 1);
    for (const auto& h : headers) r.headers.emplace_back(h);
    r.headers.emplace_back("Host", "127.0.0.1:" + std::to_string(mock_.port()));
    r.body = body.is_null() ? "" : body.dump();
    r.remote_address = "127.0.0.1";
    net::HttpResponse res = mock_.app().handle(r);
    ClientResponse out;
    out.status = res.status;
    out.body = res.body;
    out.headers["content-type"] = res.content_type;
    for (const auto& [k, v] : res.headers) {
      std::string lower = k;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[lower] = v;
    }
    return out;
  }
  std::string apixo_submit(const json& input, const std::string& model = "gpt-image-1", json extra = json::object()) {
    extra["input"] = input;
    const auto r = local("POST", "/apixo/api/v1/generateTask/" + model, extra, kApixo);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_CONFORMS(mock_, "apixo", "POST", "/apixo/api/v1/generateTask/" + model, r);
    return json::parse(r.body)["data"].value("taskId", "");
  }
  json apixo_status(const std::string& id, const std::string& model = "gpt-image-1") {
    const std::string target = "/apixo/api/v1/statusTask/" + model + "?taskId=" + id;
    const auto r = local("GET", target, nullptr, kApixo);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_CONFORMS(mock_, "apixo", "GET", target, r);
    return json::parse(r.body)["data"];
  }
  mock::Task task(const std::string& id) { return mock_.context().store().task(id).value(); }
  void finish(const std::string& id) { mock_.clock().set_ms(task(id).finish_ms); }
  /// Downloads a result URL from the mock's CDN and checks it is a valid
  /// image of this format and size; returns its bytes.
  std::string expect_image(const std::string& url, const std::string& format, int width, int height) {
    auto r = mock_.call("GET", url.substr(url.find("/cdn/")));
    EXPECT_EQ(r.status, 200) << url;
    EXPECT_EQ(r.headers["content-type"], "image/" + format);
    EXPECT_EQ(r.headers["content-length"], std::to_string(r.body.size()));
    int w = 0, h = 0;
    std::string f;
    EXPECT_TRUE(mock::image_size(r.body, w, h, f)) << url;
    EXPECT_EQ(f, format);
    EXPECT_EQ(w, width);
    EXPECT_EQ(h, height);
    return r.body;
  }
  std::int64_t remain(std::int64_t key_id) {
    for (const auto& k : mock_.context().store().keys_of(1, ""))
      if (k.id == key_id) return k.remain_quota;
    return -1;
  }

  MockServer mock_;
};

TEST_F(Tasks, ApixoMovesWithTheClockFromPendingToADownloadableImage) {
  const std::int64_t before = remain(7);
  const std::string id = apixo_submit({{"prompt", "a cozy cafe"}, {"aspect_ratio", "3:2"}, {"num_images", 2}});
  ASSERT_FALSE(id.empty());
  // Billed per generated image when submitted.
  EXPECT_EQ(before - remain(7), 2 * 10'000);
  const mock::Task t = task(id);
  EXPECT_GE(t.finish_ms - t.created_ms, 500);
  EXPECT_LE(t.finish_ms - t.created_ms, 2000);
  json s = apixo_status(id);
  EXPECT_EQ(s["state"], "pending");
  EXPECT_EQ(s["createTime"], mock_.clock().now_ms());
  // Polls do not move it: only time does.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(apixo_status(id)["state"], "pending");
  mock_.clock().set_ms(t.start_ms);
  EXPECT_EQ(apixo_status(id)["state"], "processing");
  mock_.clock().set_ms(t.finish_ms - 1);
  EXPECT_EQ(apixo_status(id)["state"], "processing");
  mock_.clock().set_ms(t.finish_ms);
  s = apixo_status(id);
  ASSERT_EQ(s["state"], "success");
  EXPECT_EQ(s["completeTime"], t.finish_ms);
  EXPECT_EQ(s["costTime"], t.finish_ms - t.created_ms);
  const json result = json::parse(s["resultJson"].get<std::string>());
  ASSERT_EQ(result["resultUrls"].size(), 2u);
  // Each URL is a real PNG of the asked ratio, served by the mock.
  std::set<std::string> distinct;
  for (const auto& url : result["resultUrls"]) {
    const std::string u = url;
    EXPECT_TRUE(u.starts_with("http://127.0.0.1:" + std::to_string(mock_.port()) + "/cdn/")) << u;
    distinct.insert(expect_image(u, "png", 1536, 1024));
  }
  EXPECT_EQ(distinct.size(), 2u) << "each image of a task differs";
}

TEST_F(Tasks, ApixoFailCodesRefundTheCharge) {
  const std::int64_t before = remain(7);
  struct Case {
    json input;
    const char* code;
  };
  const Case cases[] = {
      {{{"prompt", "something FORBIDDEN here"}}, "CONTENT_VIOLATION"},
      {{{"prompt", "fox"}, {"image_urls", {"ftp://example.com/a.png"}}}, "INVALID_IMAGE_URL"},
      {{{"prompt", "fox"}, {"image_urls", {"https://example.com/a.png", "https://example.com/b.gif"}}}, "INVALID_IMAGE_URL"},
      {{{"prompt", "fox"}, {"image_urls", {"https://images.invalid/a.jpg"}}}, "INVALID_IMAGE_URL"},
  };
  std::vector<std::string> ids;
  for (const auto& c : cases) ids.push_back(apixo_submit(c.input));
  EXPECT_EQ(before - remain(7), 4 * 10'000);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    finish(ids[i]);
    const json s = apixo_status(ids[i]);
    EXPECT_EQ(s["state"], "failed") << s.dump();
    EXPECT_EQ(s["failCode"], cases[i].code) << s.dump();
    EXPECT_FALSE(s["failMsg"].get<std::string>().empty());
  }
  EXPECT_EQ(remain(7), before) << "every failed task was refunded";
  const auto refunds = mock_.context().store().logs(1, query(6, "apixo", ""));
  EXPECT_EQ(refunds.total, 4);
  EXPECT_EQ(refunds.items[0].quota, 10'000);
  // A reference image URL that is fine keeps the task on course.
  const std::string ok = apixo_submit({{"prompt", "fox"}, {"image_urls", {"https://example.com/ref.JPEG?x=1"}}});
  finish(ok);
  EXPECT_EQ(apixo_status(ok)["state"], "success");
}

TEST_F(Tasks, ApixoRefusesBadRequestsWithDocumentedErrors) {
  struct Case {
    std::string model;
    json body;
    const char* message;
  };
  json eleven = json::array();
  for (int i = 0; i < 11; ++i) eleven.push_back("https://example.com/" + std::to_string(i) + ".png");
  const Case cases[] = {
      {"gpt-image-1", {{"request_type", "callback"}, {"input", {{"prompt", "fox"}}}}, "callback_url is required"},
      {"gpt-image-1", {{"input", {{"prompt", "fox"}, {"num_images", 3}}}}, "num_images"},
      {"gpt-image-1", {{"input", {{"prompt", "fox"}, {"aspect_ratio", "16:9"}}}}, "aspect_ratio"},
      {"gpt-image-1", {{"input", {{"prompt", "fox"}, {"image_urls", eleven}}}}, "image_urls"},
      {"gpt-image-1", {{"input", {{"prompt", ""}}}}, "prompt"},
      {"no-such-model", {{"input", {{"prompt", "fox"}}}}, "Unknown model"},
      {"gpt-image-1",
       {{"request_type", "callback"}, {"callback_url", "http://hooks.example.com/cb"}, {"input", {{"prompt", "fox"}}}},
       "not allowed"},
  };
  for (const auto& c : cases) {
    const std::string target = "/apixo/api/v1/generateTask/" + c.model;
    const auto r = local("POST", target, c.body, kApixo);
    EXPECT_EQ(r.status, 400) << c.body.dump() << " -> " << r.body;
    EXPECT_NE(r.body.find(c.message), std::string::npos) << r.body;
    EXPECT_CONFORMS(mock_, "apixo", "POST", target, r);
  }
  // Unknown task, another model's task, another account's key.
  EXPECT_EQ(local("GET", "/apixo/api/v1/statusTask/gpt-image-1?taskId=task_nope", nullptr, kApixo).status, 400);
  const std::string id = apixo_submit({{"prompt", "fox"}});
  const auto other_model = local("GET", "/apixo/api/v1/statusTask/nano-banana?taskId=" + id, nullptr, kApixo);
  EXPECT_EQ(other_model.status, 400);
  EXPECT_NE(other_model.body.find("belongs to model 'gpt-image-1'"), std::string::npos);
  EXPECT_EQ(local("GET", "/apixo/api/v1/statusTask/gpt-image-1?taskId=" + id, nullptr,
                  {{"Authorization", "Bearer nobody"}})
                .status,
            401);
}

TEST_F(Tasks, ApixoInsufficientCreditsCoverEveryImage) {
  ASSERT_TRUE(mock_.context().store().edit_quota(1, 7, 15'000, false));  // 1.5 images at 10,000 each
  const auto two = local("POST", "/apixo/api/v1/generateTask/gpt-image-1",
                         {{"input", {{"prompt", "fox"}, {"num_images", 2}}}}, kApixo);
  EXPECT_EQ(two.status, 400);
  EXPECT_EQ(json::parse(two.body)["message"], "Insufficient credits");
  EXPECT_CONFORMS(mock_, "apixo", "POST", "/apixo/api/v1/generateTask/gpt-image-1", two);
  EXPECT_EQ(remain(7), 15'000) << "a refused task charges nothing";
  apixo_submit({{"prompt", "fox"}, {"num_images", 1}});
  EXPECT_EQ(remain(7), 5'000);
}

TEST_F(Tasks, ApixoConcurrentTaskLimitIsExactAtItsEdge) {
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(apixo_submit({{"prompt", "fox " + std::to_string(i)}}));
  EXPECT_EQ(mock_.context().store().active_tasks(7), 1000);
  const auto refused = local("POST", "/apixo/api/v1/generateTask/gpt-image-1", {{"input", {{"prompt", "one more"}}}},
                             kApixo);
  EXPECT_EQ(refused.status, 429);
  EXPECT_NE(refused.body.find("1000 concurrent tasks"), std::string::npos) << refused.body;
  EXPECT_CONFORMS(mock_, "apixo", "POST", "/apixo/api/v1/generateTask/gpt-image-1", refused);
  // The moment the first task to end ends, exactly one slot frees.
  std::int64_t first = INT64_MAX;
  for (const auto& id : ids) first = std::min(first, task(id).finish_ms);
  mock_.clock().set_ms(first - 1);
  EXPECT_EQ(local("POST", "/apixo/api/v1/generateTask/gpt-image-1", {{"input", {{"prompt", "x"}}}}, kApixo).status, 429);
  mock_.clock().set_ms(first);
  const std::int64_t done = 1000 - mock_.context().store().active_tasks(7);
  ASSERT_GE(done, 1);
  for (std::int64_t i = 0; i < done; ++i) apixo_submit({{"prompt", "x"}});
  EXPECT_EQ(local("POST", "/apixo/api/v1/generateTask/gpt-image-1", {{"input", {{"prompt", "x"}}}}, kApixo).status, 429);
}

TEST_F(Tasks, ApixoRateLimitIsExactAtItsEdge) {
  const std::string id = apixo_submit({{"prompt", "fox"}});  // request 1 of 10,000
  const std::string target = "/apixo/api/v1/statusTask/gpt-image-1?taskId=" + id;
  for (int i = 1; i < 10'000; ++i) ASSERT_EQ(local("GET", target, nullptr, kApixo).status, 200) << i;
  const auto refused = local("GET", target, nullptr, kApixo);
  EXPECT_EQ(refused.status, 429);
  EXPECT_CONFORMS(mock_, "apixo", "GET", target, refused);
  EXPECT_TRUE(refused.headers.count("retry-after"));
  mock_.clock().advance(std::chrono::milliseconds(60'100));  // the window slides past the burst
  EXPECT_EQ(local("GET", target, nullptr, kApixo).status, 200);
}

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

TEST_F(Tasks, CdnServesEtagsRangesHeadAndExpiresApixoLinksAfter15Days) {
  const std::string id = apixo_submit({{"prompt", "fox"}});
  finish(id);
  const json result = json::parse(apixo_status(id)["resultJson"].get<std::string>());
  std::string path = result["resultUrls"][0];
  path = path.substr(path.find("/cdn/"));
  const auto full = mock_.call("GET", path);
  ASSERT_EQ(full.status, 200);
  const std::string etag = full.headers.at("etag");
  EXPECT_EQ(full.headers.at("accept-ranges"), "bytes");
  // HEAD: the length, no body.
  TestClient client(mock_.port());
  const auto head = client.request("HEAD", path);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers.at("content-length"), std::to_string(full.body.size()));
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(mock_.call("GET", path, nullptr, {{"If-None-Match", etag}}).status, 304);
  auto part = mock_.call("GET", path, nullptr, {{"Range", "bytes=0-99"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, full.body.substr(0, 100));
  EXPECT_EQ(part.headers.at("content-range"), "bytes 0-99/" + std::to_string(full.body.size()));
  part = mock_.call("GET", path, nullptr, {{"Range", "bytes=-10"}});
  EXPECT_EQ(part.body, full.body.substr(full.body.size() - 10));
  part = mock_.call("GET", path, nullptr, {{"Range", "bytes=" + std::to_string(full.body.size()) + "-"}});
  EXPECT_EQ(part.status, 416);
  EXPECT_EQ(part.headers.at("content-range"), "bytes */" + std::to_string(full.body.size()));
  // If-Range with another validator: the whole file.
  EXPECT_EQ(mock_.call("GET", path, nullptr, {{"Range", "bytes=0-9"}, {"If-Range", "\"other\""}}).status, 200);
  EXPECT_EQ(mock_.call("GET", path.substr(0, path.size() - 3) + "webp").status, 404);
  EXPECT_EQ(mock_.call("GET", "/cdn/task_nope/0.png").status, 404);
  EXPECT_EQ(mock_.call("POST", path).status, 405);
  // Apixo's links last 15 days from completion.
  mock_.clock().set_ms(task(id).finish_ms + 15LL * 24 * 3600 * 1000 - 1);
  EXPECT_EQ(mock_.call("GET", path).status, 200);
  mock_.clock().advance(std::chrono::milliseconds(1));
  EXPECT_EQ(mock_.call("GET", path).status, 410);
}

TEST(Images, RenderedFilesAreValidAndDeterministic) {
  for (auto format : {mock::ImageFormat::kPng, mock::ImageFormat::kWebp}) {
    const mock::ImageRecipe recipe{300, 200, format, mock::seed_of("fox")};
    const std::string a = mock::render_image(recipe);
    EXPECT_EQ(a, mock::render_image(recipe));
    int w = 0, h = 0;
    std::string f;
    ASSERT_TRUE(mock::image_size(a, w, h, f));
    EXPECT_EQ(w, 300);
    EXPECT_EQ(h, 200);
    EXPECT_EQ(f, mock::extension(format));
    EXPECT_NE(a, mock::render_image({300, 200, format, mock::seed_of("cat")}));
  }
  std::string png = mock::render_image({16, 16, mock::ImageFormat::kPng, 1});
  png[png.size() / 2] ^= 1;  // a damaged chunk fails its CRC
  int w, h;
  std::string f;
  EXPECT_FALSE(mock::image_size(png, w, h, f));
  EXPECT_FALSE(mock::image_size("GIF89a", w, h, f));
}

}  // namespace
}  // namespace tollgate::test
