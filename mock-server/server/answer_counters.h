#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tollgate::mock {

/// Answers per family and status, and faults injected: lock-free, as every
/// request counts.
class AnswerCounters {
 public:
  static constexpr std::size_t kFamilies = 4;

  /// Counts an answer of the family at `family` (its index) with `status`.
  void count(std::size_t family, int status) {
    if (family < kFamilies && status >= 0 && status < kStatuses)
      answers_[family][static_cast<std::size_t>(status)].fetch_add(1, std::memory_order_relaxed);
  }
  void count_fault() { faults_.fetch_add(1, std::memory_order_relaxed); }

  /// {"<family>": {"<status>": n}} for every count that is not 0, families
  /// named by `names` (in index order).
  nlohmann::json answers(const std::vector<std::string>& names) const {
    nlohmann::json out = nlohmann::json::object();
    for (std::size_t f = 0; f < kFamilies && f < names.size(); ++f)
      for (std::size_t status = 0; status < kStatuses; ++status)
        if (const auto n = answers_[f][status].load(std::memory_order_relaxed))
          out[names[f]][std::to_string(status)] = n;
    return out;
  }
  std::int64_t faults() const { return faults_.load(); }

  void clear() {
    for (auto& f : answers_)
      for (auto& n : f) n = 0;
    faults_ = 0;
  }

 private:
  static constexpr int kStatuses = 600;
  std::array<std::array<std::atomic<std::int64_t>, kStatuses>, kFamilies> answers_{};
  std::atomic<std::int64_t> faults_{0};
};

}  // namespace tollgate::mock
