#include "harness/check/coverage.h"

namespace tollgate::check {

namespace {

bool status_matches(const std::string& documented, int status) {
  if (documented.size() == 3 && documented[1] == 'X') return documented[0] == static_cast<char>('0' + status / 100);
  return documented == std::to_string(status);
}

}  // namespace

std::vector<ContractCoverage> coverage(const scenario::Plan& plan, const Seen& seen) {
  std::vector<ContractCoverage> out;
  std::set<std::string> done;
  for (const auto& s : plan.scenarios) {
    if (!s.contract || done.count(s.spec_file)) continue;
    done.insert(s.spec_file);
    ContractCoverage c;
    c.spec_file = s.spec_file;
    c.title = s.contract->title();
    const auto file_it = seen.find(s.spec_file);
    for (const auto& op : s.contract->operations()) {
      OperationCoverage oc{op.id, op.method, op.path, {}, false};
      const std::set<int>* statuses = nullptr;
      if (file_it != seen.end())
        if (auto it = file_it->second.find(op.id); it != file_it->second.end()) statuses = &it->second;
      oc.exercised = statuses && !statuses->empty();
      for (const auto& r : op.responses) {
        if (r.status == "default") continue;
        bool hit = false;
        if (statuses)
          for (int st : *statuses) hit = hit || status_matches(r.status, st);
        oc.statuses.emplace_back(r.status, hit);
        ++c.statuses_total;
        if (hit) ++c.statuses_hit;
      }
      if (oc.exercised) ++c.operations_hit;
      c.operations.push_back(std::move(oc));
    }
    out.push_back(std::move(c));
  }
  return out;
}

Seen seen_in_run(const scenario::Plan& plan, const metrics::RunResult& run) {
  Seen seen;
  for (std::size_t si = 0; si < run.scenarios.size() && si < plan.scenarios.size(); ++si) {
    const auto& spec = plan.scenarios[si];
    for (std::size_t k = 0; k < run.scenarios[si].steps.size() && k < spec.steps.size(); ++k) {
      const auto* op = spec.steps[k].op;
      if (!op) continue;
      auto& set = seen[spec.spec_file][op->id];
      const auto& m = run.scenarios[si].steps[k].metrics;
      for (std::size_t c = 0; c < m.status.size(); ++c)
        if (m.status[c] && !(c == 501 && m.unsupported)) set.insert(static_cast<int>(c));
    }
  }
  return seen;
}

Seen seen_in_plan(const scenario::Plan& plan, const contract::Contract* against, const std::string& as_file) {
  Seen seen;
  for (const auto& s : plan.scenarios)
    for (const auto& st : s.steps) {
      const contract::Operation* op = st.op;
      if (against) {
        const auto m = against->match(st.method, st.path.substr(0, st.path.find('?')));
        op = m.kind == contract::Match::Kind::kFound ? m.operation : nullptr;
      }
      if (!op) continue;
      auto& set = seen[against ? as_file : s.spec_file][op->id];
      if (!st.expect.status.empty()) {
        set.insert(st.expect.status.begin(), st.expect.status.end());
      } else {
        for (const auto& r : op->responses)
          if (r.status.size() == 3 && r.status[0] == '2' && r.status[1] != 'X') set.insert(std::stoi(r.status));
      }
    }
  return seen;
}

}  // namespace tollgate::check
