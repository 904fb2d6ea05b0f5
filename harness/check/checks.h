#pragma once
// The checks of one step, compiled once: status, headers, body assertions
// by JSON Pointer, response time, the contract, the stream, and the flow
// checks the engine settles (extract, poll, callback). Each has a stable
// index and a name that results report.
#include <chrono>
#include <cstddef>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/contract.h"
#include "harness/check/stream.h"
#include "harness/scenario/scenario.h"

namespace tollgate::check {

/// A response as the checks see it (header names in lower case).
struct Response {
  int status = 0;
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  const std::string* body = nullptr;
  std::chrono::nanoseconds time{0};      ///< request sent -> response complete
  const StreamReport* stream = nullptr;  ///< when the answer was an event stream
};


class StepChecks {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  StepChecks(const scenario::Step& step, const contract::Contract* contract);

  const std::vector<std::string>& names() const { return names_; }
  std::size_t extract_index() const { return extract_; }
  std::size_t poll_index() const { return poll_; }
  std::size_t callback_index() const { return callback_; }
  std::size_t stream_index() const { return stream_; }

  /// Whether `status` means the target does not implement the step: a 501
  /// that neither the step nor the operation expects.
  bool unsupported(int status) const;

  /// Evaluates the response checks (everything but extract, poll and
  /// callback): one entry per check index, nullopt where it passed or does
  /// not apply to this response, else the failure message. `failed[i]`
  /// tells which of the returned entries failed.
  struct Outcome {
    std::vector<std::pair<std::size_t, std::string>> failures;
    std::vector<std::size_t> passed;
  };
  Outcome evaluate(const Response& response) const;

  /// The stream expectations for this step's responses.
  StreamExpectations stream_expectations(bool complete) const;

 private:
  const scenario::Step& step_;
  const contract::Contract* contract_;
  const contract::MediaType* sse_media_ = nullptr;
  std::vector<std::string> names_;
  std::vector<std::optional<std::regex>> header_re_, body_re_;
  std::size_t status_ = 0, headers_ = 0, body_ = 0, time_ = npos, contract_check_ = npos, stream_ = npos,
              extract_ = npos, poll_ = npos, callback_ = npos;
};

}  // namespace tollgate::check
