#include "harness/flow/workload.h"

#include <algorithm>
#include <cmath>

namespace tollgate::flow {

std::int64_t draw_length(const scenario::LengthDist& d, std::mt19937_64& rng) {
  using Kind = scenario::LengthDist::Kind;
  if (d.kind == Kind::kFixed || d.min == d.max) return d.min;
  if (d.kind == Kind::kUniform) return std::uniform_int_distribution<std::int64_t>(d.min, d.max)(rng);
  if (d.stddev <= 0)  // no spread: the mean, within the bounds
    return static_cast<std::int64_t>(std::clamp(std::round(d.mean), static_cast<double>(d.min), static_cast<double>(d.max)));
  auto once = [&]() -> double {
    if (d.kind == Kind::kNormal) return std::normal_distribution<double>(d.mean, d.stddev)(rng);
    // The lognormal whose own mean and standard deviation are d's.
    const double s2 = std::log(1 + (d.stddev * d.stddev) / (d.mean * d.mean));
    return std::lognormal_distribution<double>(std::log(d.mean) - s2 / 2, std::sqrt(s2))(rng);
  };
  double v = 0;
  for (int tries = 0; tries < 64; ++tries) {
    v = std::round(once());
    if (v >= static_cast<double>(d.min) && v <= static_cast<double>(d.max)) return static_cast<std::int64_t>(v);
  }
  return static_cast<std::int64_t>(std::clamp(v, static_cast<double>(d.min), static_cast<double>(d.max)));
}

std::string synthetic_prompt(std::int64_t tokens, std::mt19937_64& rng) {
  static const char* const kWords[] = {
      "alpha", "bravo", "cedar", "delta", "ember", "fjord", "grove", "harbor", "island", "juniper", "kettle",
      "lantern", "meadow", "nectar", "orbit", "pebble", "quartz", "river", "summit", "timber", "umber", "valley",
      "willow", "xenon", "yonder", "zephyr", "amber", "basalt", "canyon", "dune", "estuary", "falcon"};
  constexpr std::size_t kCount = sizeof kWords / sizeof kWords[0];
  std::string out;
  out.reserve(static_cast<std::size_t>(std::max<std::int64_t>(tokens, 0)) * 7);
  for (std::int64_t i = 0; i < tokens; ++i) {
    if (i) out += ' ';
    out += kWords[rng() % kCount];
  }
  return out;
}

nlohmann::json turn_messages(const scenario::Conversation& c, std::size_t turn, const std::vector<std::string>& answers) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : c.prefix) out.push_back(m);
  for (std::size_t k = 0; k < turn && k < c.turns.size(); ++k) {
    out.push_back(c.turns[k]);
    out.push_back({{"role", "assistant"}, {"content", k < answers.size() ? answers[k] : std::string()}});
  }
  if (turn < c.turns.size()) out.push_back(c.turns[turn]);
  return out;
}

}  // namespace tollgate::flow
