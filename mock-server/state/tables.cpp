#include "mock-server/state/tables.h"

#include <functional>
#include <type_traits>
#include <vector>

namespace tollgate::mock {
namespace {

using nlohmann::json;

constexpr const char* kId = "INTEGER PRIMARY KEY";
constexpr const char* kInt = "INTEGER NOT NULL";
constexpr const char* kText = "TEXT";
constexpr const char* kTextNotNull = "TEXT NOT NULL";

// How a task's member is kept in its JSON document.
template <class T>
struct JsonCodec {
  static json to(const T& v) {
    if constexpr (std::is_enum_v<T>) return static_cast<int>(v);
    else return v;
  }
  static T from(const json& j) {
    if constexpr (std::is_enum_v<T>) return static_cast<T>(j.get<int>());
    else return j.get<T>();
  }
};

template <>
struct JsonCodec<std::vector<TaskAttempt>> {  // [[source, ok, error], ...]
  static json to(const std::vector<TaskAttempt>& v) {
    json out = json::array();
    for (const auto& a : v) out.push_back(json::array({a.source, a.ok, a.error}));
    return out;
  }
  static std::vector<TaskAttempt> from(const json& j) {
    std::vector<TaskAttempt> out;
    for (const auto& a : j) out.push_back({a[0], a[1], a[2]});
    return out;
  }
};

template <>
struct JsonCodec<std::vector<ImageRecipe>> {  // [[width, height, format, seed], ...]
  static json to(const std::vector<ImageRecipe>& v) {
    json out = json::array();
    for (const auto& i : v) out.push_back(json::array({i.width, i.height, static_cast<int>(i.format), i.seed}));
    return out;
  }
  static std::vector<ImageRecipe> from(const json& j) {
    std::vector<ImageRecipe> out;
    for (const auto& i : j)
      out.push_back({i[0], i[1], static_cast<ImageFormat>(i[2].get<int>()), i[3].get<std::uint64_t>()});
    return out;
  }
};

struct TaskField {
  const char* name;
  std::function<json(const Task&)> to;
  std::function<void(const json&, Task&)> from;
};

template <class M>
TaskField field(const char* name, M Task::*member) {
  return {name, [member](const Task& t) { return JsonCodec<M>::to(t.*member); },
          [member](const json& j, Task& t) { t.*member = JsonCodec<M>::from(j); }};
}

const std::vector<TaskField>& task_fields() {
  static const std::vector<TaskField> kFields = {
      field("id", &Task::id),
      field("family", &Task::family),
      field("model", &Task::model),
      field("prompt", &Task::prompt),
      field("key_id", &Task::key_id),
      field("account", &Task::account),
      field("key_name", &Task::key_name),
      field("created_ms", &Task::created_ms),
      field("start_ms", &Task::start_ms),
      field("finish_ms", &Task::finish_ms),
      field("state", &Task::state),
      field("quota", &Task::quota),
      field("fail_code", &Task::fail_code),
      field("fail_msg", &Task::fail_msg),
      field("attempts", &Task::attempts),
      field("source", &Task::source),
      field("images", &Task::images),
      field("expires_ms", &Task::expires_ms),
      field("base_url", &Task::base_url),
      field("callback_url", &Task::callback_url),
      field("callback", &Task::callback),
      field("extra", &Task::extra),
  };
  return kFields;
}

}  // namespace

json task_to_json(const Task& t) {
  json out = json::object();
  for (const auto& f : task_fields()) out[f.name] = f.to(t);
  return out;
}

Task task_from_json(const json& j) {
  Task t;
  for (const auto& f : task_fields()) f.from(j.at(f.name), t);
  return t;
}

const Table<Account>& accounts_table() {
  static const Table<Account> kTable{"accounts", "account",
                                     {column<Account>("id", kId, &Account::id),
                                      column<Account>("username", kTextNotNull, &Account::username),
                                      column<Account>("display_name", kText, &Account::display_name),
                                      column<Account>("email", kText, &Account::email),
                                      column<Account>("access_key", kTextNotNull, &Account::access_key),
                                      column<Account>("telegram_id", kText, &Account::telegram_id),
                                      column<Account>("role", "INTEGER", &Account::role),
                                      column<Account>("quota", kInt, &Account::quota),
                                      column<Account>("used_quota", kInt, &Account::used_quota),
                                      column<Account>("request_count", kInt, &Account::request_count),
                                      column<Account>("aimichat_daily_credits", kInt,
                                                      &Account::aimichat_daily_credits)}};
  return kTable;
}

const Table<ApiKey>& keys_table() {
  static const Table<ApiKey> kTable{"keys", "key",
                                    {column<ApiKey>("id", kId, &ApiKey::id),
                                     column<ApiKey>("account", kInt, &ApiKey::account),
                                     column<ApiKey>("key", "TEXT NOT NULL UNIQUE", &ApiKey::key),
                                     column<ApiKey>("name", kText, &ApiKey::name),
                                     column<ApiKey>("families", kTextNotNull, &ApiKey::families),
                                     column<ApiKey>("status", kInt, &ApiKey::status),
                                     column<ApiKey>("remain_quota", kInt, &ApiKey::remain_quota),
                                     column<ApiKey>("unlimited_quota", kInt, &ApiKey::unlimited_quota),
                                     column<ApiKey>("used_quota", kInt, &ApiKey::used_quota),
                                     column<ApiKey>("expired_time", kInt, &ApiKey::expired_time),
                                     column<ApiKey>("created_time", kInt, &ApiKey::created_time),
                                     column<ApiKey>("accessed_time", kInt, &ApiKey::accessed_time),
                                     column<ApiKey>("rate_limit_per_minute", kInt, &ApiKey::rate_limit_per_minute),
                                     column<ApiKey>("max_concurrent_tasks", kInt, &ApiKey::max_concurrent_tasks)}};
  return kTable;
}

const Table<LogEntry>& logs_table() {
  static const Table<LogEntry> kTable{"logs", "log",
                                      {column<LogEntry>("id", kId, &LogEntry::id),
                                       column<LogEntry>("account", kInt, &LogEntry::account),
                                       column<LogEntry>("created_at", kInt, &LogEntry::created_at),
                                       column<LogEntry>("type", kInt, &LogEntry::type),
                                       column<LogEntry>("content", kText, &LogEntry::content),
                                       column<LogEntry>("username", kText, &LogEntry::username),
                                       column<LogEntry>("token_name", kText, &LogEntry::token_name),
                                       column<LogEntry>("model_name", kText, &LogEntry::model_name),
                                       column<LogEntry>("quota", kInt, &LogEntry::quota),
                                       column<LogEntry>("prompt_tokens", kInt, &LogEntry::prompt_tokens),
                                       column<LogEntry>("completion_tokens", kInt, &LogEntry::completion_tokens)}};
  return kTable;
}

const Table<Task>& tasks_table() {
  static const Table<Task> kTable{
      "tasks",
      "task",
      {column<Task>("id", "TEXT PRIMARY KEY", &Task::id),
       {"data", kTextNotNull, true, [](const Task& t) { return SqlValue(task_to_json(t).dump()); },
        [](Task& t, const SqlValue& v) { t = task_from_json(json::parse(std::get<std::string>(v))); }}},
      true};
  return kTable;
}

const Table<SavedCredits>& credits_table() {
  static const Table<SavedCredits> kTable{"credits", "credits",
                                          {column<SavedCredits>("account", kId, &SavedCredits::account),
                                           column<SavedCredits>("day", kInt, &SavedCredits::day),
                                           column<SavedCredits>("used", kInt, &SavedCredits::used)}};
  return kTable;
}

}  // namespace tollgate::mock
