#include "tests/support/raw_server.h"

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>

namespace tollgate::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

RawServer::RawServer(Script script)
    : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), script_(std::move(script)) {
  port_ = acceptor_.local_endpoint().port();
  thread_ = std::thread([this] {
    while (!stopping_) {
      boost::system::error_code ec;
      tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) break;
      ++accepted_;
      try {
        script_(socket);
      } catch (const std::exception&) {
        // the client went away: fine
      }
    }
  });
}

RawServer::~RawServer() {
  stopping_ = true;
  boost::system::error_code ec;
  // Wake the blocking accept with a connection of our own.
  tcp::socket poke(ioc_);
  poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  thread_.join();
}

std::string RawServer::read_head(tcp::socket& socket) {
  asio::streambuf buf;
  asio::read_until(socket, buf, "\r\n\r\n");
  return {asio::buffers_begin(buf.data()), asio::buffers_end(buf.data())};
}

RawServer::Script RawServer::silent() {
  return [](tcp::socket& s) {
    read_head(s);
    char c;
    boost::system::error_code ec;
    s.read_some(asio::buffer(&c, 1), ec);
  };
}

}  // namespace tollgate::test
