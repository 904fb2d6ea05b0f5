// The live metrics aggregate as Prometheus users aggregate them: the
// latency histograms of two processes (two segments), their _bucket
// series summed by le, give histogram_quantile within one bucket of the
// exact quantile of the merged run.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <regex>
#include <sstream>

#include "reports/writers.h"

namespace tollgate::reports {
namespace {

// le -> cumulative count of one series in a /metrics text.
std::map<double, double> buckets(const std::string& text, const std::string& name) {
  std::map<double, double> out;
  const std::regex line(name + R"re(_bucket\{[^}]*le="([^"]+)"\} ([0-9.e+]+))re");
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (!std::regex_match(l, m, line)) continue;
    const double le = m[1] == "+Inf" ? INFINITY : std::stod(m[1]);
    out[le] += std::stod(m[2]);
  }
  return out;
}

// Prometheus' histogram_quantile: linear within the bucket the rank falls in.
double histogram_quantile(double q, const std::map<double, double>& b) {
  const double total = b.rbegin()->second, rank = q * total;
  double lower = 0, below = 0;
  for (const auto& [le, count] : b) {
    if (count >= rank) {
      if (std::isinf(le)) return lower;
      return lower + (le - lower) * (rank - below) / (count - below);
    }
    lower = le;
    below = count;
  }
  return lower;
}

// The bucket (index into the bounds, bounds().size() for +Inf) `seconds` is in.
std::size_t bucket_of(double seconds) {
  const auto& b = LiveMetrics::bounds();
  return static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), seconds) - b.begin());
}

TEST(LiveMetrics, TwoProcessesSummedByLeGiveTheMergedQuantileWithinABucket) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> fast(std::log(3000), 0.6), slow(std::log(40000), 0.9);  // µs
  metrics::Histogram merged;
  std::string texts;
  for (int process = 0; process < 2; ++process) {
    LiveMetrics live(std::vector<std::pair<std::string, std::string>>{{"chat", "create"}});
    for (int second = 0; second < 5; ++second) {  // five intervals, as a run hands them over
      metrics::Histogram h;
      for (int i = 0; i < 2000; ++i) {
        const auto v = static_cast<std::int64_t>(process == 0 ? fast(rng) : slow(rng));
        h.record_saturating(v);
        merged.record_saturating(v);
      }
      const std::vector<std::int64_t> requests = {2000};
      LiveMetrics::Interval iv;
      iv.latency = {&h};
      iv.requests = &requests;
      iv.elapsed_s = second + 1;
      live.add(iv);
    }
    texts += live.text();
  }
  const auto summed = buckets(texts, "tollgate_latency_seconds");
  ASSERT_EQ(summed.size(), LiveMetrics::bounds().size() + 1);
  EXPECT_EQ(summed.at(INFINITY), 20000);
  for (const double q : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = static_cast<double>(merged.value_at_percentile(q * 100)) / 1e6;
    const double estimate = histogram_quantile(q, summed);
    EXPECT_LE(std::abs(static_cast<long>(bucket_of(estimate)) - static_cast<long>(bucket_of(exact))), 1)
        << "q " << q << ": exact " << exact << " s, from the buckets " << estimate << " s";
  }
  // Counts are cumulative and end at the total.
  double last = 0;
  for (const auto& [le, count] : summed) {
    EXPECT_GE(count, last) << le;
    last = count;
  }
}

}  // namespace
}  // namespace tollgate::reports
