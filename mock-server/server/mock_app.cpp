#include "mock-server/server/mock_app.h"

#include <algorithm>
#include <cstdio>

#include "common/source_error.h"
#include "mock-server/model/fixture.h"

namespace tollgate::mock {

using nlohmann::json;

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
                  }),
      admin_(*this, options.admin_token) {
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

void MockApp::build(const Fixture& given, bool from_db) {
  Fixture fixture = given;
  if (options_.capacity.concurrency > 0)
    for (auto& m : fixture.models)
      if (m.capacity.concurrency == 0 && (m.type == "chat" || m.type == "completion" || m.type == "embedding"))
        m.capacity = options_.capacity;
  context_.reset();
  context_ = std::make_unique<MockContext>(fixture, clock_, options_.latency, options_.max_logs, options_.max_tasks,
                                           db_.get(), from_db);
  context_->set_callback_allow(options_.callbacks.allow);
  context_->set_strict_params(options_.strict_params || fixture.strict_params);
  services_.clear();
  services_.push_back(make_aiapigiare(*context_, options_.spec_dir));
  services_.push_back(make_aimichat(*context_, options_.spec_dir));
  services_.push_back(make_aiproxy(*context_, options_.spec_dir));
  services_.push_back(make_apixo(*context_, options_.spec_dir));
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

std::string MockApp::pick_fault(const std::string& family, const net::HttpRequest& request, std::string_view rest,
                                FaultAction& action) {
  if (const auto header = request.header("X-Tollgate-Fault"); !header.empty())
    return parse_fault_header(header, action);
  std::string model;
  if (context_->faults().wants_model()) {
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_object() && body.contains("model") && body["model"].is_string()) model = body["model"];
    else if (const auto slash = rest.rfind('/'); slash != std::string_view::npos) model = rest.substr(slash + 1);
  }
  action = context_->faults().pick(family, rest, model);
  return "";
}

net::HttpResponse MockApp::serve(std::size_t family, const net::HttpRequest& request, std::string_view rest) {
  FamilyService& service = *services_.at(family);
  FaultAction action;
  if (auto error = pick_fault(families()[family].name, request, rest, action); !error.empty()) {
    answers_.count(family, 400);
    return net::HttpResponse::json(400, {{"error", error}});
  }
  net::HttpResponse response =
      action.status
          ? service.fault(action.status, "fault injected by the mock: status " + std::to_string(action.status), rest)
          : service.handle(request, rest);
  action.apply(response);
  if (action.any()) answers_.count_fault();
  answers_.count(family, response.status);
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
    return net::HttpResponse::json(200, {{"status", "ok"}, {"families", family_names()}});
  }
  if (request.path == "/_mock" || request.path.starts_with("/_mock/")) return admin_.handle(request);
  std::shared_lock lock(state_mutex_);
  std::string_view path = request.path;
  if (path.starts_with("/cdn/")) return cdn_->serve(request, path);
  for (std::size_t f = 0; f < families().size(); ++f) {
    const std::string& name = families()[f].name;
    std::string_view rest = path;
    if (single_family_.empty()) {
      const std::string prefix = "/" + name;
      if (!path.starts_with(prefix) || (path.size() > prefix.size() && path[prefix.size()] != '/')) continue;
      rest = path.substr(prefix.size());
    } else if (name != single_family_) {
      continue;
    }
    if (rest == "/openapi.json") return read ? document(name) : not_allowed();
    return serve(f, request, rest.empty() ? "/" : rest);
  }
  return net::HttpResponse::json(404, {{"error", "not found"},
                                       {"message", "no route for " + request.path +
                                                       "; the families are under /aiapigiare, /aimichat, /aiproxy "
                                                       "and /apixo, results under /cdn, the admin API under /_mock"}});
}

nlohmann::json MockApp::task_counts() {
  std::shared_lock lock(state_mutex_);
  return context_->store().task_counts();
}

nlohmann::json MockApp::capacity_load() {
  std::shared_lock lock(state_mutex_);
  return context_->capacity_load();
}

nlohmann::json MockApp::fault_rules() {
  std::shared_lock lock(state_mutex_);
  return context_->faults().rules();
}

nlohmann::json MockApp::set_fault_rules(const nlohmann::json& rules) {
  std::shared_lock lock(state_mutex_);
  context_->faults().load(rules, clock_.now_ms());
  return context_->faults().rules();
}

void MockApp::reset() {
  std::unique_lock lock(state_mutex_);
  build(start_, false);
  dispatcher_.clear();
  answers_.clear();
}

void MockApp::load(const Fixture& fixture) {
  std::unique_lock lock(state_mutex_);
  start_ = fixture;
  build(start_, false);
  dispatcher_.clear();
}

void MockApp::advance_clock(std::chrono::milliseconds by) {
  if (!options_.advance_clock) return;
  options_.advance_clock(by);
  advance_tasks();
}

}  // namespace tollgate::mock
