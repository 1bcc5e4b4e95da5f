#include "serve/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/markup_escape.h"

namespace preheat::serve {
namespace {

constexpr double kWidth = 720;
constexpr double kLeft = 56;    // room for y labels
constexpr double kRight = 12;
constexpr double kTop = 28;     // room for the title
constexpr double kBottom = 34;  // room for x labels
constexpr const char* kBlue = "#3b7dd8";

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string label_num(double v) {
  char buf[32];
  if (std::fabs(v) >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.3gM", v / 1e6);
  } else if (std::fabs(v) >= 1e4) {
    std::snprintf(buf, sizeof buf, "%.3gk", v / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%g", std::round(v * 1000) / 1000);
  }
  return buf;
}

void open_svg(std::string& out, double height, const std::string& title) {
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 " + num(kWidth) + " " + num(height) +
         "\" role=\"img\" aria-label=\"";
  append_markup_escaped(out, title);
  out += "\" style=\"max-width:100%;height:auto;font:12px system-ui,sans-serif\"><text x=\"" + num(kLeft) +
         "\" y=\"16\" font-weight=\"bold\">";
  append_markup_escaped(out, title);
  out += "</text>";
}

void text(std::string& out, double x, double y, const std::string& s, const char* anchor = "middle") {
  out += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\" fill=\"#444\">";
  append_markup_escaped(out, s);
  out += "</text>";
}

void line(std::string& out, double x1, double y1, double x2, double y2, const char* color) {
  out += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) +
         "\" stroke=\"" + color + "\"/>";
}

// Horizontal grid lines and y labels for [0, y_max] over the plot area.
void y_axis(std::string& out, double y_max, double plot_top, double plot_h) {
  const double step = tick_step(y_max, 4);
  for (double v = 0; v <= y_max + step * 1e-9; v += step) {
    const double y = plot_top + plot_h - v / y_max * plot_h;
    line(out, kLeft, y, kWidth - kRight, y, "#e4e4e4");
    text(out, kLeft - 6, y + 4, label_num(v), "end");
  }
}

void x_axis(std::string& out, double x_max, double plot_bottom, const std::string& unit) {
  const double plot_w = kWidth - kLeft - kRight;
  line(out, kLeft, plot_bottom, kWidth - kRight, plot_bottom, "#888");
  const double step = tick_step(x_max, 8);
  for (double v = 0; v <= x_max + step * 1e-9; v += step) {
    const double x = kLeft + v / x_max * plot_w;
    line(out, x, plot_bottom, x, plot_bottom + 4, "#888");
    text(out, x, plot_bottom + 16, label_num(v) + (v == 0 ? "" : " " + unit));
  }
}

}  // namespace

double tick_step(double max, int wanted) {
  if (!(max > 0) || wanted < 1) return 1;
  const double raw = max / wanted;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= raw) return m * p;
  }
  return 10 * p;
}

std::string bar_chart(const std::string& title, const std::vector<Bar>& bars) {
  const double height = 220;
  const double plot_top = kTop + 8, plot_h = height - plot_top - kBottom;
  const double plot_w = kWidth - kLeft - kRight;
  double y_max = 0;
  for (const Bar& b : bars) y_max = std::max(y_max, b.value);
  y_max = y_max > 0 ? std::ceil(y_max / tick_step(y_max, 4)) * tick_step(y_max, 4) : 1;
  std::string out;
  open_svg(out, height, title);
  y_axis(out, y_max, plot_top, plot_h);
  const double slot = bars.empty() ? plot_w : plot_w / static_cast<double>(bars.size());
  const double bar_w = std::max(1.0, std::min(60.0, slot * 0.7));
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    // A non-zero value stays visible however small next to the others.
    const double h = b.value > 0 ? std::max(1.5, b.value / y_max * plot_h) : 0.0;
    const double x = kLeft + slot * static_cast<double>(i) + (slot - bar_w) / 2;
    out += "<rect x=\"" + num(x) + "\" y=\"" + num(plot_top + plot_h - h) + "\" width=\"" + num(bar_w) +
           "\" height=\"" + num(h) + "\" fill=\"" + (b.color.empty() ? std::string(kBlue) : markup_escape(b.color)) +
           "\"><title>";
    append_markup_escaped(out, b.label + ": " + label_num(b.value));
    out += "</title></rect>";
    // Labels only where they fit (at most ~25 of them).
    const std::size_t every = std::max<std::size_t>(1, (bars.size() + 24) / 25);
    if (i % every == 0) {
      text(out, x + bar_w / 2, plot_top + plot_h + 16, b.label);
      if (bar_w >= 18) text(out, x + bar_w / 2, plot_top + plot_h - h - 4, label_num(b.value));
    }
  }
  line(out, kLeft, plot_top + plot_h, kWidth - kRight, plot_top + plot_h, "#888");
  out += "</svg>";
  return out;
}

std::string area_chart(const std::string& title, const std::vector<double>& y, double x_step,
                       const std::string& x_unit, const std::string& y_label) {
  const double height = 220;
  const double plot_top = kTop + 8, plot_h = height - plot_top - kBottom;
  const double plot_w = kWidth - kLeft - kRight;
  double y_max = 0;
  for (double v : y) y_max = std::max(y_max, v);
  y_max = y_max > 0 ? std::ceil(y_max / tick_step(y_max, 4)) * tick_step(y_max, 4) : 1;
  const double x_max = std::max(x_step * static_cast<double>(y.size()), 1e-9);
  std::string out;
  open_svg(out, height, title);
  y_axis(out, y_max, plot_top, plot_h);
  text(out, kWidth - kRight, kTop - 10, y_label, "end");
  // A step line: each value holds over its bucket.
  std::string points = num(kLeft) + "," + num(plot_top + plot_h);
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double py = plot_top + plot_h - std::max(0.0, y[i]) / y_max * plot_h;
    points += " " + num(kLeft + static_cast<double>(i) * x_step / x_max * plot_w) + "," + num(py);
    points += " " + num(kLeft + static_cast<double>(i + 1) * x_step / x_max * plot_w) + "," + num(py);
  }
  points += " " + num(kLeft + plot_w) + "," + num(plot_top + plot_h);
  out += "<polygon points=\"" + points + "\" fill=\"#3b7dd855\" stroke=\"" + kBlue + "\"/>";
  x_axis(out, x_max, plot_top + plot_h, x_unit);
  out += "</svg>";
  return out;
}

std::string fetch_chart(const std::string& title, const std::vector<FetchBox>& boxes, std::size_t rows,
                        double x_max, const std::string& x_unit) {
  rows = std::max<std::size_t>(rows, 1);
  const double row_h = std::clamp(360.0 / static_cast<double>(rows), 1.0, 14.0);
  const double plot_top = kTop + 8, plot_h = row_h * static_cast<double>(rows);
  const double height = plot_top + plot_h + kBottom;
  const double plot_w = kWidth - kLeft - kRight;
  x_max = std::max(x_max, 1e-9);
  std::string out;
  open_svg(out, height, title);
  text(out, kLeft - 6, plot_top + 10, "slot 1", "end");
  if (rows > 1) text(out, kLeft - 6, plot_top + plot_h, "slot " + std::to_string(rows), "end");
  for (const FetchBox& b : boxes) {
    const double x = kLeft + b.start / x_max * plot_w;
    const double w = std::max(0.5, (b.end - b.start) / x_max * plot_w);
    out += "<rect x=\"" + num(x) + "\" y=\"" + num(plot_top + row_h * static_cast<double>(b.row)) + "\" width=\"" +
           num(w) + "\" height=\"" + num(std::max(0.8, row_h - (row_h > 3 ? 1 : 0))) + "\" fill=\"" +
           (b.color.empty() ? std::string(kBlue) : markup_escape(b.color)) + "\"><title>";
    append_markup_escaped(out, b.tooltip);
    out += "</title></rect>";
  }
  x_axis(out, x_max, plot_top + plot_h, x_unit);
  out += "</svg>";
  return out;
}

}  // namespace preheat::serve
