#include "base/percentiles.h"

#include <algorithm>
#include <cmath>

namespace preheat {

namespace {
Duration nearest_rank(const std::vector<Duration>& sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n));
  if (rank < 1) rank = 1;
  return sorted[rank - 1];
}
}  // namespace

Percentiles percentiles(std::vector<Duration> sample) {
  Percentiles out;
  out.count = sample.size();
  if (sample.empty()) return out;
  std::sort(sample.begin(), sample.end());
  out.p50 = nearest_rank(sample, 50);
  out.p99 = nearest_rank(sample, 99);
  out.max = sample.back();
  return out;
}

}  // namespace preheat
