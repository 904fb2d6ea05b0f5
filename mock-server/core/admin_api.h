#pragma once
#include <string>

#include "net/http_types.h"

namespace tollgate::mock {

class MockApp;

/// The admin API under /_mock/: counters, callback deliveries, the fault
/// profile, reset, fixture loading and time travel. It answers loopback
/// clients, or anyone with `Authorization: Bearer <token>` (403 otherwise).
class AdminApi {
 public:
  /// `token` empty: loopback clients only.
  AdminApi(MockApp& app, std::string token) : app_(app), token_(std::move(token)) {}

  /// Answers one request whose path is /_mock or under /_mock/.
  net::HttpResponse handle(const net::HttpRequest& request);

 private:
  net::HttpResponse counters();
  net::HttpResponse callbacks();
  net::HttpResponse faults();
  net::HttpResponse put_faults(const net::HttpRequest& request);
  net::HttpResponse reset();
  net::HttpResponse put_fixture(const net::HttpRequest& request);
  net::HttpResponse move_clock(const net::HttpRequest& request);

  MockApp& app_;
  std::string token_;
};

}  // namespace tollgate::mock
