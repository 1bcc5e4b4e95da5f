// The Chrome trace is checked by reading it back with an independent JSON
// parser (Boost.JSON), not by comparing text.
#include "trace/chrome_trace_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "tests/support/support.h"

namespace preheat::trace {
namespace {

namespace json = boost::json;

constexpr std::int64_t kMs = 1'000'000;
const std::string kHostileName = "make \"dough\"\n<fast>\xff";
const std::string kHostileNameDecoded = "make \"dough\"\n<fast>\xEF\xBF\xBD";

Span span(EventKind kind, LaneId lane, TaskId task, std::int64_t start_ms, std::int64_t end_ms) {
  return Span{kind, lane, task, start_ms * kMs, end_ms * kMs, kind == EventKind::kWork ? (end_ms - start_ms) * kMs : 0};
}

// 2 lanes, 3 tasks, every kind of span, one edge, one hostile name.
TraceData sample() {
  TraceData d;
  d.title = "cake";
  d.unit = {"min", 1e9};
  d.lanes = {{"worker 1"}, {"worker 2"}};
  d.tasks = {{kHostileName}, {"preheat oven"}, {"bake"}};
  d.edges = {{0, 2}};
  d.spans = {
      span(EventKind::kTask, kNoLane, 0, 0, 40),    span(EventKind::kWork, 0, 0, 0, 10),
      span(EventKind::kBlocked, 0, 0, 10, 20),      span(EventKind::kWork, 1, 0, 5, 15),
      span(EventKind::kTask, kNoLane, 1, 0, 30),    span(EventKind::kWait, kNoLane, 1, 0, 30),
      span(EventKind::kWork, 1, 1, 20, 30),         span(EventKind::kTask, kNoLane, 2, 30, 60),
      span(EventKind::kWait, kNoLane, 2, 30, 50),   span(EventKind::kWait, kNoLane, 2, 35, 45),
      span(EventKind::kWork, 0, 2, 50, 60),
  };
  d.summary = summarize(d.spans, 60 * kMs);
  d.sample_stride = 2;
  return d;
}

json::value write_and_parse(const TraceData& d) {
  std::ostringstream out;
  EXPECT_TRUE(write_chrome_trace(d, out).ok());
  json::error_code ec;
  json::value v = json::parse(out.str(), ec);
  EXPECT_FALSE(ec) << ec.message();
  return v;
}

std::vector<json::object> events(const json::value& v, std::string_view ph) {
  std::vector<json::object> out;
  for (const json::value& e : v.at("traceEvents").as_array()) {
    if (e.at("ph").as_string() == ph) out.push_back(e.as_object());
  }
  return out;
}

// Microseconds (as written) back to exact nanoseconds.
std::int64_t ns(const json::value& us) { return std::llround(us.to_number<double>() * 1000); }
std::string str(const json::value& v) { return std::string(v.as_string()); }

TEST(ChromeTraceWriter, OneXSlicePerLaneSpanWithItsTrackAndTimes) {
  const TraceData d = sample();
  const json::value v = write_and_parse(d);
  using Slice = std::tuple<std::uint64_t, std::int64_t, std::int64_t, std::string, std::string>;
  std::multiset<Slice> expected, actual;
  for (const Span& s : d.spans) {
    if (occupies_worker(s.kind) && s.lane != kNoLane) {
      expected.insert({s.lane + 1, s.start_ns, s.end_ns - s.start_ns, std::string(to_string(s.kind)),
                       s.task == 0 ? kHostileNameDecoded : d.task_name(s.task)});
    }
  }
  for (const json::object& x : events(v, "X")) {
    actual.insert({x.at("tid").to_number<std::uint64_t>(), ns(x.at("ts")), ns(x.at("dur")), str(x.at("cat")),
                   str(x.at("name"))});
    EXPECT_EQ(x.at("pid").to_number<int>(), 1);
    if (x.at("cat") == "work") {
      EXPECT_TRUE(x.at("args").as_object().contains("cpu_ms"));
    }
  }
  EXPECT_EQ(actual.size(), 5u);
  EXPECT_EQ(actual, expected);
}

TEST(ChromeTraceWriter, MetadataNamesTheProcessAndTheLanesInOrder) {
  const json::value v = write_and_parse(sample());
  std::map<std::uint64_t, std::string> names;
  std::map<std::uint64_t, std::int64_t> order;
  std::string process;
  for (const json::object& m : events(v, "M")) {
    const std::uint64_t tid = m.at("tid").to_number<std::uint64_t>();
    if (m.at("name") == "thread_name") names[tid] = str(m.at("args").at("name"));
    if (m.at("name") == "thread_sort_index") order[tid] = m.at("args").at("sort_index").to_number<std::int64_t>();
    if (m.at("name") == "process_name") process = str(m.at("args").at("name"));
  }
  EXPECT_EQ(process, "cake");
  EXPECT_EQ(names[1], "worker 1");
  EXPECT_EQ(names[2], "worker 2");
  EXPECT_LT(order[1], order[2]);
}

TEST(ChromeTraceWriter, AsyncPairsAreBalancedAndOverlappingWaitsHaveDistinctIds) {
  const json::value v = write_and_parse(sample());
  std::map<std::pair<std::string, std::uint64_t>, int> open;  // (cat, id) -> depth
  std::vector<json::object> async = events(v, "b");
  const std::vector<json::object> ends = events(v, "e");
  async.insert(async.end(), ends.begin(), ends.end());
  std::stable_sort(async.begin(), async.end(), [](const json::object& a, const json::object& b) {
    return ns(a.at("ts")) < ns(b.at("ts"));
  });
  int tasks = 0, waits = 0;
  std::set<std::uint64_t> open_wait_ids;
  for (const json::object& e : async) {
    const auto key = std::make_pair(str(e.at("cat")), e.at("id").to_number<std::uint64_t>());
    const bool begin = e.at("ph") == "b";
    open[key] += begin ? 1 : -1;
    EXPECT_GE(open[key], 0) << key.first << " " << key.second;
    if (key.first == "wait") {
      // Two waits open at once never share an id.
      if (begin) {
        EXPECT_TRUE(open_wait_ids.insert(key.second).second);
      } else {
        open_wait_ids.erase(key.second);
      }
      waits += begin;
    }
    if (key.first == "task" && begin) {
      ++tasks;
      EXPECT_EQ(e.at("scope"), "task");
    }
  }
  for (const auto& [key, depth] : open) EXPECT_EQ(depth, 0) << key.first << " " << key.second;
  EXPECT_EQ(tasks, 3);
  EXPECT_EQ(waits, 3);
}

TEST(ChromeTraceWriter, FlowEventsJoinTheEdgeInsideTheTasksSlices) {
  const json::value v = write_and_parse(sample());
  const auto s = events(v, "s");
  const auto f = events(v, "f");
  ASSERT_EQ(s.size(), 1u);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(s[0].at("id"), f[0].at("id"));
  EXPECT_EQ(s[0].at("cat"), f[0].at("cat"));
  EXPECT_EQ(f[0].at("bp"), "e");
  // Task 0 last ran blocked on worker 1, 10-20 ms; task 2 first ran on worker 1, 50-60 ms.
  EXPECT_EQ(s[0].at("tid").to_number<int>(), 1);
  EXPECT_GT(ns(s[0].at("ts")), 10 * kMs);
  EXPECT_LT(ns(s[0].at("ts")), 20 * kMs);
  EXPECT_EQ(f[0].at("tid").to_number<int>(), 1);
  EXPECT_GT(ns(f[0].at("ts")), 50 * kMs);
  EXPECT_LT(ns(f[0].at("ts")), 60 * kMs);
}

TEST(ChromeTraceWriter, EdgesToTasksWithoutSpansAreSkipped) {
  TraceData d = sample();
  d.tasks.push_back({"sampled away"});
  d.edges.push_back({0, 3});
  d.edges.push_back({3, 2});
  const json::value v = write_and_parse(d);
  EXPECT_EQ(events(v, "s").size(), 1u);
  EXPECT_EQ(events(v, "f").size(), 1u);
}

TEST(ChromeTraceWriter, OtherDataCarriesUnitSummaryAndStride) {
  const TraceData d = sample();
  const json::value v = write_and_parse(d);
  EXPECT_EQ(v.at("displayTimeUnit"), "ms");
  const json::object& o = v.at("otherData").as_object();
  EXPECT_EQ(o.at("title"), "cake");
  EXPECT_EQ(o.at("unit"), "min");
  EXPECT_EQ(o.at("ns_per_unit").to_number<double>(), 1e9);
  EXPECT_EQ(o.at("wall_clock_ns").to_number<std::int64_t>(), d.summary.wall_ns);
  EXPECT_EQ(o.at("execution_ns").to_number<std::int64_t>(), d.summary.execution_ns);
  EXPECT_EQ(o.at("waiting_ns").to_number<std::int64_t>(), d.summary.waiting_ns);
  EXPECT_EQ(o.at("sample_stride").to_number<int>(), 2);
}

TEST(ChromeTraceWriter, XSlicesOnOneTrackNeverOverlap) {
  TraceData d;
  d.lanes = {{"jittery"}, {"calm"}};
  d.tasks = {{"a"}, {"b"}, {"c"}, {"d"}};
  // Clock jitter: b starts before a ends, c lies inside b, d touches b's end.
  d.spans = {span(EventKind::kWork, 0, 0, 0, 10), span(EventKind::kWork, 0, 1, 8, 20),
             span(EventKind::kBlocked, 0, 2, 15, 18), span(EventKind::kWork, 0, 3, 20, 25),
             span(EventKind::kWork, 1, 0, 3, 7), span(EventKind::kWork, 1, 1, 5, 9)};
  const json::value v = write_and_parse(d);
  std::map<std::uint64_t, std::vector<std::pair<std::int64_t, std::int64_t>>> tracks;
  for (const json::object& x : events(v, "X")) {
    tracks[x.at("tid").to_number<std::uint64_t>()].push_back({ns(x.at("ts")), ns(x.at("dur"))});
  }
  ASSERT_EQ(tracks[1].size(), 4u);
  ASSERT_EQ(tracks[2].size(), 2u);
  for (auto& [tid, slices] : tracks) {
    std::sort(slices.begin(), slices.end());
    for (std::size_t i = 0; i + 1 < slices.size(); ++i) {
      EXPECT_GE(slices[i].second, 0);
      EXPECT_LE(slices[i].first + slices[i].second, slices[i + 1].first) << "tid " << tid << " slice " << i;
    }
  }
  EXPECT_EQ(tracks[1][1], std::make_pair(10 * kMs, 10 * kMs));  // b clamped to start at a's end
}

struct NameCase {
  std::string raw;
  std::string decoded;
};

class ChromeTraceNames : public ::testing::TestWithParam<NameCase> {};

TEST_P(ChromeTraceNames, RoundTripThroughAJsonParser) {
  TraceData d;
  d.title = GetParam().raw;
  d.lanes = {{GetParam().raw}};
  d.tasks = {{GetParam().raw}};
  d.spans = {span(EventKind::kWork, 0, 0, 0, 1)};
  const json::value v = write_and_parse(d);
  const auto x = events(v, "X");
  ASSERT_EQ(x.size(), 1u);
  EXPECT_EQ(str(x[0].at("name")), GetParam().decoded);
  EXPECT_EQ(str(v.at("otherData").at("title")), GetParam().decoded);
}

const std::string kFFFD = "\xEF\xBF\xBD";
const std::string kValidUtf8 = "g\xC3\xA2teau \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x8E\x82";  // gâteau 日本 🎂
INSTANTIATE_TEST_SUITE_P(
    Cases, ChromeTraceNames,
    ::testing::Values(NameCase{"plain", "plain"}, NameCase{"quote \" and \\ backslash", "quote \" and \\ backslash"},
                      NameCase{"tab\tnewline\nbell\x07", "tab\tnewline\nbell\x07"},
                      NameCase{"</script> & <b>", "</script> & <b>"},
                      NameCase{kValidUtf8, kValidUtf8},
                      NameCase{"cut \xC3", "cut " + kFFFD},
                      NameCase{"overlong \xC0\xAF", "overlong " + kFFFD + kFFFD},
                      NameCase{"surrogate \xED\xA0\x80", "surrogate " + kFFFD + kFFFD + kFFFD},
                      NameCase{"too big \xF4\x90\x80\x80", "too big " + kFFFD + kFFFD + kFFFD + kFFFD},
                      NameCase{"stray \x80 byte", "stray " + kFFFD + " byte"}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(ChromeTraceWriter, TimestampsAreExactMicroseconds) {
  TraceData d;
  d.lanes = {{"w"}};
  d.spans = {Span{EventKind::kWork, 0, kNoTask, 1'234'567, 2'000'000, 0}};
  std::ostringstream out;
  ASSERT_TRUE(write_chrome_trace(d, out).ok());
  EXPECT_NE(out.str().find("\"ts\":1234.567,\"dur\":765.433"), std::string::npos) << out.str();
}

TEST(ChromeTraceWriter, WritesFilesAndNamesUnwritablePaths) {
  testing::TempDir dir;
  const std::string path = (dir / "trace.json").string();
  ASSERT_TRUE(write_chrome_trace_file(sample(), path).ok());
  json::error_code ec;
  json::parse(testing::read_file(path), ec);
  EXPECT_FALSE(ec);

  const std::string bad = (dir / "no-such-dir" / "trace.json").string();
  const Status s = write_chrome_trace_file(sample(), bad);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_NE(s.message().find(bad), std::string::npos) << s.message();
}

TEST(ChromeTraceWriter, AFailedStreamIsAnIoError) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  EXPECT_EQ(write_chrome_trace(sample(), out).code(), Status::Code::kIoError);
}

}  // namespace
}  // namespace preheat::trace
