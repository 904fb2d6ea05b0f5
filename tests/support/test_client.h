#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace tollgate::test {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< lower-case names
  std::string body;
  bool keep_alive = false;
};

/// A blocking HTTP/1.1 client for tests: one keep-alive connection to
/// 127.0.0.1:port, every operation bounded by `timeout`.
class TestClient {
 public:
  explicit TestClient(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~TestClient();

  /// Sends a request and reads the whole response; throws on I/O errors.
  ClientResponse request(const std::string& method, const std::string& target, const std::string& body = "",
                         const std::map<std::string, std::string>& headers = {});

  /// Writes raw bytes on the connection.
  void send_raw(const std::string& bytes);
  /// Reads one response from the connection (`head`: to a HEAD request).
  ClientResponse read_response(bool head = false);
  /// True when the server closed the connection (reads EOF) before `timeout`.
  bool closed_by_peer();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tollgate::test
