#pragma once
// The checks of one step, compiled once: status, headers, body assertions
// by JSON Pointer, response time, the contract, the stream, and the flow
// checks (extract, poll, callback). Each has a stable index and a name that
// results report; verdict.h says what an answer means for them.
#include <chrono>
#include <cstddef>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/contract.h"
#include "harness/check/response.h"
#include "harness/check/stream.h"
#include "harness/scenario/scenario.h"

namespace tollgate::check {

/// Check verdicts of one answer: the indices that passed, and those that
/// failed with their messages.
struct CheckResults {
  std::vector<std::size_t> passed;
  std::vector<std::pair<std::size_t, std::string>> failed;
  /// The request's credentials: a message that quotes the answer masks
  /// them before it cuts (a cut secret could not be found any more).
  const std::vector<std::string>* secrets = nullptr;
  void pass(std::size_t index) { passed.push_back(index); }
  void fail(std::size_t index, std::string message) { failed.emplace_back(index, std::move(message)); }
  void clear() {
    passed.clear();
    failed.clear();
  }
  /// Target bytes for a message: common/printable.h, secrets masked.
  std::string quote(std::string_view bytes, std::size_t max) const;
};

class StepChecks {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  /// Throws std::regex_error on a bad pattern (the loader has checked them).
  StepChecks(const scenario::Step& step, const contract::Contract* contract);

  const scenario::Step& step() const { return step_; }
  const std::vector<std::string>& names() const { return names_; }
  std::size_t status_index() const { return status_; }
  std::size_t extract_index() const { return extract_; }
  std::size_t poll_index() const { return poll_; }
  std::size_t callback_index() const { return callback_; }
  const contract::Contract* contract() const { return contract_; }

  /// Whether `status` means the target does not implement the step: a 501
  /// that neither the step nor the operation expects.
  bool unsupported(int status) const;

  /// Judges the answer checks (everything but extract, poll and callback):
  /// a verdict for each check that applies to this answer. `stream` is the
  /// analysis of an event-stream answer, nullptr for any other.
  void evaluate(const Response& response, const StreamReport* stream, CheckResults& out) const;

  /// Bytes of an answer's body the step reads: all of it (npos) when a
  /// body or contract check, an extract or a poll reads it, else enough
  /// for a failure message to quote (kExcerpt).
  static constexpr std::size_t kExcerpt = 1024;
  std::size_t body_kept() const {
    return needs_body_ || extract_ != npos || poll_ != npos || step_.collects_answer ? npos : kExcerpt;
  }
  /// The same for an event stream: its events are judged as they arrive
  /// (StreamReader), so only an extract or a poll reads its bytes.
  std::size_t stream_body_kept() const { return extract_ != npos || poll_ != npos ? npos : kExcerpt; }

  /// What this step's event streams are judged by (`complete` aside: how
  /// the stream ended is told when it is judged).
  const StreamExpectations& stream_expectations() const { return stream_expect_; }

 private:
  void evaluate_headers(const Response& r, CheckResults& out) const;
  void evaluate_body(const Response& r, bool streamed, const nlohmann::json* doc, CheckResults& out) const;
  void evaluate_contract(const Response& r, const nlohmann::json* doc, CheckResults& out) const;
  void evaluate_stream(const Response& r, const StreamReport* stream, CheckResults& out) const;

  const scenario::Step& step_;
  const contract::Contract* contract_;
  const contract::MediaType* sse_media_ = nullptr;
  StreamExpectations stream_expect_;
  std::vector<std::string> names_;
  std::vector<std::optional<std::regex>> header_re_, body_re_;
  bool needs_body_ = false;  ///< a body or contract check parses the body
  std::size_t status_ = 0, headers_ = 0, body_ = 0, time_ = npos, contract_check_ = npos, stream_ = npos,
              extract_ = npos, poll_ = npos, callback_ = npos;
};

}  // namespace tollgate::check
