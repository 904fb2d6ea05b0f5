#pragma once
// What an answer means for its step, decided in one place: a pure function
// from the answer (plain data), the step's compiled checks and what the
// flow saw (the poll's outcome, the callback that came or did not) to the
// checks passed and failed with their messages, the one error kind the
// exchange counts as, and the variables it hands to the next steps. The
// engine calls judge() and tally() and judges nothing itself.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/check/checks.h"
#include "harness/check/response.h"
#include "harness/check/stream.h"
#include "harness/metrics/step_metrics.h"

namespace tollgate::check {

/// What a polled step's loop found before its last answer was judged.
struct PollOutcome {
  bool met = false;       ///< the polled value reached one of the wanted ones
  bool timed_out = false;
  std::string last;       ///< the value last seen ("" when the pointer was missing)
  bool stopped = false;   ///< the run ended between two attempts: the answered ones are counted, none is judged
};

/// What came of a step's callback wait.
struct CallbackOutcome {
  std::string missing;  ///< the {{variable}} the correlation value needs but has no value; "" when none
  std::string value;    ///< the correlation value waited for
  bool arrived = false;
  std::string content_type;           ///< of the callback, when it arrived
  const nlohmann::json* body = nullptr;  ///< discarded JSON when it was not JSON
  std::chrono::nanoseconds after_sent{0};  ///< when it arrived, from the request's send
};

struct Verdict {
  CheckResults checks;  ///< messages have the request's secrets masked
  /// The one kind the exchange counts as (kNone: it is not an error).
  metrics::ErrorKind error = metrics::ErrorKind::kNone;
  /// What the transport said of a connect, tls, timeout, reset or protocol
  /// error ("connect to 127.0.0.1:9: Connection refused"), masked.
  std::string error_message;
  /// A 501 neither the step nor its operation expects: the target does not
  /// support the step; its checks did not run and it is not an error.
  bool unsupported = false;
  std::string unsupported_message;
  /// An event-stream answer, parsed, checked and timed; `measured` when its
  /// timings count (a successful status).
  std::optional<StreamReport> stream;
  bool stream_measured = false;
  std::map<std::string, nlohmann::json> extracted;  ///< variables for the next steps
  /// A conversation's turn (Step::collects_answer): the text it answered.
  std::optional<std::string> answer;
  bool go_on = true;  ///< the iteration may go on to its next step
  /// A callback: arrived (with its time from the send), or missed.
  std::optional<std::chrono::nanoseconds> callback_time;
  bool callback_missed = false;

  void clear();
};

/// Everything an answer means for its step. `poll` is the loop's outcome
/// for a polled step (nullptr otherwise); `secrets` are masked in messages.
void judge(const StepChecks& checks, const Response& response, const PollOutcome* poll,
           const std::vector<std::string>& secrets, Verdict& out);

/// What the callback wait of a step means: its check passes when the
/// callback came and its body matches the operation's callback contract.
void judge_callback(const StepChecks& checks, const CallbackOutcome& callback, const std::vector<std::string>& secrets,
                    Verdict& out);

/// Adds a verdict to the step's figures: each check's count and failure
/// samples, the error kind, unsupported, stream and callback figures.
void tally(const Verdict& verdict, metrics::StepMetrics& metrics);

}  // namespace tollgate::check
