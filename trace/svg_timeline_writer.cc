#include "trace/svg_timeline_writer.h"

#include "base/markup_escape.h"
#include "base/utf8.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <string_view>
#include <vector>

namespace preheat::trace {

namespace {

constexpr double kMinPx = 0.5;            // narrower boxes are merged (see header)
constexpr double kJoinPx = 2;             // narrower boxes join a merged box they touch
constexpr std::size_t kMaxWaitRows = 12;  // then one shared overflow row
constexpr double kCharPx = 7.0;           // average advance of a 12 px character
constexpr double kLabelMinPx = 30;        // narrower boxes get no text
constexpr double kTop = 100, kLanePitch = 36, kLaneH = 28, kWaitPitch = 28, kWaitH = 22;

struct Colour {
  const char *fill, *tint;
  bool dark_text;  // labels on the solid colour are dark, not white
};
// Tableau 10, and a neutral grey last (spans without a task, the legend).
constexpr Colour kPalette[] = {
    {"#4e79a7", "#dce4ed", false}, {"#f28e2b", "#fce8d5", true}, {"#e15759", "#f9ddde", false},
    {"#59a14f", "#deecdc", false}, {"#76b7b2", "#e4f1f0", true}, {"#edc948", "#fbf4da", true},
    {"#b07aa1", "#efe4ec", false}, {"#ff9da7", "#ffebed", true}, {"#9c755f", "#ebe3df", false},
    {"#8cd17d", "#e8f6e5", true},  {"#8c959f", "#e8eaec", false}};
constexpr std::size_t kTaskColours = 10;
std::size_t colour_of(TaskId t) { return t == kNoTask ? kTaskColours : t % kTaskColours; }


// s as UTF-8 that XML 1.0 accepts: invalid bytes and forbidden characters
// (C0 controls, U+FFFE, U+FFFF) become U+FFFD; tabs and line breaks a space.
std::string clean_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = utf8_length(s, i);
    const bool nonchar = n == 3 && c == 0xEF && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
                         static_cast<unsigned char>(s[i + 2]) >= 0xBE;
    if (c == '\t' || c == '\n' || c == '\r') {
      out += ' ';
    } else if (n == 0 || c < 0x20 || nonchar) {
      out += kReplacementChar;
    } else {
      out.append(s.substr(i, n));
    }
    i += std::max<std::size_t>(n, 1);
  }
  return out;
}

std::size_t char_count(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// At most max_chars characters of clean text, ending in "…" when cut.
std::string ellipsize(std::string_view s, std::size_t max_chars) {
  if (char_count(s) <= max_chars) return std::string(s);
  if (max_chars == 0) return {};
  std::size_t i = 0;
  for (std::size_t seen = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == max_chars - 1) break;
  }
  return std::string(s.substr(0, i)) + "\u2026";
}

// Appends clean text, XML-escaped for text and attributes alike.
void put_xml(std::string& out, std::string_view clean) { append_markup_escaped(out, clean); }
std::string xml(std::string_view raw) {
  std::string out;
  put_xml(out, clean_text(raw));
  return out;
}

std::string trim_zeros(std::string s) {
  if (s.find('.') != std::string::npos && s.find('e') == std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;  // -0.0 prints as "-0"
}

// A human number: 45, 12.3, 1.23, 0.556 (about three significant digits).
std::string num(double v) {
  const double a = std::fabs(v);
  if (a > 0 && a < 1) return trim_zeros(fmt::format("{:.3g}", v));
  return trim_zeros(fmt::format("{:.{}f}", v, a >= 100 || a == 0 ? 0 : a >= 10 ? 1 : 2));
}
// A pixel coordinate.
std::string px(double v) { return trim_zeros(fmt::format("{:.1f}", v)); }

// Orders span indices by start, then end.
auto by_start(const TraceData& d) {
  return [&d](std::size_t a, std::size_t b) {
    return std::tie(d.spans[a].start_ns, d.spans[a].end_ns, a) < std::tie(d.spans[b].start_ns, d.spans[b].end_ns, b);
  };
}

struct Unit {
  std::string name;
  double ns;
};

// The run's unit; real-time units switch to the largest of ns, µs, ms, s
// that the run spans at least twice. Virtual units are kept.
Unit display_unit(const TimeUnit& u, double range_ns) {
  static const Unit kLadder[] = {{"ns", 1}, {"µs", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  Unit unit{u.name, std::isfinite(u.ns_per_unit) && u.ns_per_unit > 0 ? u.ns_per_unit : 1e6};
  const bool real = u.name == "us" ? u.ns_per_unit == 1e3 : std::any_of(
      std::begin(kLadder), std::end(kLadder), [&](const Unit& l) { return l.name == u.name && l.ns == u.ns_per_unit; });
  if (!real) return unit;
  for (const Unit& l : kLadder) {
    if (range_ns >= 2 * l.ns) unit = l;
  }
  return unit;
}

struct Frame {  // maps nanoseconds to x
  std::int64_t t0, t1;
  double x0, x1;
  double x(std::int64_t ns) const {
    return x0 + (static_cast<double>(ns) - static_cast<double>(t0)) / static_cast<double>(t1 - t0) * (x1 - x0);
  }
};

// Draws rows of boxes into `body`.
class Painter {
 public:
  Painter(const TraceData& d, const Frame& f, const Unit& u) : d_(d), f_(f), u_(u), unit_xml_(xml(u.name)) {}

  void row(std::vector<std::size_t>& ids, double y, double h, bool wait_row) {
    std::sort(ids.begin(), ids.end(), by_start(d_));
    Merged m;
    double cursor = -std::numeric_limits<double>::infinity();  // right end of what is drawn
    for (std::size_t i : ids) {
      const Span& s = d_.spans[i];
      const double b = std::max(f_.x(s.start_ns), f_.x(s.end_ns));
      if (b <= cursor) continue;                              // hidden under what is drawn
      const double a = std::max(f_.x(s.start_ns), cursor);  // boxes never overlap
      if (m.count > 0 && a <= m.b + kMinPx && b - a < kJoinPx) {
        m.b = std::max(m.b, b), m.t1 = std::max(m.t1, s.end_ns), ++m.count;
      } else if (b - a < kMinPx) {
        cursor = flush(m, y, h, wait_row, cursor);
        m = Merged{std::max(a, cursor), b, s.start_ns, s.end_ns, 1};
      } else {
        cursor = flush(m, y, h, wait_row, cursor);
        if (b > cursor) box(s, std::max(a, cursor), b, y, h);
        cursor = std::max(cursor, b);
      }
    }
    flush(m, y, h, wait_row, cursor);
  }

  std::string body;
  bool merged = false;  // some boxes stand for several spans

 private:
  struct Merged {
    double a = 0, b = 0;
    std::int64_t t0 = 0, t1 = 0;
    std::size_t count = 0;
  };

  std::string when(std::int64_t start, std::int64_t end) const {
    const auto t = [&](std::int64_t ns) { return num(static_cast<double>(ns) / u_.ns) + " " + unit_xml_; };
    return t(start) + " \u2192 " + t(end) + " (" + t(end - start) + ")";
  }

  void open_rect(const std::string& cls, double a, double b, double y, double h) {
    body += "<rect class=\"" + cls + "\" x=\"" + px(a) + "\" y=\"" + px(y) + "\" width=\"" + px(b - a) +
            "\" height=\"" + px(h) + (b - a < 4 ? "\"><title>" : "\" rx=\"3\"><title>");
  }

  // Draws the pending merged box, at least 1 px wide; returns the new cursor.
  double flush(Merged& m, double y, double h, bool wait_row, double cursor) {
    if (m.count == 0) return cursor;
    merged = true;
    const double b = std::max(m.b, m.a + 1.0);
    open_rect(wait_row ? "mw" : "m", m.a, b, y, h);
    body += std::to_string(m.count) + (m.count == 1 ? " short span: " : " short spans merged: ");
    body += when(m.t0, m.t1) + "</title></rect>\n";
    m.count = 0;
    return std::max(cursor, b);
  }

  void box(const Span& s, double a, double b, double y, double h) {
    const std::size_t c = colour_of(s.task);
    const char* kind = s.kind == EventKind::kWork ? "w" : s.kind == EventKind::kBlocked ? "b" : "a";
    const std::string& raw = d_.task_name(s.task);
    const std::string name = clean_text(!raw.empty()        ? std::string_view(raw)
                                        : s.task == kNoTask ? to_string(s.kind)
                                                            : "task " + std::to_string(s.task));
    open_rect(std::string(kind) + " c" + std::to_string(c) + (b - a < 4 ? " n" : ""), a, b, y, h);
    put_xml(body, name);
    body += "\n" + std::string(to_string(s.kind)) + " \u00b7 " + when(s.start_ns, s.end_ns) + "</title></rect>\n";
    const auto chars = static_cast<std::size_t>(std::max(0.0, (b - a - 8) / kCharPx));
    if (b - a >= kLabelMinPx && chars >= 2) {
      // A nested <svg> clips the text to its box, should the estimate be short.
      const char* text = s.kind != EventKind::kWork ? "th" : kPalette[c].dark_text ? "td" : "tl";
      body += "<svg x=\"" + px(a) + "\" y=\"" + px(y) + "\" width=\"" + px(b - a) + "\" height=\"" + px(h) +
              "\"><text class=\"sl " + text + "\" x=\"5\" y=\"" + px(h / 2 + 4) + "\">";
      put_xml(body, ellipsize(name, chars));
      body += "</text></svg>\n";
    }
  }

  const TraceData& d_;
  const Frame& f_;
  const Unit& u_;
  const std::string unit_xml_;
};

// Where spans go: one row per lane, wait rows by greedy first-fit (each
// wait on the first row free at its start; past kMaxWaitRows rows the rest
// share one overflow row), and the time range drawn.
struct Layout {
  std::map<LaneId, std::vector<std::size_t>> lanes;  // declared lanes always get a row
  std::vector<std::vector<std::size_t>> waits;
  bool overflow = false;
  std::int64_t t0 = 0, t1 = 1;
};

Layout plan(const TraceData& d) {
  Layout l;
  for (std::size_t i = 0; i < d.lanes.size(); ++i) l.lanes[static_cast<LaneId>(i)];
  std::vector<std::size_t> waits;
  l.t1 = std::max<std::int64_t>(d.summary.wall_ns, 0);
  for (std::size_t i = 0; i < d.spans.size(); ++i) {
    const Span& s = d.spans[i];
    if (s.kind == EventKind::kTask) continue;
    l.t0 = std::min(l.t0, s.start_ns), l.t1 = std::max(l.t1, s.end_ns);
    (occupies_worker(s.kind) && s.lane != kNoLane ? l.lanes[s.lane] : waits).push_back(i);
  }
  if (l.t1 <= l.t0) l.t1 = l.t0 + 1;
  std::sort(waits.begin(), waits.end(), by_start(d));
  std::vector<std::int64_t> ends;  // of the last wait on each regular row
  for (std::size_t i : waits) {
    const Span& s = d.spans[i];
    std::size_t r = 0;
    while (r < ends.size() && ends[r] > s.start_ns) ++r;
    l.overflow |= r == kMaxWaitRows;
    if (r >= l.waits.size()) l.waits.emplace_back();
    l.waits[r].push_back(i);
    if (r == ends.size() && r < kMaxWaitRows) ends.push_back(0);
    if (r < kMaxWaitRows) ends[r] = std::max(s.end_ns, s.start_ns);
  }
  return l;
}

const char* kStyle = R"(<style>
text{font-family:"DejaVu Sans",Verdana,"Segoe UI",Helvetica,Arial,sans-serif}
.ttl{font-size:18px;font-weight:bold;fill:#1f2328}.sum{font-size:13px;fill:#57606a}
.lg{font-size:12px;fill:#3d444d}.note{font-size:12px;font-style:italic;fill:#9a6700;text-anchor:end}
.ln{font-size:12px;fill:#1f2328;text-anchor:end}.lw{font-size:12px;font-style:italic;fill:#57606a;text-anchor:end}
.sl{font-size:12px}.tl{fill:#fff}.td{fill:#1f2328}
.th{fill:#1f2328;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.ax{font-size:11px;fill:#57606a;text-anchor:middle}.axis{stroke:#8c959f}.grid{stroke:#e6e9ed}
.band{fill:#f6f8fa}.sep{stroke:#d0d7de;stroke-dasharray:3 3}
.w{stroke:#fff;stroke-width:1}.w.n{stroke:none}.b{stroke-width:1.2}.a{stroke-width:1.2;stroke-dasharray:5 2}
.m{fill:#6e7781;fill-opacity:.55}.mw{fill:#eaeef2;stroke:#8c959f;stroke-width:.8}
)";

std::string header(double width, double height, const std::string& title) {
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                  px(width) + "\" height=\"" + px(height) + "\" viewBox=\"0 0 " + px(width) + " " + px(height) +
                  "\">\n<title>" + title + "</title>\n" + kStyle;
  std::string defs = "<defs>\n";
  for (std::size_t c = 0; c < std::size(kPalette); ++c) {
    const std::string i = std::to_string(c), fill = kPalette[c].fill, tint = kPalette[c].tint;
    s += ".w.c" + i + "{fill:" + fill + "}.b.c" + i + "{fill:url(#h" + i + ");stroke:" + fill + "}.a.c" + i +
         "{fill:" + tint + ";stroke:" + fill + "}\n";
    defs += "<pattern id=\"h" + i +
            "\" width=\"7\" height=\"7\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
            "<rect width=\"7\" height=\"7\" fill=\"" + tint + "\"/><rect width=\"2.5\" height=\"7\" fill=\"" +
            fill + "\"/></pattern>\n";
  }
  defs += "</defs>\n";
  return s + "</style>\n" + defs + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
}

std::string text(const char* cls, double x, double y, const std::string& escaped) {
  return "<text class=\"" + std::string(cls) + "\" x=\"" + px(x) + "\" y=\"" + px(y) + "\">" + escaped + "</text>\n";
}
std::string line(const char* cls, double x1, double y1, double x2, double y2) {
  return "<line class=\"" + std::string(cls) + "\" x1=\"" + px(x1) + "\" y1=\"" + px(y1) + "\" x2=\"" + px(x2) +
         "\" y2=\"" + px(y2) + "\"/>\n";
}
std::string rect(const std::string& cls, double x, double y, double w, double h, const std::string& inner = "") {
  return "<rect class=\"" + cls + "\" x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" + px(w) + "\" height=\"" +
         px(h) + (inner.empty() ? "\"/>\n" : "\" rx=\"2\">" + inner + "</rect>\n");
}

// Title, summary line, legend and sampling note.
std::string heading(const TraceData& d, const Unit& u, double width, bool merged) {
  const Summary& s = d.summary;
  const auto t = [&](std::int64_t ns) { return num(static_cast<double>(ns) / u.ns) + " " + xml(u.name); };
  std::string out = text("ttl", 20, 32, xml(d.title.empty() ? "preheat timeline" : d.title));
  out += text("sum", 20, 54,
              "wall-clock " + t(s.wall_ns) + " \u00b7 execution " + t(s.execution_ns) + " \u00b7 waiting " +
                  t(s.waiting_ns) + " \u00b7 parallelism " + fmt::format("{:.2f}", s.parallelism()));
  struct Item {
    const char *cls, *label;
    std::string_view tooltip;
  };
  std::vector<Item> items = {{"w c10 key", "work", describe(EventKind::kWork)},
                             {"b c10 key", "blocked wait (holds a worker)", describe(EventKind::kBlocked)},
                             {"a c10 key", "wait without a worker", describe(EventKind::kWait)}};
  if (merged) items.push_back({"m key", "many short spans, merged", "spans narrower than half a pixel, as one box"});
  double x = 20;
  for (const Item& it : items) {
    out += rect(it.cls, x, 70, 22, 12, "<title>" + xml(it.tooltip) + "</title>");
    out += text("lg", x + 28, 80.5, it.label);
    x += 50 + static_cast<double>(std::strlen(it.label)) * 6.6;
  }
  if (d.sample_stride > 1) {
    out += text("note", width - 24, 80.5, "sampled: 1 task in " + std::to_string(d.sample_stride) + " shown");
  }
  return out;
}

// Grid lines and the time axis, ticks at 1, 2, 5 x 10^k units.
std::string axis(const Frame& f, const Unit& u, double top, double y) {
  const double t0 = static_cast<double>(f.t0) / u.ns, t1 = static_cast<double>(f.t1) / u.ns;
  const double raw = (t1 - t0) / std::max(2.0, std::floor((f.x1 - f.x0) / 100));
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  const double n = raw / mag, step = (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * mag;
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  std::string grid, ticks;
  for (double k = std::ceil(t0 / step - 1e-9); k * step <= t1 + step * 1e-9; ++k) {
    const double x = f.x0 + (k * step - t0) / (t1 - t0) * (f.x1 - f.x0);
    grid += line("grid", x, top, x, y);
    ticks += line("axis", x, y, x, y + 5);
    ticks += text("ax", x, y + 18, trim_zeros(fmt::format("{:.{}f}", k * step, decimals)) + " " + xml(u.name));
  }
  return grid + ticks + line("axis", f.x0, y, f.x1, y);
}

}  // namespace

Status write_svg_timeline(const TraceData& d, std::ostream& out, const SvgOptions& options) {
  const double width = std::clamp(options.width, 480, 20000);
  Layout l = plan(d);
  const auto lane_name = [&](LaneId i) {
    return clean_text(i < d.lanes.size() && !d.lanes[i].name.empty() ? d.lanes[i].name : "lane " + std::to_string(i));
  };
  std::size_t longest = l.waits.empty() ? 4 : 19;  // "waiting (no worker)"
  for (const auto& [lane, ids] : l.lanes) longest = std::max(longest, char_count(lane_name(lane)));
  const double label_w = std::clamp(static_cast<double>(longest) * kCharPx + 28, 90.0, 260.0);
  const Frame f{l.t0, l.t1, label_w, width - 28};
  const Unit u = display_unit(d.unit, static_cast<double>(l.t1 - l.t0));

  Painter p(d, f, u);
  std::string frame;  // bands and row labels, drawn under the boxes
  double y = kTop;
  for (auto& [lane, ids] : l.lanes) {
    if (static_cast<int>((y - kTop) / kLanePitch) % 2 == 0) frame += rect("band", 12, y, width - 24, kLanePitch);
    std::string name;
    put_xml(name, ellipsize(lane_name(lane), static_cast<std::size_t>((label_w - 28) / kCharPx)));
    frame += text("ln", label_w - 10, y + kLanePitch / 2 + 4, name);
    p.row(ids, y + (kLanePitch - kLaneH) / 2, kLaneH, false);
    y += kLanePitch;
  }
  if (!l.waits.empty()) {
    frame += line("sep", 12, y + 4, width - 12, y + 4);
    y += 8;
  }
  for (std::size_t r = 0; r < l.waits.size(); ++r) {
    if (r == 0) frame += text("lw", label_w - 10, y + kWaitPitch / 2 + 4, "waiting (no worker)");
    if (l.overflow && r == kMaxWaitRows) {
      frame += text("lw", label_w - 10, y + kWaitPitch / 2 + 4, "more, overlapping");
    }
    p.row(l.waits[r], y + (kWaitPitch - kWaitH) / 2, kWaitH, true);
    y += kWaitPitch;
  }

  std::string svg = header(width, y + 42, xml(d.title.empty() ? "preheat timeline" : d.title));
  svg += heading(d, u, width, p.merged) + frame + axis(f, u, kTop - 4, y + 6) + p.body;
  svg += "</svg>\n";
  out.write(svg.data(), static_cast<std::streamsize>(svg.size()));
  out.flush();
  if (!out) return Status::io_error("writing the SVG timeline failed");
  return Status();
}

Status write_svg_timeline_file(const TraceData& data, const std::string& path, const SvgOptions& options) {
  if (path == "-") return write_svg_timeline(data, std::cout, options);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::io_error("cannot open '" + path + "' for writing: " + std::strerror(errno));
  if (Status s = write_svg_timeline(data, out, options); !s.ok()) {
    return Status::io_error("cannot write the SVG timeline to '" + path + "'");
  }
  out.close();
  if (!out) return Status::io_error("cannot write the SVG timeline to '" + path + "'");
  return Status();
}

}  // namespace preheat::trace
