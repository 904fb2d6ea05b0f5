#pragma once
// Test cases generated from a contract, for `tollgate probe`: per
// operation its examples, values generated from its schemas (positive),
// requests that break exactly one rule (negative, each re-validated against
// the contract before it is kept), requests without credentials (auth),
// and per path a method it does not document. Pure: no network here.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/contract.h"

namespace tollgate::probe {

enum class CaseKind { kExample, kPositive, kNegative, kAuth, kMethod, kChain };
const char* kind_name(CaseKind k);

struct Case {
  CaseKind kind = CaseKind::kPositive;
  const contract::Operation* op = nullptr;  ///< the operation (kMethod: one on the same path)
  std::string name;  ///< "createTask negative: /prompt wrong type", unique in a probe
  std::string method;
  std::string path;  ///< the concrete path (parameters filled, percent-encoded), with no query
  std::vector<std::pair<std::string, std::string>> query;  ///< raw values (encoded when sent)
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;
  bool without_credentials = false;  ///< kAuth: the probe's credential headers are not sent
  /// The statuses that pass: 2xx and the documented non-validation 4xx for
  /// examples and positives, 4xx for negatives, 401/403 for auth, 405 for
  /// an undocumented method.
  std::vector<int> expect;
  bool contract = true;  ///< the answer must be documented by `op` and match it (not kMethod)
  bool asks_stream = false;
  /// Stateful sequences (chains.h): cases with the same `chain` above 0 are
  /// sent in order by one virtual user; a case may take `extract_pointer`
  /// of its answer as {{extract_var}}, and a later one use it in its path
  /// or query (`templated`).
  int chain = 0;
  std::string extract_var, extract_pointer;
  std::string extract_header;  ///< or the value comes from this header of the answer
  bool templated = false;
  /// A read of an asynchronous task: sent again until the answer's
  /// `poll_pointer` is one of `poll_values` (the task's final states).
  std::string poll_pointer;
  std::vector<std::string> poll_values;
  /// A read after an update: each pointer of the answer must equal what
  /// the update sent.
  std::vector<std::pair<std::string, nlohmann::json>> expect_equal;
};

struct CaseOptions {
  std::uint64_t seed = 0;     ///< the same contract and seed give the same cases
  int max_examples = 5;       ///< positive cases per operation (examples come on top)
  std::vector<std::string> operations;          ///< only these operationIds (empty: all)
  std::vector<std::string> exclude_operations;  ///< never these
  std::vector<std::string> tags;                ///< only operations with one of these tags
  bool destructive = true;    ///< false: no DELETE, PUT or PATCH operation
  /// Given to every body property that names where to call back (callback,
  /// webhook): by default loopback's discard port, so that no callback
  /// leaves the machine.
  std::string callback_url = "http://127.0.0.1:9/probe-callback";
  /// Every case is held in memory until it is sent: generation stops
  /// (with a note) past this many cases or bytes of paths and bodies.
  std::size_t max_cases = 100000;
  std::size_t max_bytes = std::size_t{256} << 20;
  std::vector<CaseKind> kinds = {CaseKind::kExample, CaseKind::kPositive, CaseKind::kNegative, CaseKind::kAuth,
                                 CaseKind::kMethod, CaseKind::kChain};
};

struct CaseSet {
  std::vector<Case> cases;
  std::vector<std::string> notes;  ///< what could not be generated, and why ("uploadFile: no JSON body")
};

CaseSet generate_cases(const contract::Contract& c, const CaseOptions& options);

/// Whether a property or parameter names another resource: "id", "task_id",
/// "taskId", "previousResponseId" (not "valid" or "uuid").
bool is_reference(const std::string& name);

}  // namespace tollgate::probe
