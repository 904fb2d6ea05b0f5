// The CDN: ETags, ranges, HEAD, and Apixo links that expire after 15 days.
#include <set>

#include <gtest/gtest.h>

#include "tests/support/tasks_fixture.h"

namespace tollgate::test {
namespace {

using nlohmann::json;

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

}  // namespace
}  // namespace tollgate::test
