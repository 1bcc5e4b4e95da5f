#include "serve/timeline_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <numeric>
#include <queue>
#include <utility>

namespace preheat::serve {

std::vector<std::size_t> pack_rows(const std::vector<double>& start, const std::vector<double>& end,
                                   std::size_t& rows_used) {
  std::vector<std::size_t> order(start.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return start[a] < start[b]; });
  using Busy = std::pair<double, std::size_t>;  // (end, row)
  std::priority_queue<Busy, std::vector<Busy>, std::greater<>> busy;
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> free_rows;
  std::vector<std::size_t> row(start.size(), 0);
  rows_used = 0;
  for (std::size_t i : order) {
    while (!busy.empty() && busy.top().first <= start[i]) {
      free_rows.push(busy.top().second);
      busy.pop();
    }
    if (free_rows.empty()) {
      row[i] = rows_used++;
    } else {
      row[i] = free_rows.top();
      free_rows.pop();
    }
    busy.emplace(std::max(end[i], start[i]), row[i]);
  }
  return row;
}

const char* status_color(int status, bool error) {
  if (error || status == 0 || status >= 500) return "#c62828";
  if (status >= 400) return "#e08a1e";
  if (status >= 300) return "#8a63d2";
  return "#3b7dd8";
}

TimelineView make_timeline_view(const store::RunTimeline& timeline, std::size_t buckets) {
  TimelineView v;
  const auto& spans = timeline.spans;
  if (spans.empty()) return v;
  // Whole microseconds, so that a fetch that starts as another ends touches
  // it instead of overlapping it by a rounding error.
  std::vector<std::int64_t> start_us(spans.size()), end_us(spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    end_us[i] = spans[i].end_ms * 1000;
    start_us[i] = end_us[i] - std::llround(std::max(0.0, spans[i].elapsed_s) * 1e6);
  }
  const std::int64_t origin_us = *std::min_element(start_us.begin(), start_us.end());
  const std::int64_t last_us = *std::max_element(end_us.begin(), end_us.end());
  std::vector<double> start(spans.size()), end(spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    start[i] = static_cast<double>(start_us[i] - origin_us) / 1e6;
    end[i] = static_cast<double>(end_us[i] - origin_us) / 1e6;
  }
  v.duration_s = std::max(static_cast<double>(last_us - origin_us) / 1e6, 0.001);
  buckets = std::max<std::size_t>(buckets, 1);
  v.bucket_s = v.duration_s / static_cast<double>(buckets);
  v.in_flight.assign(buckets, 0.0);
  const double stride = static_cast<double>(std::max<std::int64_t>(timeline.stride, 1));
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const std::size_t first = std::min(buckets - 1, static_cast<std::size_t>(start[i] / v.bucket_s));
    for (std::size_t b = first; b < buckets; ++b) {
      const double lo = static_cast<double>(b) * v.bucket_s, hi = lo + v.bucket_s;
      if (lo >= end[i]) break;
      const double overlap = std::min(hi, end[i]) - std::max(lo, start[i]);
      if (overlap > 0) v.in_flight[b] += overlap / v.bucket_s * stride;
    }
  }
  const std::vector<std::size_t> rows = pack_rows(start, end, v.rows);
  v.peak_in_flight = static_cast<double>(v.rows) * stride;
  v.boxes.reserve(spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const store::FetchSpan& s = spans[i];
    char timing[96];
    std::snprintf(timing, sizeof timing, " (%.1f ms, from %.3f s)", s.elapsed_s * 1000.0, start[i]);
    std::string tip = s.url + " " + (s.status != 0 ? std::to_string(s.status) : std::string("no response"));
    if (!s.error_class.empty()) tip += " " + s.error_class;
    v.boxes.push_back(FetchBox{start[i], end[i], rows[i], status_color(s.status, !s.error_class.empty() && s.status < 400),
                               tip + timing});
  }
  return v;
}

}  // namespace preheat::serve
