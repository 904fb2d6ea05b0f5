#pragma once
// The options the commands that run load share (run, hit), and how they
// apply to a plan.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "harness/scenario/scenario.h"

namespace tollgate::cli {

/// Options every command that runs load shares (run, hit).
struct RunFlags {
  std::vector<std::string> env;         ///< --env NAME=VALUE
  unsigned threads = 0;                 ///< --threads (0: one per core)
  std::string out_dir;                  ///< --out DIR: summary.json goes there
  std::string requests_file;            ///< --requests FILE.jsonl: one line per request
  bool quiet = false;                   ///< --quiet: no progress line
  std::vector<std::string> thresholds;  ///< --threshold EXPR (added to the file's)
  bool allow_unsupported = false;       ///< --allow-unsupported: 501 steps do not fail the run
  std::vector<std::string> only;        ///< --scenario NAME: run only these
  std::string callback_listen;          ///< --callback-listen HOST:PORT
  std::string callback_url;             ///< --callback-url URL given to targets
  std::string command_line;
  std::string metrics_listen;  ///< serve live metrics for Prometheus here (HOST:PORT)
  std::string segment;         ///< --segment I/N (or TOLLGATE_SEGMENT): run segment I of N
  std::string start_at;        ///< --start-at TIME: start the run's clock at this instant
};

/// `tollgate hit URL`'s own options.
struct HitFlags {
  std::string url;
  std::string method = "GET";
  std::string rate;      ///< "200/s": open model; empty: closed model with `vus`
  int vus = 10;
  std::string duration = "10s";
  std::vector<std::string> headers;  ///< "Name: value"
  std::string data;                  ///< request body
  int connections = 0;
  bool insecure = false;
  std::string timeout;          ///< a whole request at most ("2s"); empty: the scenario default
  std::string connect_timeout;  ///< connecting at most; empty: the scenario default
  std::uint64_t max_body = 0;   ///< bytes of an answer's body at most; 0: the scenario default
  std::uint64_t max_event = 0;  ///< bytes of an event-stream event at most; 0: the scenario default
};

/// -H 'Name: value' flags as pairs; throws SourceError for one without a name.
std::vector<std::pair<std::string, std::string>> parse_headers(const std::vector<std::string>& raw);

/// Adds --threshold expressions to a plan; throws SourceError for a bad one.
void add_thresholds(scenario::Plan& plan, const std::vector<std::string>& extra);

}  // namespace tollgate::cli
