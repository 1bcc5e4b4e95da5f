// Order statistics over a sample of durations (nearest-rank method).
#pragma once

#include <vector>

#include "base/clock.h"

namespace preheat {

struct Percentiles {
  Duration p50{};
  Duration p99{};
  Duration max{};
  std::size_t count = 0;
};

// Nearest-rank percentiles: p-th percentile is the smallest value with at
// least p% of the sample at or below it. An empty sample gives all zeros.
Percentiles percentiles(std::vector<Duration> sample);

}  // namespace preheat
