#include "mock-server/callbacks/callbacks.h"

#include <algorithm>

#include "common/text.h"
#include "net/client.h"
#include "net/loopback.h"

namespace tollgate::mock {

std::string parse_callback_url(std::string_view url, CallbackTarget& out) {
  if (url.starts_with("https://")) return "https callback URLs are not supported by the mock (use http)";
  if (!url.starts_with("http://")) return "the callback URL must start with http://";
  std::string_view rest = url.substr(7);
  const auto slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.target.front() != '/') out.target = "/" + out.target;
  if (auto hash = out.target.find('#'); hash != std::string::npos) out.target.resize(hash);
  if (authority.find('@') != std::string_view::npos) return "the callback URL must not hold credentials";
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return "unclosed [ in the callback URL's host";
    out.host = std::string(authority.substr(1, close - 1));
    authority = authority.substr(close + 1);
    if (!authority.empty()) {
      if (authority.front() != ':') return "junk after the callback URL's host";
      out.port = std::string(authority.substr(1));
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = ascii_lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) out.port = std::string(authority.substr(colon + 1));
  }
  if (out.host.empty()) return "the callback URL has no host";
  if (out.port.empty() || out.port.size() > 5 ||
      !std::all_of(out.port.begin(), out.port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(out.port) < 1 || std::stoi(out.port) > 65535)
    return "the callback URL's port is not a number from 1 to 65535";
  return "";
}

std::string callback_host_problem(std::string_view host, const std::vector<std::string>& allow) {
  if (net::is_loopback_host(host)) return "";
  for (const auto& a : allow) {
    if (a == "*" || a == host) return "";
    if (a.starts_with("*.") && host.ends_with(std::string_view(a).substr(1))) return "";
  }
  return "callback host " + std::string(host) +
         " is not allowed: the mock calls back loopback only unless --callback-allow names the host";
}

CallbackDispatcher::CallbackDispatcher(const Clock& clock, CallbackOptions options, Log log, Done done)
    : clock_(clock), options_(std::move(options)), log_(std::move(log)), done_(std::move(done)) {}

void CallbackDispatcher::enqueue(std::string task_id, std::string url, std::string body) {
  std::lock_guard lock(mutex_);
  Pending p;
  p.record.task_id = std::move(task_id);
  p.record.url = std::move(url);
  p.record.next_ms = clock_.now_ms();
  p.body = std::move(body);
  pending_.push_back(std::move(p));
}

std::string CallbackDispatcher::post(const CallbackTarget& target, const std::string& body, int& status) const {
  net::ClientRequest req;
  req.method = "POST";
  req.host = target.host;
  req.port = target.port;
  req.target = target.target;
  req.headers = {{"User-Agent", "tollgate-mock"}, {"Content-Type", "application/json"}};
  req.body = body;
  req.timeout = options_.timeout;
  // A loopback name must resolve to loopback only: no DNS games.
  req.loopback_only = net::is_loopback_host(target.host);
  const net::ClientResponse res = net::fetch(req);
  status = res.status;
  if (!res.error.empty()) return res.error;
  if (status < 200 || status > 299) return "HTTP " + std::to_string(status);
  return "";
}

std::size_t CallbackDispatcher::deliver_due() {
  std::size_t made = 0;
  for (;;) {
    Pending p;
    {
      std::lock_guard lock(mutex_);
      const std::int64_t now = clock_.now_ms();
      auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& x) { return x.record.next_ms <= now; });
      if (it == pending_.end()) return made;
      p = std::move(*it);
      pending_.erase(it);
    }
    ++made;
    CallbackRecord& r = p.record;
    ++r.attempts;
    r.last_status = 0;
    CallbackTarget target;
    std::string problem = parse_callback_url(r.url, target);
    if (problem.empty()) problem = callback_host_problem(target.host, options_.allow);
    bool refused = !problem.empty();
    if (!refused) problem = post(target, p.body, r.last_status);
    r.last_error = problem;
    r.delivered = problem.empty();
    const bool last = r.delivered || refused || r.attempts >= options_.max_attempts;
    r.gave_up = !r.delivered && last;
    std::string line = "callback " + r.task_id + " -> " + r.url + ": attempt " + std::to_string(r.attempts) + "/" +
                       std::to_string(options_.max_attempts) + " ";
    if (r.delivered) {
      line += "delivered (HTTP " + std::to_string(r.last_status) + ")";
    } else {
      line += "failed (" + problem + ")";
      if (!last) {
        const auto wait = options_.backoff.count() << (r.attempts - 1);
        r.next_ms = clock_.now_ms() + wait;
        line += ", retry in " + std::to_string(wait) + " ms";
      } else {
        line += refused ? ", refused" : ", giving up";
      }
    }
    log_(line);
    {
      std::lock_guard lock(mutex_);
      ++counters_.attempts;
      if (r.delivered) ++counters_.delivered;
      else ++counters_.failed_attempts;
      if (r.gave_up) ++counters_.gave_up;
      if (refused) ++counters_.refused;
      recent_.push_back(r);
      while (recent_.size() > 1000) recent_.pop_front();
      if (!last) pending_.push_back(std::move(p));
    }
    if (last && done_) done_(r.task_id, r.delivered);
  }
}

CallbackDispatcher::Counters CallbackDispatcher::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

std::vector<CallbackRecord> CallbackDispatcher::recent() const {
  std::lock_guard lock(mutex_);
  return {recent_.begin(), recent_.end()};
}

void CallbackDispatcher::clear() {
  std::lock_guard lock(mutex_);
  pending_.clear();
  recent_.clear();
  counters_ = {};
}

}  // namespace tollgate::mock
