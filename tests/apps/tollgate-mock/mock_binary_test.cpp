// The tollgate-mock binary as a user runs it: port 0, first line, SIGTERM.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"
#include "tests/support/test_client.h"

namespace tollgate::test {
namespace {

TEST(MockBinary, StartsOnPortZeroServesContractsAndStopsOnSigterm) {
  Child mock({TOLLGATE_MOCK_BINARY, "--listen", "127.0.0.1:0", "--threads", "2"});
  const std::string first = mock.first_line(std::chrono::seconds(10));
  std::smatch m;
  ASSERT_TRUE(std::regex_match(first, m, std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"))) << first;
  const auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
  ASSERT_NE(port, 0);

  TestClient client(port);
  const auto health = client.request("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  for (const char* family : {"aiapigiare", "aimichat", "aiproxy", "apixo"}) {
    const auto res = client.request("GET", std::string("/") + family + "/openapi.json");
    EXPECT_EQ(res.status, 200) << family;
    EXPECT_EQ(nlohmann::json::parse(res.body)["openapi"], "3.0.3") << family;
  }

  ASSERT_EQ(kill(mock.pid(), SIGTERM), 0);
  const int status = mock.wait_exit(std::chrono::seconds(1));
  ASSERT_NE(status, -1) << "tollgate-mock did not stop within a second of SIGTERM";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(MockBinary, BadListenAddressExitsWithUsageError) {
  Child mock({TOLLGATE_MOCK_BINARY, "--listen", "nonsense"});
  const int status = mock.wait_exit(std::chrono::seconds(10));
  ASSERT_NE(status, -1);
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace tollgate::test
