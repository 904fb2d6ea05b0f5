#pragma once
// The fixture of the async-task tests (Apixo, aiapigiare Media, the CDN):
// the whole mock with a fake clock, requests answered in-process, and
// helpers to submit, poll, finish and download.
#include <gtest/gtest.h>

#include "mock-server/content/images.h"
#include "tests/support/mock_server.h"

namespace tollgate::test {

using Headers = std::map<std::string, std::string>;

inline const Headers kApixo = {{"Authorization", "Bearer apixo-demo"}};
inline const Headers kDemo = {{"Authorization", "Bearer sk-demo"}};
inline const Headers kAccess = {{"Authorization", "Bearer demo-access-key"}};

inline mock::LogQuery query(int type, const std::string& token, const std::string& model) {
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
  ClientResponse local(const std::string& method, const std::string& target,
                       const nlohmann::json& body = nullptr, Headers headers = {}) {
    headers.emplace("Host", "127.0.0.1:" + std::to_string(mock_.port()));
    net::HttpResponse res = mock_.local(method, target, body, headers);
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
  std::string apixo_submit(const nlohmann::json& input, const std::string& model = "gpt-image-1",
                           nlohmann::json extra = nlohmann::json::object()) {
    extra["input"] = input;
    const auto r = local("POST", "/apixo/api/v1/generateTask/" + model, extra, kApixo);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_CONFORMS(mock_, "apixo", "POST", "/apixo/api/v1/generateTask/" + model, r);
    return nlohmann::json::parse(r.body)["data"].value("taskId", "");
  }
  nlohmann::json apixo_status(const std::string& id, const std::string& model = "gpt-image-1") {
    const std::string target = "/apixo/api/v1/statusTask/" + model + "?taskId=" + id;
    const auto r = local("GET", target, nullptr, kApixo);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_CONFORMS(mock_, "apixo", "GET", target, r);
    return nlohmann::json::parse(r.body)["data"];
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

}  // namespace tollgate::test
