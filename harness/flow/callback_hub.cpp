#include "harness/flow/callback_hub.h"

#include <boost/asio/post.hpp>

#include "net/http_server.h"
#include "net/listen_address.h"

namespace tollgate::flow {

namespace asio = boost::asio;
using nlohmann::json;

// Callbacks kept for claimers that have not asked yet, at most.
constexpr std::size_t kMaxKept = 100'000;

struct CallbackHub::Waiter {
  explicit Waiter(asio::any_io_executor ex) : timer(ex) {}
  asio::steady_timer timer;
  std::optional<Arrival> got;
};

std::string callback_key(const std::string& pointer, const json& value) {
  return pointer + '\n' + (value.is_string() ? value.get<std::string>() : value.dump());
}

CallbackHub::CallbackHub(const std::string& listen, const std::string& public_url, std::set<std::string> pointers)
    : listen_(listen), url_(public_url), pointers_(std::move(pointers)) {}

CallbackHub::~CallbackHub() { stop(); }

void CallbackHub::start() {
  net::ServerOptions o;
  const std::string error = net::parse_listen_address(listen_, o.host, o.port);
  if (!error.empty()) throw std::runtime_error("callback listen address '" + listen_ + "': " + error);
  o.threads = 1;
  o.body_limit = 4 * 1024 * 1024;
  server_ = std::make_unique<net::HttpServer>(o, [this](const net::HttpRequest& req) {
    if (req.method != "POST" && req.method != "PUT")
      return net::HttpResponse::json(405, {{"error", "callbacks are POSTed"}});
    Arrival a;
    a.at = std::chrono::steady_clock::now();
    a.raw = req.body;
    a.content_type = std::string(req.header("content-type"));
    a.body = json::parse(req.body, nullptr, false);
    deliver(std::move(a));
    return net::HttpResponse::json(200, {{"received", true}});
  });
  const auto port = server_->start();
  if (url_.empty()) {
    const bool v6 = o.host.find(':') != std::string::npos;
    std::string host = o.host == "0.0.0.0" ? "127.0.0.1" : o.host;
    url_ = "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/callback";
  }
}

void CallbackHub::stop() {
  if (!server_) return;
  server_->stop();
  server_->wait();
  server_.reset();
}

void CallbackHub::deliver(Arrival a) {
  std::lock_guard lock(mu_);
  ++received_;
  if (a.body.is_discarded()) {
    ++dropped_;
    return;
  }
  for (const auto& p : pointers_) {
    const json::json_pointer ptr(p);
    if (!a.body.contains(ptr)) continue;
    const json& v = a.body.at(ptr);
    if (!v.is_string() && !v.is_number()) continue;
    const std::string key = callback_key(p, v);
    if (auto it = waiting_.find(key); it != waiting_.end()) {
      auto w = it->second;
      waiting_.erase(it);
      w->got = std::move(a);
      asio::post(w->timer.get_executor(), [w] { w->timer.cancel(); });
      return;
    }
    arrived_[key].push_back(std::move(a));
    arrival_order_.push_back(key);
    while (arrival_order_.size() > kMaxKept) {
      auto old = arrived_.find(arrival_order_.front());
      if (old != arrived_.end() && !old->second.empty()) {
        old->second.pop_front();
        if (old->second.empty()) arrived_.erase(old);
        ++dropped_;
      }
      arrival_order_.pop_front();
    }
    return;
  }
  ++dropped_;
}

net::Awaitable<std::optional<Arrival>> CallbackHub::wait(asio::any_io_executor executor, const std::string& pointer,
                                                         const std::string& value, std::chrono::nanoseconds timeout) {
  const std::string key = callback_key(pointer, json(value));
  auto w = std::make_shared<Waiter>(executor);
  {
    std::lock_guard lock(mu_);
    if (auto it = arrived_.find(key); it != arrived_.end() && !it->second.empty()) {
      Arrival a = std::move(it->second.front());
      it->second.pop_front();
      if (it->second.empty()) arrived_.erase(it);
      co_return a;
    }
    waiting_[key] = w;
  }
  w->timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout));
  boost::system::error_code ec;
  co_await w->timer.async_wait(net::use_ec(ec));
  std::lock_guard lock(mu_);
  if (auto it = waiting_.find(key); it != waiting_.end() && it->second == w) waiting_.erase(it);
  co_return std::move(w->got);
}

void CallbackHub::cancel_waits(const asio::any_io_executor& executor) {
  std::lock_guard lock(mu_);
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second->timer.get_executor() == executor) {
      auto w = it->second;
      asio::post(executor, [w] { w->timer.cancel(); });
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
}

std::int64_t CallbackHub::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

std::int64_t CallbackHub::unmatched() const {
  std::lock_guard lock(mu_);
  std::int64_t n = dropped_;
  for (const auto& [k, q] : arrived_) n += static_cast<std::int64_t>(q.size());
  return n;
}

}  // namespace tollgate::flow
