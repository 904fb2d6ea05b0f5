#include "mock-server/store/log_book.h"

#include <algorithm>
#include <limits>

#include "mock-server/state/state_db.h"

namespace tollgate::mock {

void LogBook::add(LogEntry e) {
  e.id = next_id_++;
  e.created_at = clock_.now_s();
  keep(e);
  if (db_) db_->save_log(e);
}

void LogBook::keep(const LogEntry& e) {
  logs_.push_back({e, intern(e.username), intern(e.token_name), intern(e.model_name), intern(e.content)});
  while (logs_.size() > max_logs_) logs_.pop_front();
}

std::uint32_t LogBook::intern(const std::string& text) {
  auto it = string_ids_.find(text);
  if (it != string_ids_.end()) return it->second;
  strings_.push_back(text);
  return string_ids_.emplace(text, static_cast<std::uint32_t>(strings_.size() - 1)).first->second;
}

LogEntry LogBook::expand(const StoredLog& log) const {
  LogEntry e;
  static_cast<LogFigures&>(e) = log.figures;
  e.username = strings_[log.username];
  e.token_name = strings_[log.token_name];
  e.model_name = strings_[log.model_name];
  e.content = strings_[log.content];
  const LogFigures& f = log.figures;
  if (f.type == LogType::kConsume)
    e.content += ": " + std::to_string(f.prompt_tokens) + " prompt + " + std::to_string(f.completion_tokens) +
                 " completion tokens, " + std::to_string(f.quota) + " quota";
  return e;
}

bool LogBook::matches(const StoredLog& e, std::int64_t account, const LogQuery& q) const {
  const LogFigures& f = e.figures;
  return f.account == account && (q.type == 0 || static_cast<int>(f.type) == q.type) &&
         (!q.token_name || strings_[e.token_name] == *q.token_name) &&
         (!q.model_name || strings_[e.model_name] == *q.model_name) &&
         (!q.username || strings_[e.username] == *q.username) && (!q.start_s || f.created_at >= *q.start_s) &&
         (!q.end_s || f.created_at <= *q.end_s);
}

LogPage LogBook::page(std::int64_t account, const LogQuery& q) const {
  LogPage page;
  // Pages past any possible log (page x page_size beyond 64 bits) are empty.
  const std::int64_t skip = q.page - 1 > std::numeric_limits<std::int64_t>::max() / std::max<std::int64_t>(q.page_size, 1)
                                ? std::numeric_limits<std::int64_t>::max() - q.page_size
                                : (q.page - 1) * q.page_size;
  for (auto it = logs_.rbegin(); it != logs_.rend(); ++it) {  // newest first
    if (!matches(*it, account, q)) continue;
    if (page.total >= skip && page.total < skip + q.page_size) page.items.push_back(expand(*it));
    ++page.total;
  }
  return page;
}

}  // namespace tollgate::mock
