#include "net/loopback.h"

#include <string>

#include <boost/asio/ip/address.hpp>

namespace tollgate::net {

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host.starts_with("::ffff:127.")) return true;
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(std::string(host), ec);
  return !ec && a.is_loopback();
}

}  // namespace tollgate::net
