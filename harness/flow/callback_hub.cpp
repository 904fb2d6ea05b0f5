#include "harness/flow/callback_hub.h"

#include "net/http_server.h"
#include "net/listen_address.h"

namespace tollgate::flow {

using nlohmann::json;

// Callbacks kept for claimers that have not asked yet, at most.
constexpr std::size_t kMaxKept = 100'000;

std::string callback_key(const std::string& pointer, const json& value) {
  return pointer + '\n' + (value.is_string() ? value.get<std::string>() : value.dump());
}

CallbackHub::CallbackHub(const std::string& listen, const std::string& public_url, std::set<std::string> pointers,
                         const Clock& clock)
    : listen_(listen), url_(public_url), pointers_(std::move(pointers)), clock_(clock) {}

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
    a.at = clock_.now();
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
  Notify notify;
  {
    std::lock_guard lock(mu_);
    ++received_;
    const std::string key = key_of(a);
    if (key.empty()) {
      ++dropped_;
      return;
    }
    if (auto it = waiting_.find(key); it != waiting_.end()) {  // the longest waiting gets it
      notify = std::move(it->second.front().notify);
      tickets_.erase(it->second.front().ticket);
      it->second.pop_front();
      if (it->second.empty()) waiting_.erase(it);
    } else {
      keep(key, std::move(a));
      return;
    }
  }
  notify(std::move(a));
}

std::string CallbackHub::key_of(const Arrival& a) const {
  if (a.body.is_discarded()) return "";
  for (const auto& p : pointers_) {
    const json::json_pointer ptr(p);
    if (!a.body.contains(ptr)) continue;
    const json& v = a.body.at(ptr);
    if (v.is_string() || v.is_number()) return callback_key(p, v);
  }
  return "";
}

void CallbackHub::keep(const std::string& key, Arrival a) {
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
}

std::uint64_t CallbackHub::watch(const std::string& pointer, const std::string& value, Notify notify) {
  const std::string key = callback_key(pointer, json(value));
  std::unique_lock lock(mu_);
  const std::uint64_t ticket = next_ticket_++;
  if (auto it = arrived_.find(key); it != arrived_.end() && !it->second.empty()) {
    Arrival a = std::move(it->second.front());
    it->second.pop_front();
    if (it->second.empty()) arrived_.erase(it);
    lock.unlock();
    notify(std::move(a));
    return ticket;
  }
  waiting_[key].push_back({ticket, std::move(notify)});
  tickets_[ticket] = key;
  return ticket;
}

bool CallbackHub::unwatch(std::uint64_t ticket) {
  std::lock_guard lock(mu_);
  auto t = tickets_.find(ticket);
  if (t == tickets_.end()) return false;
  auto& queue = waiting_[t->second];
  std::erase_if(queue, [&](const Watcher& w) { return w.ticket == ticket; });
  if (queue.empty()) waiting_.erase(t->second);
  tickets_.erase(t);
  return true;
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
