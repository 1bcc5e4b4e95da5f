// The SVG is checked by parsing it with an independent XML parser (libxml2)
// and looking at the elements it holds.
#include "trace/svg_timeline_writer.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <memory>
#include <random>
#include <sstream>

#include "tests/support/support.h"

namespace preheat::trace {
namespace {

constexpr std::int64_t kMin = 1'000'000'000;  // one recipe "min" in trace ns

Span span(EventKind kind, LaneId lane, TaskId task, double start, double end, std::int64_t unit = kMin) {
  const auto a = static_cast<std::int64_t>(start * static_cast<double>(unit));
  const auto b = static_cast<std::int64_t>(end * static_cast<double>(unit));
  return Span{kind, lane, task, a, b, kind == EventKind::kWork ? b - a : 0};
}

// The article's async cake: preheat the oven while making the dough.
TraceData async_cake() {
  TraceData d;
  d.title = "Cake, async";
  d.unit = {"min", 1e9};
  d.lanes = {{"worker 1"}, {"worker 2"}};
  d.tasks = {{"preheat oven"}, {"make dough"}, {"bake"}};
  d.edges = {{0, 2}, {1, 2}};
  d.spans = {span(EventKind::kTask, kNoLane, 0, 0, 15), span(EventKind::kWait, kNoLane, 0, 0, 15),
             span(EventKind::kWork, 0, 1, 0, 15),       span(EventKind::kWork, 1, 1, 15, 25),
             span(EventKind::kBlocked, 1, 1, 25, 26),   span(EventKind::kWait, kNoLane, 2, 26, 45)};
  d.summary = summarize(d.spans, 45 * kMin);
  return d;
}

// A parsed SVG and every <text> and <rect> in it.
struct Parsed {
  bool ok = false;
  int errors = 0;
  std::string root;
  std::vector<std::pair<std::string, std::string>> texts;  // (class, content)
  struct Rect {
    std::string cls, title, y;
  };
  std::vector<Rect> rects;
};

std::string attr(xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  std::string s = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return s;
}

std::string content(xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  std::string s = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return s;
}

void walk(xmlNode* n, Parsed& p) {
  for (; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    const std::string name = reinterpret_cast<const char*>(n->name);
    if (name == "text") p.texts.push_back({attr(n, "class"), content(n)});
    if (name == "rect") {
      Parsed::Rect r{attr(n, "class"), "", attr(n, "y")};
      for (xmlNode* c = n->children; c != nullptr; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && std::string(reinterpret_cast<const char*>(c->name)) == "title") {
          r.title = content(c);
        }
      }
      p.rects.push_back(r);
    }
    walk(n->children, p);
  }
}

void count_error(void* ctx, xmlErrorPtr) { ++static_cast<Parsed*>(ctx)->errors; }

Parsed parse_svg(const std::string& svg) {
  Parsed p;
  xmlSetStructuredErrorFunc(&p, count_error);
  xmlDoc* doc = xmlReadMemory(svg.data(), static_cast<int>(svg.size()), "timeline.svg", nullptr, XML_PARSE_NONET);
  xmlSetStructuredErrorFunc(nullptr, nullptr);
  if (doc == nullptr) return p;
  p.ok = p.errors == 0;
  xmlNode* root = xmlDocGetRootElement(doc);
  p.root = reinterpret_cast<const char*>(root->name);
  walk(root, p);
  xmlFreeDoc(doc);
  return p;
}

std::string render(const TraceData& d, const SvgOptions& options = {}) {
  std::ostringstream out;
  EXPECT_TRUE(write_svg_timeline(d, out, options).ok());
  return out.str();
}

std::vector<std::string> texts_of(const Parsed& p, const std::string& cls) {
  std::vector<std::string> out;
  for (const auto& [c, t] : p.texts) {
    if (c == cls) out.push_back(t);
  }
  return out;
}

// Boxes that stand for spans (the legend's swatches end in " key").
bool is_span_box(const std::string& cls) {
  if (cls.ends_with(" key")) return false;
  return cls.rfind("w c", 0) == 0 || cls.rfind("b c", 0) == 0 || cls.rfind("a c", 0) == 0 || cls == "m" || cls == "mw";
}

TEST(SvgTimelineWriter, IsWellFormedWithLanesLegendSummaryAndAxis) {
  const std::string svg = render(async_cake());
  const Parsed p = parse_svg(svg);
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.root, "svg");
  EXPECT_EQ(svg.find("http", svg.find("xmlns") + 30), std::string::npos) << "no external references";
  EXPECT_EQ(texts_of(p, "ttl"), std::vector<std::string>{"Cake, async"});
  EXPECT_EQ(texts_of(p, "ln"), (std::vector<std::string>{"worker 1", "worker 2"}));
  EXPECT_EQ(texts_of(p, "lw"), std::vector<std::string>{"waiting (no worker)"});
  const std::string summary = "wall-clock 45 min \u00b7 execution 25 min \u00b7 waiting 35 min \u00b7 parallelism 0.56";
  EXPECT_EQ(texts_of(p, "sum"), std::vector<std::string>{summary});
  const auto legend = texts_of(p, "lg");
  for (const char* item : {"work", "blocked wait (holds a worker)", "wait without a worker"}) {
    EXPECT_NE(std::find(legend.begin(), legend.end(), item), legend.end()) << item;
  }
  const auto ticks = texts_of(p, "ax");
  ASSERT_GE(ticks.size(), 3u);
  EXPECT_EQ(ticks.front(), "0 min");
  for (const std::string& t : ticks) EXPECT_TRUE(t.ends_with(" min")) << t;
  EXPECT_TRUE(texts_of(p, "note").empty());
}

TEST(SvgTimelineWriter, EveryBoxHasATooltipAndKindsLookDifferent) {
  const Parsed p = parse_svg(render(async_cake()));
  ASSERT_TRUE(p.ok);
  int work = 0, blocked = 0, wait = 0;
  for (const auto& r : p.rects) {
    if (!is_span_box(r.cls) || r.title.empty()) continue;
    work += r.cls.rfind("w c", 0) == 0;
    blocked += r.cls.rfind("b c", 0) == 0;
    wait += r.cls.rfind("a c", 0) == 0;
  }
  EXPECT_EQ(work, 2);
  EXPECT_EQ(blocked, 1);
  EXPECT_EQ(wait, 2);
  for (const auto& r : p.rects) {
    if (is_span_box(r.cls)) {
      EXPECT_FALSE(r.title.empty()) << r.cls;
    }
  }
  // Tooltip: name, kind, start, end, duration.
  const auto dough =
      std::find_if(p.rects.begin(), p.rects.end(), [](const auto& r) { return r.title.starts_with("make dough"); });
  ASSERT_NE(dough, p.rects.end());
  EXPECT_EQ(dough->title, "make dough\nwork \u00b7 0 min \u2192 15 min (15 min)");
}

TEST(SvgTimelineWriter, EscapesHostileNames) {
  TraceData d = async_cake();
  const std::string hostile = "</text><script>alert(\"x\")</script>&amp;'\xff\x01";
  d.title = hostile;
  d.lanes[0].name = hostile;
  d.tasks[1].name = hostile;
  d.unit.name = "<u>";
  const std::string svg = render(d);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  const Parsed p = parse_svg(svg);
  ASSERT_TRUE(p.ok);
  const std::string decoded = "</text><script>alert(\"x\")</script>&amp;'\xEF\xBF\xBD\xEF\xBF\xBD";
  EXPECT_EQ(texts_of(p, "ttl"), std::vector<std::string>{decoded});
  const bool in_tooltip = std::any_of(p.rects.begin(), p.rects.end(),
                                      [&](const auto& r) { return r.title.starts_with(decoded + "\nwork"); });
  EXPECT_TRUE(in_tooltip);
  EXPECT_TRUE(texts_of(p, "ax").front().ends_with(" <u>"));
}

TEST(SvgTimelineWriter, OverlappingWaitsArePackedOnSeparateRows) {
  TraceData d;
  d.unit = {"min", 1e9};
  d.tasks = {{"A"}, {"B"}, {"C"}};
  d.spans = {span(EventKind::kWait, kNoLane, 0, 0, 10), span(EventKind::kWait, kNoLane, 1, 5, 15),
             span(EventKind::kWait, kNoLane, 2, 10, 20)};
  const Parsed p = parse_svg(render(d));
  ASSERT_TRUE(p.ok);
  std::map<std::string, std::string> row;  // task -> y
  for (const auto& r : p.rects) {
    if (is_span_box(r.cls) && r.cls.rfind("a c", 0) == 0) row[r.title.substr(0, 1)] = r.y;
  }
  ASSERT_EQ(row.size(), 3u);
  EXPECT_EQ(row["A"], row["C"]);  // C starts when A ends: same row
  EXPECT_NE(row["A"], row["B"]);
}

TEST(SvgTimelineWriter, NotesSampling) {
  TraceData d = async_cake();
  d.sample_stride = 8;
  const Parsed p = parse_svg(render(d));
  EXPECT_EQ(texts_of(p, "note"), std::vector<std::string>{"sampled: 1 task in 8 shown"});
}

struct UnitCase {
  TimeUnit unit;
  std::int64_t wall_ns;
  std::string axis_unit;
};

class SvgAxisUnits : public ::testing::TestWithParam<UnitCase> {};

TEST_P(SvgAxisUnits, LabelsTicksWithTheRightUnit) {
  TraceData d;
  d.unit = GetParam().unit;
  d.lanes = {{"w"}};
  d.spans = {Span{EventKind::kWork, 0, kNoTask, 0, GetParam().wall_ns, GetParam().wall_ns}};
  d.summary = summarize(d.spans, GetParam().wall_ns);
  const Parsed p = parse_svg(render(d));
  const auto ticks = texts_of(p, "ax");
  ASSERT_GE(ticks.size(), 3u);
  EXPECT_LE(ticks.size(), 15u);
  for (const std::string& t : ticks) EXPECT_TRUE(t.ends_with(" " + GetParam().axis_unit)) << t;
}

INSTANTIATE_TEST_SUITE_P(Cases, SvgAxisUnits,
                         ::testing::Values(UnitCase{{"ms", 1e6}, 800'000'000, "ms"},
                                           UnitCase{{"ms", 1e6}, 45'000'000'000, "s"},
                                           UnitCase{{"s", 1e9}, 5'000'000, "ms"},
                                           UnitCase{{"min", 1e9}, 45'000'000'000, "min"},
                                           UnitCase{{"min", 60e9}, 7'200'000'000'000, "min"}),
                         [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(SvgTimelineWriter, MergesSpansNarrowerThanHalfAPixel) {
  TraceData d;
  d.unit = {"ms", 1e6};
  d.lanes = {{"busy"}};
  for (std::int64_t i = 0; i < 10'000; ++i) {
    d.spans.push_back(Span{EventKind::kWork, 0, kNoTask, 2000 * i, 2000 * i + 1000, 1000});
  }
  d.spans.push_back(Span{EventKind::kWork, 0, 7, 20'000'000, 40'000'000, 20'000'000});
  d.summary = summarize(d.spans, 40'000'000);
  const Parsed p = parse_svg(render(d));
  ASSERT_TRUE(p.ok);
  const auto boxes = std::count_if(p.rects.begin(), p.rects.end(), [](const auto& r) { return is_span_box(r.cls); });
  EXPECT_LE(boxes, 10);
  const bool merged = std::any_of(p.rects.begin(), p.rects.end(), [](const auto& r) {
    return r.cls == "m" && r.title.starts_with("10000 short spans merged");
  });
  EXPECT_TRUE(merged);
}

// A crawl-like run: overlapping network waits, short work on 4 lanes.
TraceData million_crawl() {
  TraceData d;
  d.unit = {"ms", 1e6};
  for (int l = 0; l < 4; ++l) d.lanes.push_back({"worker " + std::to_string(l + 1)});
  std::mt19937_64 rng(1);
  std::vector<std::int64_t> lane_free(4, 0);
  std::int64_t t = 0;
  d.spans.reserve(1'000'000);
  for (TaskId i = 0; d.spans.size() < 1'000'000; ++i) {
    t += static_cast<std::int64_t>(rng() % 200'000);
    const std::int64_t wait = 20'000'000 + static_cast<std::int64_t>(rng() % 60'000'000);
    d.spans.push_back(Span{EventKind::kWait, kNoLane, i, t, t + wait, 0});
    const LaneId l = i % 4;
    const std::int64_t start = std::max(t + wait, lane_free[l]);
    const std::int64_t work = 100'000 + static_cast<std::int64_t>(rng() % (i % 101 == 0 ? 40'000'000 : 400'000));
    d.spans.push_back(Span{i % 7 == 0 ? EventKind::kBlocked : EventKind::kWork, l, i, start, start + work, work});
    lane_free[l] = start + work;
  }
  d.summary = summarize(d.spans, *std::max_element(lane_free.begin(), lane_free.end()));
  return d;
}

// Worst case for the merging: on every lane, boxes 4 px wide alternate with
// bursts of 1 ns spans; 200,000 waits all overlap.
TraceData million_adversarial() {
  TraceData d;
  d.unit = {"ms", 1e6};
  for (int l = 0; l < 4; ++l) d.lanes.push_back({"worker " + std::to_string(l + 1)});
  constexpr std::int64_t kEnd = 6'000'000, kPeriod = 33'000, kWide = 22'000;
  for (TaskId w = 0; w < 200'000; ++w) d.spans.push_back(Span{EventKind::kWait, kNoLane, w, 5 * w, kEnd, 0});
  for (LaneId l = 0; d.spans.size() < 1'000'000; l = (l + 1) % 4) {
    for (std::int64_t p = 0; p + kPeriod <= kEnd && d.spans.size() < 1'000'000; p += kPeriod) {
      d.spans.push_back(Span{EventKind::kWork, l, static_cast<TaskId>(p / kPeriod), p, p + kWide, kWide});
      for (std::int64_t q = p + kWide + 1000; q < p + kPeriod - 1000 && d.spans.size() < 1'000'000; q += 40) {
        d.spans.push_back(Span{EventKind::kWork, l, kNoTask, q, q + 1, 1});
      }
    }
  }
  d.summary = summarize(d.spans, kEnd);
  return d;
}

class SvgMillionSpans : public ::testing::TestWithParam<TraceData (*)()> {};

TEST_P(SvgMillionSpans, StayBoundedAndWellFormed) {
  const TraceData d = GetParam()();
  ASSERT_EQ(d.spans.size(), 1'000'000u);
  testing::TempDir dir;
  const std::string path = (dir / "big.svg").string();
  ASSERT_TRUE(write_svg_timeline_file(d, path).ok());
  const std::string svg = testing::read_file(path);
  RecordProperty("svg_bytes", static_cast<int>(svg.size()));
  EXPECT_LT(svg.size(), 2'000'000u);
  const Parsed p = parse_svg(svg);
  EXPECT_TRUE(p.ok);
  const auto boxes = std::count_if(p.rects.begin(), p.rects.end(), [](const auto& r) { return is_span_box(r.cls); });
  const auto rows = d.lanes.size() + 13;  // lanes, 12 wait rows, 1 overflow row
  EXPECT_LE(static_cast<std::size_t>(boxes), rows * 2 * 1200);
}

INSTANTIATE_TEST_SUITE_P(Inputs, SvgMillionSpans, ::testing::Values(&million_crawl, &million_adversarial),
                         [](const auto& info) { return std::string(info.index == 0 ? "crawl" : "adversarial"); });

TEST(SvgTimelineWriter, EmptyDataStillMakesAPicture) {
  const Parsed p = parse_svg(render(TraceData{}, {.width = 10}));
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(texts_of(p, "ttl"), std::vector<std::string>{"preheat timeline"});
}

TEST(SvgTimelineWriter, NamesUnwritablePaths) {
  testing::TempDir dir;
  const std::string bad = (dir / "missing" / "t.svg").string();
  const Status s = write_svg_timeline_file(async_cake(), bad);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_NE(s.message().find(bad), std::string::npos) << s.message();
}

}  // namespace
}  // namespace preheat::trace
