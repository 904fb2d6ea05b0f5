#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace tollgate::test {

/// A TCP server on 127.0.0.1:0 whose behaviour a test scripts: for every
/// accepted connection `script(socket)` runs on the server's thread (read
/// the request, answer badly, stall, close...). Stops with the object.
class RawServer {
 public:
  using Script = std::function<void(boost::asio::ip::tcp::socket&)>;
  explicit RawServer(Script script);
  ~RawServer();
  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }

  /// Reads one request head (up to the blank line) from the socket.
  static std::string read_head(boost::asio::ip::tcp::socket& socket);
  /// A script that reads the request and never answers: it waits for the
  /// client to leave.
  static Script silent();

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Script script_;
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace tollgate::test
