// What /timeline draws, computed from a run's fetches (store::RunTimeline):
// pure arithmetic, kept apart from the markup so that it can be tested.
//
//  - in_flight: the average number of requests in flight per time bucket,
//    exactly the integral of the overlap of the fetches with the bucket
//    divided by its length (times the sampling stride when the run was
//    sampled: then it is an estimate);
//  - boxes: one per fetch, on a row ("slot") found by greedy interval
//    packing in start order, lowest free row first. That packing uses as
//    few rows as the most fetches ever in flight at once, so the picture's
//    height IS the crawl's concurrency, like the article's diagrams.
//
// A fetch started at end_ms - elapsed_s (the queue wait excluded) and ended
// at end_ms; times are seconds from the first fetch's start.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <vector>

#include "serve/svg_chart.h"
#include "store/crawl_store.h"

namespace preheat::serve {

struct TimelineView {
  double duration_s = 0;          // first start to last end
  double bucket_s = 0;
  std::vector<double> in_flight;  // per bucket
  double peak_in_flight = 0;      // most fetches in flight at once (rows used), times the stride
  std::vector<FetchBox> boxes;
  std::size_t rows = 0;
};

TimelineView make_timeline_view(const store::RunTimeline& timeline, std::size_t buckets);

// Row per interval (start[i], end[i]), greedy in start order; returns the
// rows and sets `rows_used`. An interval may start on the row of one that
// ends exactly when it starts.
std::vector<std::size_t> pack_rows(const std::vector<double>& start, const std::vector<double>& end,
                                   std::size_t& rows_used);

// The colour of a fetch's outcome (2xx blue, 3xx violet, 4xx orange, 5xx or
// no response red).
const char* status_color(int status, bool error);

}  // namespace preheat::serve
