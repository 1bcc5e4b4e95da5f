// /metrics: the counters' arithmetic, the exposition text checked by an
// independent parser (python3-prometheus-client's), and both servers
// counting real requests.
#include <cstdio>
#include <thread>

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "serve/metrics.h"
#include "serve/router.h"
#include "tests/serve/serve_test_util.h"
#include "tests/support/support.h"

namespace preheat::serve::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

TEST(CountersTest, RecordsStatusClassAndLatencyBucket) {
  Counters c;
  c.record(200, 700us);   // <= 1 ms: bucket 1
  c.record(204, 1ms);     // an upper bound is inclusive (le): bucket 1
  c.record(404, 30ms);    // <= 50 ms: bucket 6
  c.record(503, 20s);     // over every bound: the last bucket
  c.record(0, 5s);        // no answer: counted, no latency
  const ServerStats s = c.snapshot();
  EXPECT_EQ(s.by_class[2], 2u);
  EXPECT_EQ(s.by_class[4], 1u);
  EXPECT_EQ(s.by_class[5], 1u);
  EXPECT_EQ(s.by_class[0], 1u);
  EXPECT_EQ(s.latency_buckets[1], 2u);
  EXPECT_EQ(s.latency_buckets[6], 1u);
  EXPECT_EQ(s.latency_buckets.back(), 1u);
  std::uint64_t total = 0;
  for (std::uint64_t n : s.latency_buckets) total += n;
  EXPECT_EQ(total, 4u);
  EXPECT_NEAR(s.latency_sum_s, 0.0007 + 0.001 + 0.030 + 20.0, 1e-9);
}

TEST(CountersTest, DbCallMovesFromQueuedToRunningAndLeaves) {
  Counters c;
  {
    DbCall call(c);
    EXPECT_EQ(c.snapshot().db_queued, 1u);
    call.running();
    EXPECT_EQ(c.snapshot().db_queued, 0u);
    EXPECT_EQ(c.snapshot().db_running, 1u);
  }
  { DbCall never_ran(c); }  // cancelled while queued
  EXPECT_EQ(c.snapshot().db_queued, 0u);
  EXPECT_EQ(c.snapshot().db_running, 0u);
}

TEST(CountersTest, InFlightRecordsItsAnswerWhenItEnds) {
  Counters c;
  {
    InFlight f(c);
    EXPECT_EQ(c.snapshot().in_flight, 1u);
    f.answered(301);
  }
  { InFlight unanswered(c); }
  const ServerStats s = c.snapshot();
  EXPECT_EQ(s.requests, 2u);
  EXPECT_EQ(s.in_flight, 0u);
  EXPECT_EQ(s.by_class[3], 1u);
  EXPECT_EQ(s.by_class[0], 1u);
}

// Runs Debian's python3 (/usr/bin: not a pyenv shim that lacks the package) with prometheus_client's parser over `text`; the families as
// JSON: {name: {type, samples: [[name, labels, value]...]}}.
boost::json::object parse_with_prometheus_client(const std::string& text) {
  preheat::testing::TempDir dir;
  preheat::testing::write_file(dir / "metrics.txt", text);
  const std::string script =
      "import json,sys\n"
      "from prometheus_client.parser import text_string_to_metric_families\n"
      "out={}\n"
      "for f in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
      "  out[f.name]={'type':f.type,'samples':[[s.name,s.labels,s.value] for s in f.samples]}\n"
      "print(json.dumps(out))\n";
  preheat::testing::write_file(dir / "parse.py", script);
  const std::string cmd = "/usr/bin/python3 " + (dir / "parse.py").string() + " " + (dir / "metrics.txt").string();
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int rc = pclose(pipe);
  EXPECT_EQ(rc, 0) << "python3 with prometheus_client (Debian python3-prometheus-client, scripts/setup) failed";
  if (rc != 0) return {};
  return boost::json::parse(out).as_object();
}

double sample_value(const boost::json::object& families, const std::string& family, const std::string& sample,
                    const std::string& label = "", const std::string& value = "") {
  for (const auto& s : families.at(family).at("samples").as_array()) {
    const auto& row = s.as_array();
    if (row[0].as_string() != sample) continue;
    if (!label.empty() && row[1].as_object().at(label).as_string() != value) continue;
    return row[2].to_number<double>();
  }
  ADD_FAILURE() << "no sample " << sample << " " << label << "=" << value;
  return -1;
}

TEST(PrometheusTextTest, AnIndependentParserReadsEveryFamily) {
  Counters c;
  c.record(200, 2ms);
  c.record(200, 40ms);
  c.record(500, 3s);
  c.db_queued = 4;
  const std::string text = prometheus_text(c.snapshot(), {"async \"quoted\"\n", 3});
  const boost::json::object f = parse_with_prometheus_client(text);
  ASSERT_FALSE(f.empty()) << text;
  EXPECT_EQ(f.at("preheat_http_request_duration_seconds").at("type").as_string(), "histogram");
  EXPECT_EQ(f.at("preheat_http_requests").at("type").as_string(), "counter");
  EXPECT_EQ(sample_value(f, "preheat_http_requests", "preheat_http_requests_total", "code", "2xx"), 2);
  EXPECT_EQ(sample_value(f, "preheat_http_requests", "preheat_http_requests_total", "code", "5xx"), 1);
  // Buckets are cumulative.
  const std::string h = "preheat_http_request_duration_seconds";
  EXPECT_EQ(sample_value(f, h, h + "_bucket", "le", "0.001"), 0);
  EXPECT_EQ(sample_value(f, h, h + "_bucket", "le", "0.0025"), 1);
  EXPECT_EQ(sample_value(f, h, h + "_bucket", "le", "0.05"), 2);
  EXPECT_EQ(sample_value(f, h, h + "_bucket", "le", "2.5"), 2);
  EXPECT_EQ(sample_value(f, h, h + "_bucket", "le", "5"), 3);
  EXPECT_EQ(sample_value(f, h, h + "_bucket", "le", "+Inf"), 3);
  EXPECT_EQ(sample_value(f, h, h + "_count"), 3);
  EXPECT_NEAR(sample_value(f, h, h + "_sum"), 3.042, 1e-9);
  EXPECT_EQ(sample_value(f, "preheat_db_calls_queued", "preheat_db_calls_queued"), 4);
  EXPECT_EQ(sample_value(f, "preheat_db_threads", "preheat_db_threads"), 3);
  // The label value survived its escaping.
  EXPECT_EQ(sample_value(f, "preheat_info", "preheat_info", "mode", "async \"quoted\"\n"), 1);
}

TEST(RouterTest, MetricsIsAServerPageForGetAndHead) {
  const ServeLimits limits;
  EXPECT_TRUE(std::holds_alternative<ServerPage>(route("GET", "/metrics", limits)));
  EXPECT_TRUE(std::holds_alternative<ServerPage>(route("HEAD", "/metrics?x=1", limits)));
  EXPECT_TRUE(std::holds_alternative<Response>(route("POST", "/metrics", limits)));
}

class MetricsServerTest : public ::testing::TestWithParam<ModeEngine> {
 protected:
  void SetUp() override { make_crawl_db(db_); }
  static ServeMode mode() { return std::get<0>(GetParam()); }
  ServeDb engine_{std::get<1>(GetParam())};
  std::string db_ = engine_.location();
};

TEST_P(MetricsServerTest, CountsTheRequestsItAnswered) {
  ServeOptions o;
  o.mode = mode();
  o.threads = 2;
  o.db_threads = 2;
  ServerThread server(db_, o);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(get(server.port(), "/api/stats").status, 200);
  ASSERT_EQ(get(server.port(), "/no-such-page").status, 404);
  ASSERT_EQ(get(server.port(), "/metrics", "DELETE").status, 405);
  const Reply r = get(server.port(), "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.head, HasSubstr("text/plain; version=0.0.4"));
  const boost::json::object f = parse_with_prometheus_client(r.body);
  ASSERT_FALSE(f.empty()) << r.body;
  // The /metrics request itself is in flight, not yet answered.
  EXPECT_EQ(sample_value(f, "preheat_http_requests", "preheat_http_requests_total", "code", "2xx"), 3);
  EXPECT_EQ(sample_value(f, "preheat_http_requests", "preheat_http_requests_total", "code", "4xx"), 2);
  EXPECT_EQ(sample_value(f, "preheat_http_requests_in_flight", "preheat_http_requests_in_flight"), 1);
  EXPECT_EQ(sample_value(f, "preheat_http_connections", "preheat_http_connections_total"), 6);
  const std::string h = "preheat_http_request_duration_seconds";
  EXPECT_EQ(sample_value(f, h, h + "_count"), 5);
  EXPECT_EQ(sample_value(f, "preheat_db_calls_running", "preheat_db_calls_running"), 0);
  // Async on PostgreSQL reads on the io loop: no reader thread.
  const bool no_readers = mode() == ServeMode::kAsync && engine_.postgres();
  EXPECT_EQ(sample_value(f, "preheat_db_threads", "preheat_db_threads"), no_readers ? 0 : 2);
  EXPECT_EQ(sample_value(f, "preheat_info", "preheat_info", "mode", mode() == ServeMode::kAsync ? "async" : "sync"), 1);
}

TEST_P(MetricsServerTest, ShowsARequestStuckOnTheDatabase) {
  ServeOptions o;
  o.mode = mode();
  o.threads = 2;
  o.db_threads = 1;
  o.db_latency_for = [](const Request& r) { return r.param("slow") ? 1500ms : 0ms; };
  ServerThread server(db_, o);
  Reply slow;
  std::thread client([&] { slow = get(server.port(), "/api/stats?slow=1"); });
  while (server.stats().in_flight == 0) std::this_thread::sleep_for(5ms);
  // Answered by the server while the slow request waits (no database).
  const Reply r = get(server.port(), "/metrics");
  client.join();
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(slow.status, 200);
  const boost::json::object f = parse_with_prometheus_client(r.body);
  ASSERT_FALSE(f.empty()) << r.body;
  EXPECT_EQ(sample_value(f, "preheat_http_requests_in_flight", "preheat_http_requests_in_flight"), 2);
  EXPECT_EQ(sample_value(f, "preheat_http_connections_open", "preheat_http_connections_open"), 2);
}

INSTANTIATE_TEST_SUITE_P(Modes, MetricsServerTest, modes_and_engines(), mode_engine_name);

}  // namespace
}  // namespace preheat::serve::testing
