#include "harness/probe/expectations.h"

#include <cstdlib>

namespace tollgate::probe {
namespace {

/// 401 and 403 say the credentials were refused, whatever the input: with
/// the probe's credentials given they pass no case but an auth case (a
/// wrong key must not make every case look accepted, or refused).
bool about_credentials(int status) { return status == 401 || status == 403; }

}  // namespace

std::set<int> documented(const contract::Operation& op) {
  std::set<int> out;
  for (const auto& r : op.responses) {
    if (r.status.size() == 3 && r.status[1] == 'X') {
      for (int s = (r.status[0] - '0') * 100; s < (r.status[0] - '0') * 100 + 100; ++s) out.insert(s);
    } else if (r.status != "default") {
      out.insert(std::atoi(r.status.c_str()));
    }
  }
  return out;
}

std::vector<int> success() {
  std::vector<int> out;
  for (int s = 200; s < 300; ++s) out.push_back(s);
  return out;
}

std::vector<int> accepted(const contract::Operation& op) {
  std::vector<int> out = success();
  for (int s : documented(op))
    if (s >= 400 && s < 500 && s != 400 && s != 422 && !about_credentials(s)) out.push_back(s);
  return out;
}

std::vector<int> refused() {
  std::vector<int> out;
  for (int s = 400; s < 500; ++s)
    if (!about_credentials(s)) out.push_back(s);
  return out;
}

}  // namespace tollgate::probe
