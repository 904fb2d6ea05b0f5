#include "mock-server/core/mock_app.h"

#include <algorithm>
#include <cstdio>

#include "common/source_error.h"
#include "net/loopback.h"
#include "mock-server/core/fixture.h"

namespace tollgate::mock {

using nlohmann::json;

const std::vector<Family>& families() {
  static const std::vector<Family> kFamilies = {
      {"aiapigiare", {"aiapigiare-system.yaml", "aiapigiare-media.yaml"}},
      {"aimichat", {"aimichat.yaml"}},
      {"aiproxy", {"aiproxy.yaml"}},
      {"apixo", {"apixo.yaml"}},
  };
  return kFamilies;
}

json merge_contracts(const std::vector<std::shared_ptr<const contract::Contract>>& contracts,
                     const std::string& title) {
  if (contracts.size() == 1) return contracts.front()->documents().root().value;
  json merged = contracts.front()->documents().root().value;
  merged["info"]["title"] = title;
  merged["paths"] = json::object();
  merged["components"] = json::object();
  merged.erase("security");
  merged["tags"] = json::array();
  std::string description;
  for (const auto& c : contracts) {
    const json& doc = c->documents().root().value;
    description += "## " + doc["info"].value("title", "") + "\n\n" + doc["info"].value("description", "") + "\n";
    for (const auto& tag : doc.value("tags", json::array())) merged["tags"].push_back(tag);
    for (auto path = doc["paths"].begin(); path != doc["paths"].end(); ++path) {
      if (merged["paths"].contains(path.key()))
        throw SourceError({c->documents().root().path, 0, 0}, "path '" + path.key() + "' is defined twice");
      json item = path.value();
      for (auto op = item.begin(); op != item.end(); ++op)
        if (op.value().is_object() && op.value().contains("responses") && !op.value().contains("security") &&
            doc.contains("security"))
          op.value()["security"] = doc["security"];
      merged["paths"][path.key()] = std::move(item);
    }
    const json components = doc.value("components", json::object());
    for (auto section = components.begin(); section != components.end(); ++section) {
      for (auto comp = section.value().begin(); comp != section.value().end(); ++comp) {
        json& slot = merged["components"][section.key()][comp.key()];
        if (!slot.is_null() && slot != comp.value())
          throw SourceError({c->documents().root().path, 0, 0},
                            "component " + section.key() + "/" + comp.key() + " is defined twice, differently");
        slot = comp.value();
      }
    }
  }
  merged["info"]["description"] = description;
  return merged;
}

namespace {

void log_to_stderr(const std::string& line) { std::fprintf(stderr, "tollgate-mock: %s\n", line.c_str()); }

net::HttpResponse admin_error(int status, const std::string& message) {
  return net::HttpResponse::json(status, {{"error", message}});
}

}  // namespace

net::HttpResponse MockApp::protocol_error(int status, const std::string& message) {
  return net::HttpResponse::json(status, {{"error", {{"message", message}, {"type", "invalid_request_error"}}}});
}

MockApp::MockApp(const MockOptions& options, const Clock& clock)
    : options_(options),
      clock_(clock),
      single_family_(options.family),
      dispatcher_(clock, options.callbacks, options.log ? options.log : log_to_stderr,
                  [this](const std::string& task_id, bool delivered) {
                    std::shared_lock lock(state_mutex_);
                    context_->store().set_callback_state(task_id,
                                                         delivered ? CallbackState::kDelivered : CallbackState::kGaveUp);
                  }) {
  if (!single_family_.empty()) {
    const bool known = std::any_of(families().begin(), families().end(),
                                   [&](const Family& f) { return f.name == single_family_; });
    if (!known) throw SourceError({}, "unknown family '" + single_family_ + "': expected aiapigiare, aimichat, aiproxy or apixo");
  }
  for (const auto& family : families()) {
    std::vector<std::shared_ptr<const contract::Contract>> contracts;
    for (const auto& file : family.files) contracts.push_back(contract::Contract::load(options.spec_dir / file));
    openapi_json_[family.name] = merge_contracts(contracts, family.name + " API").dump(2);
  }
  start_ = load_fixture(options.fixture.string());
  if (!options.state_file.empty()) {
    try {
      db_ = std::make_unique<StateDb>(options.state_file.string());
    } catch (const std::runtime_error& e) {
      throw SourceError({}, e.what());
    }
  }
  build(start_, db_ && !db_->fresh());
}

MockApp::~MockApp() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  for (auto& t : background_) t.join();
}

void MockApp::build(const Fixture& fixture, bool from_db) {
  context_.reset();
  context_ = std::make_unique<MockContext>(fixture, clock_, options_.latency, options_.max_logs, options_.max_tasks,
                                           db_.get(), from_db);
  context_->set_callback_allow(options_.callbacks.allow);
  services_.clear();
  services_["aiapigiare"] = make_aiapigiare(*context_, options_.spec_dir);
  services_["aimichat"] = make_aimichat(*context_, options_.spec_dir);
  services_["aiproxy"] = make_aiproxy(*context_, options_.spec_dir);
  services_["apixo"] = make_apixo(*context_, options_.spec_dir);
  cdn_ = std::make_unique<Cdn>(context_->store());
}

void MockApp::advance_tasks() {
  std::shared_lock lock(state_mutex_);
  for (const Task& t : context_->store().advance_tasks())
    if (!t.callback_url.empty()) dispatcher_.enqueue(t.id, t.callback_url, apixo_status_body(t).dump());
}

void MockApp::tick() {
  advance_tasks();
  dispatcher_.deliver_due();
}

void MockApp::start_background() {
  {
    // Callbacks due from before a restart go out first.
    std::shared_lock lock(state_mutex_);
    for (const Task& t : context_->store().due_callbacks())
      dispatcher_.enqueue(t.id, t.callback_url, apixo_status_body(t).dump());
  }
  auto every_20ms = [this](auto work) {
    return std::thread([this, work] {
      std::unique_lock lock(stop_mutex_);
      while (!stopping_) {
        lock.unlock();
        work();
        lock.lock();
        stop_cv_.wait_for(lock, std::chrono::milliseconds(20), [this] { return stopping_; });
      }
    });
  };
  background_.push_back(every_20ms([this] { advance_tasks(); }));
  background_.push_back(every_20ms([this] { dispatcher_.deliver_due(); }));
}

void MockApp::count(const std::string& family, int status) {
  for (std::size_t f = 0; f < families().size(); ++f)
    if (families()[f].name == family && status >= 0 && status < 600)
      requests_[f][static_cast<std::size_t>(status)].fetch_add(1, std::memory_order_relaxed);
}

net::HttpResponse MockApp::serve(FamilyService& service, const std::string& family, const net::HttpRequest& request,
                            std::string_view rest) {
  // Faults: the request's X-Tollgate-Fault header, else the profile.
  FaultAction action;
  if (const auto header = request.header("X-Tollgate-Fault"); !header.empty()) {
    if (auto error = parse_fault_header(header, action); !error.empty()) return admin_error(400, error);
  } else {
    std::string model;
    if (context_->faults().wants_model()) {
      const auto body = nlohmann::json::parse(request.body, nullptr, false);
      if (body.is_object() && body.contains("model") && body["model"].is_string()) model = body["model"];
      else if (const auto slash = rest.rfind('/'); slash != std::string_view::npos) model = rest.substr(slash + 1);
    }
    action = context_->faults().pick(family, rest, model);
  }
  net::HttpResponse response =
      action.status ? service.fault(action.status,
                                    "fault injected by the mock: status " + std::to_string(action.status), rest)
                    : service.handle(request, rest);
  action.apply(response);
  if (action.any()) faults_injected_.fetch_add(1, std::memory_order_relaxed);
  return response;
}

net::HttpResponse MockApp::handle(const net::HttpRequest& request) {
  const bool read = request.method == "GET" || request.method == "HEAD";
  auto document = [&](const std::string& family) {
    net::HttpResponse r;
    r.body = openapi_json_.at(family);
    return r;
  };
  auto not_allowed = [] {
    net::HttpResponse r = net::HttpResponse::json(405, {{"error", "method not allowed"}});
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  };
  if (request.path == "/healthz") {
    if (!read) return not_allowed();
    json body = {{"status", "ok"}, {"families", json::array()}};
    for (const auto& f : families()) body["families"].push_back(f.name);
    return net::HttpResponse::json(200, body);
  }
  if (request.path == "/_mock" || request.path.starts_with("/_mock/")) return admin(request);
  std::shared_lock lock(state_mutex_);
  std::string_view path = request.path;
  if (path.starts_with("/cdn/")) return cdn_->serve(request, path);
  if (!single_family_.empty()) {
    if (path == "/openapi.json") return read ? document(single_family_) : not_allowed();
    net::HttpResponse r = serve(*services_.at(single_family_), single_family_, request, path);
    count(single_family_, r.status);
    return r;
  }
  for (const auto& [name, service] : services_) {
    const std::string prefix = "/" + name;
    if (!path.starts_with(prefix) || (path.size() > prefix.size() && path[prefix.size()] != '/')) continue;
    const std::string_view rest = path.substr(prefix.size());
    if (rest == "/openapi.json") return read ? document(name) : not_allowed();
    net::HttpResponse r = serve(*service, name, request, rest.empty() ? "/" : rest);
    count(name, r.status);
    return r;
  }
  return net::HttpResponse::json(404, {{"error", "not found"},
                                  {"message", "no route for " + request.path +
                                                  "; the families are under /aiapigiare, /aimichat, /aiproxy and "
                                                  "/apixo, results under /cdn, the admin API under /_mock"}});
}

// The admin API: loopback clients, or anyone with the admin token.
net::HttpResponse MockApp::admin(const net::HttpRequest& request) {
  const bool token_ok = !options_.admin_token.empty() && bearer_token(request) == options_.admin_token;
  if (!token_ok && !net::is_loopback_host(request.remote_address))
    return admin_error(403, "the admin API answers loopback clients, or Authorization: Bearer <--admin-token>");
  const std::string route = request.method + " " + request.path;
  if (route == "GET /_mock/counters") {
    json requests = json::object();
    for (std::size_t f = 0; f < families().size(); ++f)
      for (std::size_t status = 0; status < 600; ++status)
        if (const auto n = requests_[f][status].load(std::memory_order_relaxed))
          requests[families()[f].name][std::to_string(status)] = n;
    const auto c = dispatcher_.counters();
    json body = {{"requests", requests},
                 {"faults_injected", faults_injected_.load()},
                 {"callbacks",
                  {{"attempts", c.attempts}, {"delivered", c.delivered}, {"failed_attempts", c.failed_attempts},
                   {"gave_up", c.gave_up}, {"refused", c.refused}}}};
    std::shared_lock lock(state_mutex_);
    body["tasks"] = context_->store().task_counts();
    body["clock_ms"] = clock_.now_ms();
    return net::HttpResponse::json(200, body);
  }
  if (route == "GET /_mock/callbacks") {
    json items = json::array();
    for (const auto& r : dispatcher_.recent())
      items.push_back({{"task_id", r.task_id}, {"url", r.url}, {"attempts", r.attempts}, {"status", r.last_status},
                       {"error", r.last_error}, {"delivered", r.delivered}, {"gave_up", r.gave_up}});
    return net::HttpResponse::json(200, {{"callbacks", items}});
  }
  if (route == "GET /_mock/faults") {
    std::shared_lock lock(state_mutex_);
    return net::HttpResponse::json(200, {{"faults", context_->faults().rules()}});
  }
  if (route == "PUT /_mock/faults") {
    const json body = json::parse(request.body, nullptr, false);
    const json rules = body.is_object() && body.contains("faults") ? body["faults"] : body;
    std::shared_lock lock(state_mutex_);
    try {
      context_->faults().load(rules, clock_.now_ms());
    } catch (const std::invalid_argument& e) {
      return admin_error(400, e.what());
    }
    return net::HttpResponse::json(200, {{"faults", context_->faults().rules()}});
  }
  if (route == "POST /_mock/reset") {
    std::unique_lock lock(state_mutex_);
    build(start_, false);
    dispatcher_.clear();
    for (auto& f : requests_)
      for (auto& n : f) n = 0;
    faults_injected_ = 0;
    return net::HttpResponse::json(200, {{"reset", true}});
  }
  if (route == "PUT /_mock/fixture") {
    Fixture fixture;
    try {
      fixture = parse_fixture(request.body, "PUT /_mock/fixture");
    } catch (const SourceError& e) {
      return admin_error(400, e.what());
    }
    std::unique_lock lock(state_mutex_);
    start_ = fixture;
    build(start_, false);
    dispatcher_.clear();
    return net::HttpResponse::json(200, {{"loaded", true}, {"accounts", fixture.accounts.size()}, {"keys", fixture.keys.size()},
                                    {"models", fixture.models.size()}});
  }
  if (route == "POST /_mock/clock") {
    const json body = json::parse(request.body, nullptr, false);
    if (!options_.advance_clock) return admin_error(409, "this mock's clock cannot be moved");
    if (!body.is_object() || !body.contains("advance_ms") || !body["advance_ms"].is_number_integer() ||
        body["advance_ms"].get<std::int64_t>() < 0)
      return admin_error(400, "expected {\"advance_ms\": N} with N >= 0");
    options_.advance_clock(std::chrono::milliseconds(body["advance_ms"].get<std::int64_t>()));
    advance_tasks();
    return net::HttpResponse::json(200, {{"clock_ms", clock_.now_ms()}});
  }
  return admin_error(404, "no admin route " + route +
                              "; there are GET /_mock/counters, GET /_mock/callbacks, GET|PUT /_mock/faults, "
                              "POST /_mock/reset, PUT /_mock/fixture, POST /_mock/clock");
}

}  // namespace tollgate::mock
