// Stand-ins for the two network symbols the mock library links, whose real
// definitions (net/client.cpp, net/loopback.cpp) include Boost.Asio, which
// this clang build leaves out. The fuzzers never reach the network: no
// socket is opened, a callback delivery fails at once.
#include <arpa/inet.h>

#include <cstring>
#include <string>

#include "net/client.h"
#include "net/loopback.h"

namespace tollgate::net {

// Never connects: every callback attempt is an error (the dispatcher
// counts it and retries on its backoff, as for an unreachable receiver).
ClientResponse fetch(const ClientRequest&) {
  ClientResponse out;
  out.error = "fuzz build: no network (net::fetch is a stub)";
  return out;
}

// The same answer as net/loopback.cpp, with inet_pton instead of Asio's
// make_address (which calls it): the admin API admits loopback peers and
// callbacks to loopback are allowed, as in the product.
bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host.starts_with("::ffff:127.")) return true;
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0;
  return false;
}

}  // namespace tollgate::net
