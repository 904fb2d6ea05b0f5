// Apixo's async tasks with a fake clock: submit to a downloaded image, fail
// codes and refunds, 400s, and the per-key limits at their edges.
#include <set>

#include <gtest/gtest.h>

#include "tests/support/tasks_fixture.h"

namespace tollgate::test {
namespace {

using nlohmann::json;

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

}  // namespace
}  // namespace tollgate::test
