// /timeline and the charts: the packing and in-flight arithmetic against
// independent computations, the SVG escaping, and the pages through the
// handlers on a database with runs.
#include <random>

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "serve/handlers.h"
#include "serve/router.h"
#include "serve/svg_chart.h"
#include "serve/timeline_view.h"
#include "tests/serve/serve_test_util.h"
#include "tests/support/support.h"

namespace preheat::serve::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The most intervals open at once, by a sweep over sorted events (an end at
// t comes before a start at t, as in pack_rows).
std::size_t max_overlap(const std::vector<double>& start, const std::vector<double>& end) {
  std::vector<std::pair<double, int>> events;
  for (std::size_t i = 0; i < start.size(); ++i) {
    events.emplace_back(start[i], +1);
    events.emplace_back(end[i], -1);
  }
  std::sort(events.begin(), events.end());
  int open = 0, best = 0;
  for (const auto& [t, d] : events) best = std::max(best, open += d);
  return static_cast<std::size_t>(best);
}

TEST(PackRowsTest, UsesExactlyTheMostOverlapAndNeverOverlapsOnARow) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::uniform_real_distribution<double> at(0, 100), len(1, 20);  // no empty interval: the sweep would not see it
    const std::size_t n = 1 + rng() % 200;
    std::vector<double> start(n), end(n);
    for (std::size_t i = 0; i < n; ++i) {
      start[i] = std::round(at(rng));  // rounded: many exact touches
      end[i] = start[i] + std::round(len(rng));
    }
    std::size_t rows = 0;
    const std::vector<std::size_t> row = pack_rows(start, end, rows);
    EXPECT_EQ(rows, max_overlap(start, end));
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_LT(row[i], rows);
      for (std::size_t j = i + 1; j < n; ++j) {
        if (row[i] != row[j]) continue;
        EXPECT_TRUE(end[i] <= start[j] || end[j] <= start[i]) << i << " and " << j << " share row " << row[i];
      }
    }
  }
}

store::FetchSpan span(std::int64_t end_ms, double elapsed_s, int status = 200) {
  return store::FetchSpan{"http://a/" + std::to_string(end_ms), end_ms, elapsed_s, status, ""};
}

TEST(TimelineViewTest, InFlightIsTheIntegralOfTheFetches) {
  store::RunTimeline t;
  // Three fetches from 0: [0,1] s, [0,2] s, [1,2] s (end_ms 1000, 2000, 2000).
  t.spans = {span(1000, 1.0), span(2000, 2.0), span(2000, 1.0)};
  const TimelineView v = make_timeline_view(t, 4);
  EXPECT_DOUBLE_EQ(v.duration_s, 2.0);
  EXPECT_DOUBLE_EQ(v.bucket_s, 0.5);
  ASSERT_EQ(v.in_flight.size(), 4u);
  for (double x : v.in_flight) EXPECT_NEAR(x, 2.0, 1e-9);
  double area = 0;
  for (double x : v.in_flight) area += x * v.bucket_s;
  EXPECT_NEAR(area, 4.0, 1e-9);  // the sum of the fetches' lengths
  EXPECT_EQ(v.rows, 2u);
  EXPECT_DOUBLE_EQ(v.peak_in_flight, 2.0);
  ASSERT_EQ(v.boxes.size(), 3u);
  EXPECT_THAT(v.boxes[0].tooltip, HasSubstr("http://a/1000 200"));

  // Sampled one in 3: the estimate scales.
  t.stride = 3;
  const TimelineView s = make_timeline_view(t, 4);
  EXPECT_NEAR(s.in_flight[0], 6.0, 1e-9);
  EXPECT_DOUBLE_EQ(s.peak_in_flight, 6.0);
}

TEST(TimelineViewTest, AnEmptyRunHasNothingToDraw) {
  const TimelineView v = make_timeline_view(store::RunTimeline{}, 10);
  EXPECT_TRUE(v.in_flight.empty());
  EXPECT_TRUE(v.boxes.empty());
  EXPECT_EQ(v.rows, 0u);
}

TEST(SvgChartTest, TickStepsAreRound) {
  EXPECT_DOUBLE_EQ(tick_step(10, 5), 2);
  EXPECT_DOUBLE_EQ(tick_step(7, 4), 2);
  EXPECT_DOUBLE_EQ(tick_step(0.9, 8), 0.2);
  EXPECT_DOUBLE_EQ(tick_step(123, 4), 50);
  EXPECT_DOUBLE_EQ(tick_step(0, 4), 1);
}

TEST(SvgChartTest, LabelsAreEscaped) {
  const std::string bars = bar_chart("<b>t</b>", {Bar{"<script>x</script>", 3, "red\"onload=\"x"}});
  EXPECT_THAT(bars, Not(HasSubstr("<script>")));
  EXPECT_THAT(bars, Not(HasSubstr("<b>")));
  EXPECT_THAT(bars, Not(HasSubstr("\"onload")));
  EXPECT_THAT(bars, HasSubstr("&lt;script&gt;"));
  const std::string boxes = fetch_chart("f", {FetchBox{0, 1, 0, "", "<img src=x>"}}, 1, 1, "s");
  EXPECT_THAT(boxes, Not(HasSubstr("<img")));
  EXPECT_THAT(area_chart("a & b", {1, 2}, 1, "s", "<y>"), Not(HasSubstr("<y>")));
}

// A database with two runs; the second's pages have a hostile URL.
void make_runs_db(const std::string& path) {
  auto s = store::open_crawl_store(path);
  ASSERT_TRUE(s.ok());
  store::CrawlStore& st = **s;
  Result<std::int64_t> r1 = st.begin_run({1000, "async", "http://site/", "crawl"});
  ASSERT_TRUE(r1.ok());
  store::WriteBatch b;
  for (int i = 0; i < 20; ++i) {
    store::PageRecord p = page("http://site/" + std::to_string(i), i % 3 == 0 ? 404 : 200, "t", {});
    p.fetched_at_ms = 1'700'000'000'000 + i * 10;
    p.elapsed_s = 0.05;
    b.pages.push_back(std::move(p));
  }
  ASSERT_TRUE(st.write(b).ok());
  ASSERT_TRUE(st.end_run(*r1, {1'700'000'001'000, 1.0, 0.2, 20, "complete"}).ok());
  Result<std::int64_t> r2 = st.begin_run({2000, "sequential", "http://site/", "crawl <again>"});
  ASSERT_TRUE(r2.ok());
  store::WriteBatch b2;
  b2.pages.push_back(page("http://site/\"><script>alert(1)</script>", 500, "x", {}));
  ASSERT_TRUE(st.write(b2).ok());
}

class TimelineHandlersTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    make_runs_db(path_);
    auto s = store::open_crawl_store(path_, {.read_only = true});
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
  }
  Response call(std::string_view target) {
    auto routed = route("GET", target, ServeLimits{});
    if (auto* r = std::get_if<Response>(&routed)) return *r;
    return run_handler(std::get<Routed>(routed), *store_);
  }
  ServeDb db_{GetParam()};
  std::string path_ = db_.location();
  std::unique_ptr<store::CrawlStore> store_;
};

TEST_P(TimelineHandlersTest, TheLatestRunByDefaultEscaped) {
  const Response r = call("/timeline");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("Timeline of run 2"));
  EXPECT_THAT(r.body, HasSubstr("not ended"));
  EXPECT_THAT(r.body, Not(HasSubstr("<script>")));
  EXPECT_THAT(r.body, HasSubstr("<svg"));
  EXPECT_THAT(r.body, HasSubstr("/timeline?run=1"));  // the list of runs
}

TEST_P(TimelineHandlersTest, ARunsFetchesAsJson) {
  const Response r = call("/api/timeline?run=1");
  ASSERT_EQ(r.status, 200);
  const boost::json::object o = boost::json::parse(r.body).as_object();
  EXPECT_EQ(o.at("run").at("id").as_int64(), 1);
  EXPECT_EQ(o.at("run").at("outcome").as_string(), "complete");
  EXPECT_EQ(o.at("run").at("pages").as_int64(), 20);
  const auto& fetches = o.at("fetches").as_array();
  ASSERT_EQ(fetches.size(), 20u);
  // 50 ms fetches ending 10 ms apart: 5 in flight at the peak.
  EXPECT_EQ(o.at("peak_in_flight").to_number<double>(), 5.0);
  EXPECT_EQ(fetches[0].at("status").as_int64(), 404);  // page 0: 0 % 3 == 0
  EXPECT_EQ(fetches[1].at("status").as_int64(), 200);
  EXPECT_EQ(fetches[0].at("start_s").to_number<double>(), 0.0);
  EXPECT_EQ(o.at("in_flight").as_array().size(), kTimelineBuckets);
}

TEST_P(TimelineHandlersTest, BadAndUnknownRuns) {
  EXPECT_EQ(call("/timeline?run=abc").status, 400);
  EXPECT_EQ(call("/api/timeline?run=0").status, 400);
  EXPECT_EQ(call("/api/timeline?run=-1").status, 400);
  EXPECT_EQ(call("/api/timeline?run=99999999999999999999").status, 400);
  EXPECT_EQ(call("/timeline?run=7").status, 404);
  EXPECT_EQ(call("/api/timeline?run=7").status, 404);
}

TEST_P(TimelineHandlersTest, StatsDrawsItsCharts) {
  const Response r = call("/stats");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("Pages by status class"));
  EXPECT_THAT(r.body, HasSubstr("Pages by depth"));
  EXPECT_THAT(r.body, HasSubstr("Pages fetched over time"));
  EXPECT_THAT(r.body, HasSubstr(">4xx<"));  // a bar label
}

INSTANTIATE_TEST_SUITE_P(Engines, TimelineHandlersTest, engines(), [](const auto& info) { return info.param; });

TEST(TimelineEmptyTest, ADatabaseWithoutRunsSaysSo) {
  preheat::testing::TempDir dir;
  const std::string path = (dir / "crawl.db").string();
  make_crawl_db(path);  // pages, no run
  auto s = store::open_crawl_store(path, {.read_only = true});
  ASSERT_TRUE(s.ok());
  auto routed = route("GET", "/timeline", ServeLimits{});
  const Response r = run_handler(std::get<Routed>(routed), **s);
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("No crawl run"));
  auto api = route("GET", "/api/timeline", ServeLimits{});
  EXPECT_EQ(run_handler(std::get<Routed>(api), **s).status, 404);
}

}  // namespace
}  // namespace preheat::serve::testing
