// End-to-end tests of `preheat crawl`, `urls` and `stats`: the real binary
// against a testsite on loopback (in this process, with a request log), killed
// with SIGKILL at random points and resumed, interrupted with SIGINT, and fed
// bad input. Nothing here asserts a duration.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "testsite/fault_pages.h"
#include "testsite/fault_set.h"
#include "testsite/site_model.h"
#include "tests/cli/crawl_cli_support.h"
#include "tests/cli/subprocess.h"
#include "tests/support/support.h"
#include "tests/testsite/running_server.h"

namespace preheat::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(CliCrawlTest, CrawlsTheSiteAndReportsJson) {
  TempDir dir;
  Site site(300, dir / "requests.log");
  const ProcessResult r = run_process(kBinary, {"crawl", site.base, "--db", "c.db", "--json", "--quiet"}, dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  const boost::json::object o = boost::json::parse(r.out).as_object();
  EXPECT_EQ(o.at("pages").as_int64(), 300);
  EXPECT_EQ(o.at("errors").as_int64(), 0);
  EXPECT_EQ(o.at("mode").as_string(), "async");
  EXPECT_EQ(o.at("outcome").as_string(), "complete");
  for (const char* key : {"wall_s", "execution_s", "pages_per_s", "waiting_share"}) {
    EXPECT_TRUE(o.contains(key)) << key;
  }
  EXPECT_EQ(db_urls(dir, "c.db"), site.truth());
  // The same command again resumes a finished crawl: nothing left to fetch.
  const ProcessResult again = run_process(kBinary, {"crawl", site.base, "--db", "c.db", "--json", "--quiet"}, dir.path());
  ASSERT_TRUE(again.exited && again.exit_code == 0) << again.describe();
  EXPECT_EQ(boost::json::parse(again.out).at("pages").as_int64(), 0);
  EXPECT_EQ(boost::json::parse(again.out).at("pages_total").as_int64(), 300);
  // stats
  const ProcessResult st = run_process(kBinary, {"stats", "--db", "c.db", "--json"}, dir.path());
  ASSERT_TRUE(st.exited && st.exit_code == 0) << st.describe();
  const boost::json::object s = boost::json::parse(st.out).as_object();
  EXPECT_EQ(s.at("pages").as_int64(), 300);
  EXPECT_EQ(s.at("runs").as_int64(), 2);
  EXPECT_EQ(s.at("status_classes").at("2xx").as_int64(), 300);
  // --fresh starts over, and the timeline files are written.
  const ProcessResult fresh =
      run_process(kBinary, {"crawl", site.base, "--db", "c.db", "--json", "--quiet", "--fresh", "--trace", "t/crawl.json",
                            "--svg", "t/crawl.svg"},
                  dir.path());
  ASSERT_TRUE(fresh.exited && fresh.exit_code == 0) << fresh.describe();
  EXPECT_EQ(boost::json::parse(fresh.out).at("pages").as_int64(), 300);
  const boost::json::value trace = boost::json::parse(read_file(dir / "t" / "crawl.json"));
  EXPECT_GT(trace.at("traceEvents").as_array().size(), 300u);  // at least one span per page
  EXPECT_THAT(read_file(dir / "t" / "crawl.svg"), HasSubstr("<svg"));
}

TEST(CliCrawlTest, ASecondSigintLeavesAtOnceAndTheDatabaseStaysConsistent) {
  TempDir dir;
  Site site(3000, dir / "requests.log", 5);
  Subprocess p(kBinary, {"crawl", site.base, "--db", "c.db", "--quiet", "--concurrency", "4", "--per-host", "4"}, dir.path());
  wait_for_requests(dir / "requests.log", 20);
  p.send_signal(SIGINT);
  p.send_signal(SIGINT);
  const ProcessResult r = p.wait(std::chrono::steady_clock::now() + std::chrono::seconds(60));
  ASSERT_TRUE(r.exited) << r.describe();
  EXPECT_EQ(r.exit_code, 130) << r.describe();
  // The database opens, and the crawl resumes to the complete site.
  const ProcessResult st = run_process(kBinary, {"stats", "--db", "c.db", "--json"}, dir.path());
  ASSERT_TRUE(st.exited && st.exit_code == 0) << st.describe();
  const ProcessResult rest = run_process(kBinary, {"crawl", site.base, "--db", "c.db", "--quiet", "--concurrency", "32", "--per-host", "32"}, dir.path());
  ASSERT_TRUE(rest.exited && rest.exit_code == 0) << rest.describe();
  EXPECT_EQ(db_urls(dir, "c.db"), site.truth());
}

TEST(CliCrawlTest, DemoCrawlRunsAllThreeModesAgainstItsOwnSite) {
  TempDir dir;
  const ProcessResult r = run_process(
      kBinary, {"demo", "crawl", "--pages", "40", "--latency", "2", "--concurrency", "8", "--json", "--out", "out"},
      dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  const boost::json::object o = boost::json::parse(r.out).as_object();
  const boost::json::array& modes = o.at("modes").as_array();
  ASSERT_EQ(modes.size(), 3u);
  std::vector<std::string> names;
  for (const boost::json::value& m : modes) {
    names.emplace_back(m.at("mode").as_string());
    EXPECT_EQ(m.at("pages").as_int64(), 40);
    EXPECT_EQ(m.at("errors").as_int64(), 0);
    EXPECT_TRUE(fs::exists(dir / std::string(m.at("svg").as_string())));
    EXPECT_TRUE(fs::exists(dir / std::string(m.at("trace").as_string())));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"sequential", "async", "parallel"}));
  EXPECT_GT(o.at("little_bound_s").as_double(), 0);
}

TEST(CliCrawlTest, KilledAtRandomPointsThenResumedFetchesEverythingOnceCommitted) {
  TempDir dir;
  const fs::path log = dir / "requests.log";
  // ~2,000 pages x 5 ms / 8 in flight: a crawl of a second or more, killed
  // after 30-300 ms each time.
  Site site(2000, log, 5);
  std::mt19937 rng(4242);
  std::uniform_int_distribution<int> delay_ms(30, 300);
  std::set<std::string> fetched_before;  // committed pages before each run, as targets
  int kills = 0;
  for (int run = 0; run < 12; ++run) {
    std::vector<std::string> before_log = split_lines(read_file(log));
    std::set<std::string> committed;
    for (const std::string& u : db_urls(dir, "c.db")) committed.insert(site.target(u));
    const bool last = run == 11;
    Subprocess p(kBinary, {"crawl", site.base, "--db", "c.db", "--quiet", "--concurrency", "8", "--per-host", "8"},
                 dir.path());
    ProcessResult r;
    if (!last) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      p.send_signal(SIGKILL);
    }
    r = p.wait(std::chrono::steady_clock::now() + std::chrono::seconds(120));
    if (r.term_signal == SIGKILL) ++kills;
    // No page committed before this run was requested by it.
    const std::vector<std::string> requested = logged_targets(split_lines(read_file(log)), before_log.size());
    for (const std::string& t : requested) {
      EXPECT_EQ(committed.count(t), 0u) << "run " << run << " fetched " << t << " again although it was committed";
    }
    if (r.exited) {
      ASSERT_EQ(r.exit_code, 0) << r.describe();
      break;
    }
  }
  EXPECT_GE(kills, 3) << "the crawl finished too fast to be killed mid-way; slow the site down";
  EXPECT_EQ(db_urls(dir, "c.db"), site.truth());
}

// The request targets and statuses in testsite log lines [from, end), the crawler's own files left out.
std::vector<std::pair<std::string, int>> logged_pages(const std::vector<std::string>& log, std::size_t from) {
  std::vector<std::pair<std::string, int>> out;
  for (std::size_t i = from; i < log.size(); ++i) {
    std::istringstream fields(log[i]);
    std::string time, method, target;
    int status = 0;
    fields >> time >> method >> target >> status;
    // The crawler's own files are not pages: robots.txt, and the
    // /sitemap.xml it tries (404 here) when robots.txt names no sitemap.
    if (target != "/robots.txt" && target != "/sitemap.xml") out.emplace_back(target, status);
  }
  return out;
}

// Targets of the pages whose last check was a 304 (pages.not_modified).
std::set<std::string> revalidated(const TempDir& dir, const Site& site) {
  std::set<std::string> out;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2((dir / "c.db").string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.not_modified = 1",
                               -1, &st, nullptr),
            SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    out.insert(site.target(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

TEST(CliCrawlTest, AKilledRecrawlContinuesWithConditionalRequestsAndDoesNotStartOver) {
  TempDir dir;
  const fs::path log = dir / "requests.log";
  Site site(1000, log, 5);
  const std::vector<std::string> args = {"--db", "c.db", "--quiet", "--concurrency", "8", "--per-host", "8"};
  std::vector<std::string> first = {"crawl", site.base};
  first.insert(first.end(), args.begin(), args.end());
  const ProcessResult crawled = run_process(kBinary, first, dir.path());
  ASSERT_TRUE(crawled.exited && crawled.exit_code == 0) << crawled.describe();

  // --recrawl without seeds: the database's; killed part-way.
  std::vector<std::string> recrawl = {"crawl", "--recrawl"};
  recrawl.insert(recrawl.end(), args.begin(), args.end());
  const std::size_t mark0 = split_lines(read_file(log)).size();
  {
    Subprocess p(kBinary, recrawl, dir.path());
    // Killed once its first batch is committed (polled: the machine may be
    // slow; this is a guard against hangs, not a timing check).
    for (int i = 0; i < 3000 && revalidated(dir, site).empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    p.send_signal(SIGKILL);
    const ProcessResult killed = p.wait(std::chrono::steady_clock::now() + std::chrono::seconds(60));
    ASSERT_EQ(killed.term_signal, SIGKILL) << "the recrawl finished before it was killed; slow the site down";
  }
  const std::set<std::string> committed = revalidated(dir, site);
  EXPECT_GT(committed.size(), 0u);
  EXPECT_LT(committed.size(), 1000u);
  const std::size_t mark1 = split_lines(read_file(log)).size();

  recrawl.push_back("--json");
  const ProcessResult rest = run_process(kBinary, recrawl, dir.path());
  ASSERT_TRUE(rest.exited && rest.exit_code == 0) << rest.describe();
  const boost::json::object o = boost::json::parse(rest.out).as_object();
  const boost::json::object& x = o.at("recrawl").as_object();
  EXPECT_TRUE(x.at("resumed").as_bool());
  EXPECT_EQ(x.at("requeued").as_int64(), 1000);
  EXPECT_EQ(x.at("changed").as_int64(), 0);
  EXPECT_EQ(x.at("not_modified").as_int64(), x.at("revisited").as_int64());

  const std::vector<std::string> lines = split_lines(read_file(log));
  std::set<std::string> asked;
  for (const auto& [target, status] : logged_pages(lines, mark0)) {
    EXPECT_EQ(status, 304) << target;  // the site did not change: every request was conditional
    asked.insert(target);
  }
  // The second run asked nothing the first had committed: it continued.
  for (const auto& [target, status] : logged_pages(lines, mark1)) {
    EXPECT_EQ(committed.count(target), 0u) << target << " was revalidated again";
  }
  EXPECT_EQ(asked.size(), 1000u);
  EXPECT_EQ(revalidated(dir, site).size(), 1000u);
  EXPECT_EQ(db_urls(dir, "c.db"), site.truth());
}

TEST(CliCrawlTest, SigintCommitsAndExits130ThenResumes) {
  TempDir dir;
  Site site(3000, dir / "requests.log", 5);
  Subprocess p(kBinary, {"crawl", site.base, "--db", "c.db", "--concurrency", "4", "--per-host", "4"}, dir.path());
  wait_for_requests(dir / "requests.log", 20);
  p.send_signal(SIGINT);
  const ProcessResult r = p.wait(std::chrono::steady_clock::now() + std::chrono::seconds(60));
  ASSERT_TRUE(r.exited) << r.describe();
  EXPECT_EQ(r.exit_code, 130) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("interrupted"));
  EXPECT_THAT(r.out, HasSubstr("crawl interrupted"));
  const std::size_t after_interrupt = db_urls(dir, "c.db").size();
  EXPECT_GT(after_interrupt, 0u);
  EXPECT_LT(after_interrupt, 3000u);
  const ProcessResult rest = run_process(kBinary, {"crawl", site.base, "--db", "c.db", "--quiet", "--concurrency", "32", "--per-host", "32"}, dir.path());
  ASSERT_TRUE(rest.exited && rest.exit_code == 0) << rest.describe();
  EXPECT_EQ(db_urls(dir, "c.db"), site.truth());
}

TEST(CliCrawlTest, AllThreeModesFindTheSamePages) {
  TempDir dir;
  Site site(400, dir / "requests.log");
  for (const char* mode : {"sequential", "async", "parallel"}) {
    const std::string db = std::string(mode) + ".db";
    const ProcessResult r = run_process(kBinary, {"crawl", site.base, "--db", db, "--mode", mode, "--quiet"}, dir.path());
    ASSERT_TRUE(r.exited && r.exit_code == 0) << mode << ": " << r.describe();
    EXPECT_EQ(db_urls(dir, db), site.truth()) << mode;
  }
}

TEST(CliCrawlTest, RobotsTxtIsObeyedByDefaultAndNoRobotsSaysSoLoudly) {
  TempDir dir;
  const auto faults = testsite::parse_faults("robots");
  ASSERT_TRUE(faults.ok());
  Site site(30, dir / "requests.log", 0, *faults);
  auto targets = [&](std::size_t from) { return logged_targets(split_lines(read_file(dir / "requests.log")), from); };
  auto has = [](const std::vector<std::string>& v, const char* t) { return std::count(v.begin(), v.end(), t); };

  const ProcessResult on = run_process(kBinary, {"crawl", site.base, "--db", "on.db", "--quiet"}, dir.path());
  ASSERT_TRUE(on.exited && on.exit_code == 0) << on.describe();
  EXPECT_THAT(on.err, ::testing::Not(HasSubstr("no-robots")));
  const std::vector<std::string> first = targets(0);
  EXPECT_EQ(has(first, "/robots.txt"), 1);
  EXPECT_EQ(has(first, "/fault/robots/private"), 0);  // neither itself nor through the redirect
  EXPECT_EQ(has(first, "/fault/robots/allowed"), 1);

  const ProcessResult off =
      run_process(kBinary, {"crawl", site.base, "--db", "off.db", "--quiet", "--no-robots"}, dir.path());
  ASSERT_TRUE(off.exited && off.exit_code == 0) << off.describe();
  EXPECT_THAT(off.err, HasSubstr("preheat crawl: WARNING: --no-robots is on: robots.txt is NOT fetched and NOT obeyed"));
  const std::vector<std::string> second = targets(first.size());
  EXPECT_EQ(has(second, "/robots.txt"), 0);
  EXPECT_EQ(has(second, "/fault/robots/private"), 2);  // itself, and as /fault/robots-redirect's hop
}

// Sitemaps are read by default (the testsite's orphan, listed only there, is
// crawled; the JSON counts them); --no-sitemaps reads none.
TEST(CliCrawlTest, SitemapsAreReadByDefaultAndNoSitemapsReadsNone) {
  TempDir dir;
  const auto faults = testsite::parse_faults("robots,sitemap");
  ASSERT_TRUE(faults.ok());
  Site site(20, dir / "requests.log", 0, *faults);
  const std::string orphan = site.base + std::string(testsite::kSitemapOrphanPath).substr(1);
  auto has = [](const std::vector<std::string>& v, const std::string& u) { return std::count(v.begin(), v.end(), u); };
  const ProcessResult on = run_process(kBinary, {"crawl", site.base, "--db", "on.db", "--json", "--quiet"}, dir.path());
  ASSERT_TRUE(on.exited && on.exit_code == 0) << on.describe();
  const boost::json::object o = boost::json::parse(on.out).as_object();
  EXPECT_EQ(o.at("sitemaps").as_int64(), 1);
  EXPECT_EQ(o.at("sitemap_urls").as_int64(), 21);  // the 20 pages and the orphan
  EXPECT_EQ(o.at("sitemap_urls_added").as_int64(), 20);  // the seed was known
  EXPECT_EQ(has(db_urls(dir, "on.db"), orphan), 1);
  const ProcessResult off =
      run_process(kBinary, {"crawl", site.base, "--db", "off.db", "--json", "--quiet", "--no-sitemaps"}, dir.path());
  ASSERT_TRUE(off.exited && off.exit_code == 0) << off.describe();
  EXPECT_EQ(boost::json::parse(off.out).at("sitemaps").as_int64(), 0);
  EXPECT_EQ(has(db_urls(dir, "off.db"), orphan), 0);
}

// A port on 127.0.0.1 that refuses connections: bound, never listening.
class ClosedPort {
 public:
  ClosedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~ClosedPort() { ::close(fd_); }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// ---- politeness per host, checked from the testsite's own request log ----

struct LoggedRequest {
  std::int64_t ms = 0;  // when the response finished, ms of the UTC day
  std::string target;
  int status = 0;
};

// "2024-05-01T12:00:00.123Z GET /p/1 200 ..." lines.
std::vector<LoggedRequest> logged_requests(const fs::path& log) {
  std::vector<LoggedRequest> out;
  for (const std::string& line : split_lines(read_file(log))) {
    std::istringstream fields(line);
    std::string time, method;
    LoggedRequest r;
    fields >> time >> method >> r.target >> r.status;
    int h = 0, m = 0, s = 0, ms = 0;
    EXPECT_EQ(std::sscanf(time.c_str() + 11, "%d:%d:%d.%dZ", &h, &m, &s, &ms), 4) << line;
    r.ms = ((h * 60 + m) * 60 + s) * 1000 + ms;
    if (!out.empty() && r.ms < out.back().ms - 3'600'000) r.ms += 86'400'000;  // past midnight
    out.push_back(std::move(r));
  }
  return out;
}

// The log has the time each response finished, not when the request came:
// a response that took d ms shortens the gap to the next one by d. Loopback
// answers of 512-byte pages take a few ms; this much is allowed.
constexpr std::int64_t kLogSlackMs = 25;

TEST(CliCrawlPolitenessTest, CrawlDelayFromRobotsTxtSpacesEveryRequest) {
  TempDir dir;
  const auto faults = testsite::parse_faults("robots");
  ASSERT_TRUE(faults.ok());
  Site site(8, dir / "requests.log", 0, *faults, 0.2);
  const ProcessResult r = run_process(kBinary, {"crawl", site.base, "--db", "c.db", "--json", "--quiet"}, dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  const std::vector<LoggedRequest> log = logged_requests(dir / "requests.log");
  ASSERT_GE(log.size(), 9u);  // robots.txt, 8 pages, the allowed fault page
  EXPECT_EQ(log[0].target, "/robots.txt");
  for (std::size_t i = 2; i < log.size(); ++i) {  // robots.txt itself is not a page request
    EXPECT_GE(log[i].ms - log[i - 1].ms, 200 - kLogSlackMs) << log[i - 1].target << " -> " << log[i].target;
  }
  const boost::json::object o = boost::json::parse(r.out).as_object();
  const boost::json::array& hosts = o.at("hosts").as_array();
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0].at("host").as_string(), site.base.substr(0, site.base.size() - 1));
  EXPECT_EQ(hosts[0].at("crawl_delay_ms").to_number<double>(), 200);
  EXPECT_EQ(hosts[0].at("requests").as_int64(), static_cast<std::int64_t>(log.size()));
  EXPECT_TRUE(hosts[0].at("given_up").is_null());
  // --max-crawl-delay caps it: 0 means no wait at all between requests.
  const ProcessResult capped = run_process(
      kBinary, {"crawl", site.base, "--db", "capped.db", "--json", "--quiet", "--max-crawl-delay", "0"}, dir.path());
  ASSERT_TRUE(capped.exited && capped.exit_code == 0) << capped.describe();
  EXPECT_EQ(boost::json::parse(capped.out).at("hosts").at(0).at("crawl_delay_ms").to_number<double>(), 0);
}

// 429 with Retry-After: 2 pauses that host (no request to it for 2 s, from
// its own log) and only that one: the other site is crawled meanwhile.
TEST(CliCrawlPolitenessTest, A429PausesItsHostAsToldAndOnlyThatHost) {
  TempDir dir;
  const auto faults = testsite::parse_faults("429");
  ASSERT_TRUE(faults.ok());
  Site busy(5, dir / "busy.log", 0, *faults);
  Site other(30, dir / "other.log");
  const ProcessResult r = run_process(kBinary,
                                      {"crawl", busy.base + "fault/429", other.base, "--db", "c.db", "--json", "--quiet",
                                       "--max-attempts", "2", "--retry-delay", "0.01", "--concurrency", "2"},
                                      dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  std::vector<std::int64_t> busy_429;
  for (const LoggedRequest& q : logged_requests(dir / "busy.log")) {
    if (q.target == "/fault/429") busy_429.push_back(q.ms);
  }
  ASSERT_EQ(busy_429.size(), 2u);  // tried twice, as --max-attempts says
  EXPECT_GE(busy_429[1] - busy_429[0], 2000);
  const std::vector<LoggedRequest> other_log = logged_requests(dir / "other.log");
  ASSERT_GE(other_log.size(), 30u);
  // The other host is crawled during the pause. (Asserting that all of its
  // 30 pages finish within the 2 s pause failed once on a loaded machine: a
  // speed claim, not the behaviour under test.)
  const auto during_pause = std::count_if(other_log.begin(), other_log.end(), [&](const LoggedRequest& q) {
    return q.ms > busy_429[0] && q.ms < busy_429[1];
  });
  EXPECT_GE(during_pause, 1) << "the other host waited for the paused one";
  const boost::json::object o = boost::json::parse(r.out).as_object();
  EXPECT_EQ(o.at("outcome").as_string(), "complete");
  for (const boost::json::value& h : o.at("hosts").as_array()) {
    const bool is_busy = busy.base.starts_with(h.at("host").as_string().c_str());
    EXPECT_EQ(h.at("pauses").as_int64(), is_busy ? 2 : 0) << h;
  }
}

// A host that keeps failing is paused, tried again, given up with its reason
// (host-failing in the database and in stats), and the crawl ends by itself.
TEST(CliCrawlPolitenessTest, AFailingHostIsGivenUpWithItsReasonAndTheCrawlEnds) {
  TempDir dir;
  Site good(10, dir / "requests.log");
  ClosedPort closed;
  const std::string dead = "http://127.0.0.1:" + std::to_string(closed.port()) + "/";
  // 2 failures pause the host 0.05 s; 2 more after that one pause give it up.
  const ProcessResult r =
      run_process(kBinary,
                  {"crawl", good.base, dead, "--db", "c.db", "--json", "--quiet", "--max-attempts", "9",
                   "--retry-delay", "0.01", "--host-failures", "2", "--host-pause", "0.05", "--host-pauses", "1"},
                  dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  const boost::json::object o = boost::json::parse(r.out).as_object();
  EXPECT_EQ(o.at("outcome").as_string(), "complete");
  EXPECT_EQ(o.at("errors_by_class").at("host-failing").as_int64(), 1);
  bool seen_dead = false;
  for (const boost::json::value& h : o.at("hosts").as_array()) {
    if (!dead.starts_with(h.at("host").as_string().c_str())) continue;
    seen_dead = true;
    ASSERT_TRUE(h.at("given_up").is_string()) << h;
    EXPECT_THAT(std::string(h.at("given_up").as_string()), HasSubstr("refused"));
    EXPECT_EQ(h.at("requests").as_int64(), 4);  // robots.txt, then the seed 3 times; never more
  }
  EXPECT_TRUE(seen_dead);
  const ProcessResult st = run_process(kBinary, {"stats", "--db", "c.db", "--json"}, dir.path());
  ASSERT_TRUE(st.exited && st.exit_code == 0) << st.describe();
  const boost::json::value stats = boost::json::parse(st.out);
  EXPECT_EQ(stats.at("errors").at("host-failing").as_int64(), 1);
  // Per host, from the pages table: the dead host given up, the good one not.
  const boost::json::array& hosts = stats.at("hosts").as_array();
  ASSERT_EQ(hosts.size(), 2u);
  for (const boost::json::value& h : hosts) {
    const bool is_dead = dead.starts_with(h.at("host").as_string().c_str());
    EXPECT_EQ(h.at("given_up").as_bool(), is_dead) << h;
    EXPECT_EQ(h.at("pages").as_int64(), is_dead ? 1 : 10) << h;
  }
  const ProcessResult text = run_process(kBinary, {"stats", "--db", "c.db"}, dir.path());
  EXPECT_THAT(text.out, HasSubstr("host " + dead.substr(0, dead.size() - 1) + ": 1 pages, 1 errors"));
}

TEST(CliCrawlTest, AnUnreachableSeedIsAClearErrorExitOne) {
  TempDir dir;
  ClosedPort closed;
  const std::string url = "http://127.0.0.1:" + std::to_string(closed.port()) + "/";
  const ProcessResult r =
      run_process(kBinary, {"crawl", url, "--db", "c.db", "--quiet", "--max-attempts", "1"}, dir.path());
  EXPECT_TRUE(r.exited && r.exit_code == 1) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("no seed could be fetched: " + url + ": refused"));
}

TEST(CliCrawlTest, BadInputIsRefusedBeforeAnythingIsWritten) {
  TempDir dir;
  fs::create_directory(dir / "sub");
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string err;
  };
  const std::vector<Case> cases = {
      {{"crawl", "http://exa mple.com:99999/"}, 2, "bad seed URL 'http://exa mple.com:99999/'"},
      {{"crawl", "ftp://example.com/"}, 2, "only http and https"},
      {{"crawl", "not a url"}, 2, "bad seed URL"},
      {{"crawl"}, 2, "no seed URL given"},
      {{"crawl", "--recrawl", "--db", "missing.db"}, 2, "--recrawl: no crawl database at 'missing.db'"},
      {{"crawl", "http://127.0.0.1:9/", "--recrawl", "--fresh"}, 2, "not with --fresh"},
      {{"crawl", "http://127.0.0.1:9/", "--include", "("}, 2, "regex"},
      {{"crawl", "http://127.0.0.1:9/", "--scope", "planet"}, 2, "scope"},
      {{"crawl", "http://127.0.0.1:9/", "--stall-timeout", "0"}, 2, "--stall-timeout"},
      {{"crawl", "http://127.0.0.1:9/", "--max-decompressed", "-5"}, 2, "--max-decompressed"},
      {{"crawl", "http://127.0.0.1:9/", "--db", "no/such/folder/c.db"}, 3, "no/such/folder/c.db"},
      {{"crawl", "http://127.0.0.1:9/", "--db", "sub"}, 3, "sub"},
      {{"urls", "--db", "missing.db"}, 2, "missing.db"},
      {{"stats", "--db", "missing.db"}, 2, "missing.db"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.args));
    const ProcessResult r = run_process(kBinary, c.args, dir.path());
    EXPECT_TRUE(r.exited && r.exit_code == c.code) << r.describe();
    EXPECT_THAT(r.err, HasSubstr(c.err));
  }
  // Nothing was created by the refused commands.
  EXPECT_FALSE(fs::exists(dir / "crawl.db"));
  EXPECT_FALSE(fs::exists(dir / "missing.db"));
}

TEST(CliCrawlTest, ANonDatabaseFileIsLeftAloneAndANewerSchemaIsRefused) {
  TempDir dir;
  write_file(dir / "notes.txt", "these are my notes, not a database\n");
  ProcessResult r = run_process(kBinary, {"crawl", "http://127.0.0.1:9/", "--db", "notes.txt"}, dir.path());
  EXPECT_TRUE(r.exited && r.exit_code == 2) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("notes.txt"));
  EXPECT_EQ(read_file(dir / "notes.txt"), "these are my notes, not a database\n");

  // A database written by a newer preheat: refused, by crawl and by stats.
  Site site(20, dir / "requests.log");
  r = run_process(kBinary, {"crawl", site.base, "--db", "c.db", "--quiet"}, dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "c.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 999", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"crawl", site.base, "--db", "c.db"}, std::vector<std::string>{"stats", "--db", "c.db"}}) {
    r = run_process(kBinary, args, dir.path());
    EXPECT_TRUE(r.exited && r.exit_code == 2) << r.describe();
    EXPECT_THAT(r.err, HasSubstr("999"));
  }
}


// ---- issue 5's "Done when": every fault of the testsite at once ----

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// A page row as `preheat export --format jsonl` gives it, by request target.
struct ExportedPage {
  int status = 0;
  std::string error_class;
  std::string error_message;
  std::int64_t attempts = 0;
  std::string text;
};

std::map<std::string, ExportedPage> exported_pages(const TempDir& dir, const std::string& db, const Site& site) {
  const ProcessResult r = run_process(kBinary, {"export", "--db", db, "--format", "jsonl", "--out", "-"}, dir.path());
  EXPECT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  std::map<std::string, ExportedPage> out;
  for (const std::string& line : split_lines(r.out)) {
    // Boost.JSON refuses invalid UTF-8: every stored text must be valid.
    const boost::json::object o = boost::json::parse(line).as_object();
    const std::string url(o.at("url").as_string());
    EXPECT_TRUE(url.starts_with(site.base)) << url;  // never mailto:, javascript:, data:, tel:
    ExportedPage p;
    p.status = static_cast<int>(o.at("status").as_int64());
    p.error_class = std::string(o.at("error_class").as_string());
    p.error_message = std::string(o.at("error_message").as_string());
    p.attempts = o.at("attempts").as_int64();
    p.text = std::string(o.at("text").as_string());
    out[site.target(url)] = std::move(p);
  }
  return out;
}

// Against `testsite --faults all` (every trap linked from the site), a crawl
// with default settings, apart from shorter waits and a calendar budget of
// 20 days instead of 1000 (so that the test stays short), ends on its own,
// obeys robots.txt (also behind a redirect) and its Crawl-delay, pauses as
// 429 and 503 tell it to (all from the testsite's own request log), reads the
// sitemap, records every trap with its reason, and keeps its memory bounded
// although one response inflates to a gigabyte.
TEST(CliCrawlGoodCitizenTest, EveryFaultAtOnceEndsByItselfPolitelyWithEachTrapRecorded) {
  TempDir dir;
  const auto faults = testsite::parse_faults("all");
  ASSERT_TRUE(faults.ok());
  constexpr std::int64_t kCrawlDelayMs = 50;
  Site site(40, dir / "requests.log", 0, *faults, kCrawlDelayMs / 1000.0);
  // Under ASan freed memory waits in a quarantine (256 MB by default) that
  // counts in RSS: kept small here so that the bound below means the same.
  long rss_limit_kb = 400 * 1024;
  if (kSanitized) {
    const char* asan = std::getenv("ASAN_OPTIONS");
    const std::string options = std::string(asan != nullptr ? asan : "") + ":quarantine_size_mb=16";
    ASSERT_EQ(setenv("ASAN_OPTIONS", options.c_str(), 1), 0);
    rss_limit_kb = 700 * 1024;  // shadow memory and redzones; still below the bomb's 1 GiB
  }
  const ProcessResult r = run_process(
      kBinary,
      {"crawl", site.base, "--db", "c.db", "--json", "--quiet", "--stall-timeout", "0.5", "--retry-delay", "0.05",
       "--max-pages-per-date-pattern", "20"},
      dir.path(), std::chrono::seconds(100));
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  const boost::json::object summary = boost::json::parse(r.out).as_object();
  EXPECT_EQ(summary.at("outcome").as_string(), "complete");

  const std::vector<LoggedRequest> log = logged_requests(dir / "requests.log");
  ASSERT_FALSE(log.empty());
  std::map<std::string, int> requested;
  for (const LoggedRequest& q : log) ++requested[q.target];
  // robots.txt: asked once, first; its Disallow obeyed, its longer Allow too.
  EXPECT_EQ(log[0].target, "/robots.txt");
  EXPECT_EQ(requested["/robots.txt"], 1);
  EXPECT_EQ(requested.count("/fault/robots/private"), 0u);
  EXPECT_EQ(requested["/fault/robots/allowed"], 1);
  EXPECT_EQ(requested["/fault/robots-redirect"], 1);  // its 302 points into the disallowed path
  // The sitemap robots.txt names is read, and the page only it lists is crawled.
  EXPECT_EQ(requested["/sitemap.xml"], 1);
  EXPECT_EQ(requested["/fault/sitemap/orphan"], 1);
  EXPECT_EQ(summary.at("sitemaps").as_int64(), 1);
  // Crawl-delay between every two requests. Responses cut short or big
  // (stall, reset, bomb, oversize) end at other times than they start; the
  // log has end times, so they are left out of the spacing check.
  const std::set<std::string> odd{"/fault/stall", "/fault/reset", "/fault/gzip-bomb", "/fault/oversize"};
  std::vector<LoggedRequest> even;
  for (const LoggedRequest& q : log) {
    if (!odd.contains(q.target)) even.push_back(q);
  }
  for (std::size_t i = 2; i < even.size(); ++i) {
    EXPECT_GE(even[i].ms - even[i - 1].ms, kCrawlDelayMs - kLogSlackMs) << even[i - 1].target << " -> " << even[i].target;
  }
  // Retry-After pauses the whole host: nothing else is answered until it ends.
  const std::map<std::string, std::int64_t> pause_ms{
      {"/fault/429", 2000}, {"/fault/503", 1000}, {"/fault/429-date", 3000}};  // the date: 5 s ahead, whole seconds
  for (std::size_t i = 0; i < even.size(); ++i) {
    auto pause = pause_ms.find(even[i].target);
    if (pause == pause_ms.end()) continue;
    for (std::size_t j = i + 1; j < even.size(); ++j) {
      if (even[j].ms > even[i].ms + pause->second - kLogSlackMs) break;
      EXPECT_LE(even[j].ms, even[i].ms + kLogSlackMs) << even[j].target << " during the pause after " << even[i].target;
    }
  }
  // Retryable answers are tried --max-attempts (3) times, no more.
  // (The stalled response is logged only when its 60 s stall ends, after
  // the test: its attempts are checked in the database below.)
  for (const char* target : {"/fault/500", "/fault/503", "/fault/429", "/fault/reset"}) {
    EXPECT_EQ(requested[target], 3) << target;
  }
  for (const auto& [target, n] : requested) {
    if (target.starts_with("/p/")) {
      EXPECT_EQ(n, 1) << target;
    }
  }

  // Every trap recorded with its reason.
  const std::map<std::string, ExportedPage> pages = exported_pages(dir, "c.db", site);
  struct Expected {
    int status;
    const char* error_class;
  };
  const std::map<std::string, Expected> expected{
      {"/fault/500", {500, "http-5xx"}},
      {"/fault/503", {503, "http-5xx"}},
      {"/fault/429", {429, "http-4xx"}},
      {"/fault/429-date", {429, "http-4xx"}},
      {"/fault/reset", {200, "protocol"}},
      {"/fault/stall", {200, "stall"}},
      {"/fault/redirect-loop/a", {302, "redirect-loop"}},
      {"/fault/redirect-chain/0", {301, "too-many-redirects"}},
      {"/fault/gzip-bomb", {200, "too-large"}},
      {"/fault/oversize", {200, "too-large"}},
      {"/fault/binary", {200, ""}},
      {"/fault/bad-utf8", {200, ""}},
      {"/fault/charsets/windows-1252", {200, ""}},
      {"/fault/charsets/shift-jis", {200, ""}},
      {"/fault/schemes", {200, ""}},
      {"/fault/robots/private", {0, "robots"}},
      {"/fault/robots/allowed", {200, ""}},
      {"/fault/robots-redirect", {302, "robots"}},
      {"/fault/sitemap/orphan", {200, ""}},
  };
  for (const auto& [target, want] : expected) {
    auto it = pages.find(target);
    ASSERT_NE(it, pages.end()) << target;
    EXPECT_EQ(it->second.error_class, want.error_class) << target << ": " << it->second.error_message;
    if (want.status != 0 || it->second.error_class == "robots") {
      EXPECT_EQ(it->second.status, want.status) << target;
    }
    if (!it->second.error_class.empty()) {
      EXPECT_FALSE(it->second.error_message.empty()) << target;
    }
  }
  EXPECT_EQ(pages.at("/fault/stall").attempts, 3);
  EXPECT_THAT(pages.at("/fault/bad-utf8").text, HasSubstr("\xEF\xBF\xBD"));  // U+FFFD where bytes were invalid
  EXPECT_THAT(pages.at("/fault/charsets/windows-1252").text, HasSubstr("\xE2\x80\x9CGuillemets\xE2\x80\x9D"));  // 93, 94
  for (const std::string& url : site.truth()) EXPECT_TRUE(pages.contains(site.target(url))) << url;
  // The endless calendar: 20 days fetched, the 21st refused as a trap.
  int calendar_days = 0;
  for (const auto& [target, n] : requested) {
    if (target.starts_with("/calendar/")) calendar_days += n;
  }
  EXPECT_EQ(calendar_days, 20);
  int trap_rows = 0;
  for (const auto& [target, page] : pages) {
    if (page.error_class != "trap") continue;
    ++trap_rows;
    EXPECT_TRUE(target.starts_with("/calendar/")) << target;
    EXPECT_THAT(page.error_message, ::testing::StartsWith("calendar-pattern")) << target;
  }
  EXPECT_EQ(trap_rows, 1);
  EXPECT_EQ(summary.at("traps").at("calendar-pattern").as_int64(), 1);
  // Bounded memory: the bomb inflates to 1 GiB; the crawler stops at 64 MiB.
  EXPECT_LT(r.max_rss_kb, rss_limit_kb) << "peak RSS";
}

}  // namespace
}  // namespace preheat::testing
