// Small inline SVG charts for the HTML pages (/stats, /timeline): no script,
// no external file, sized by a viewBox so they scale with the page. Labels
// are hostile (error class names, URLs): every one is markup-escaped.
//
//   bar_chart   one bar per labelled value (status classes, depths)
//   area_chart  y over x, filled (pages per second, requests in flight)
//   fetch_chart one box per fetch on the row it was packed into
//               (timeline_view.h): a Gantt chart of a crawl's requests
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

namespace preheat::serve {

struct Bar {
  std::string label;
  double value = 0;
  std::string color;  // CSS colour; empty: the default blue
};

std::string bar_chart(const std::string& title, const std::vector<Bar>& bars);

// `y[i]` covers x from i * x_step to (i + 1) * x_step; `x_unit` labels the
// x axis ("s"), `y_label` the y axis.
std::string area_chart(const std::string& title, const std::vector<double>& y, double x_step,
                       const std::string& x_unit, const std::string& y_label);

struct FetchBox {
  double start = 0;  // x units from the run's start
  double end = 0;
  std::size_t row = 0;
  std::string color;
  std::string tooltip;
};

// `rows` rows (at least 1), x from 0 to `x_max` in `x_unit`.
std::string fetch_chart(const std::string& title, const std::vector<FetchBox>& boxes, std::size_t rows,
                        double x_max, const std::string& x_unit);

// Round tick steps (1, 2, 5 x 10^k) giving about `wanted` ticks over [0, max].
double tick_step(double max, int wanted);

}  // namespace preheat::serve
