// Fleet mode at the CLI (several `preheat crawl --db postgresql://...`
// processes on one frontier, docs/architecture.md "Several crawlers on one
// PostgreSQL"): --max-pages holds for the whole fleet, a redirect to a
// host another worker holds is left to that worker, and a worker that
// starts late gets hosts from one that took them all.
#include <functional>
#include <map>
#include <thread>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include "testsite/site.h"
#include "tests/cli/crawl_cli_support.h"
#include "tests/cli/subprocess.h"
#include "tests/support/postgres_server.h"
#include "tests/support/support.h"

namespace preheat::testing {
namespace {

struct WorkerEnd {
  std::string outcome;
  std::int64_t pages = 0;
};

// Starts `n` workers with `args` at once and waits for each: every one must
// exit 0 with its JSON summary.
std::vector<WorkerEnd> run_fleet(const TempDir& dir, const std::vector<std::string>& args, int n) {
  std::vector<std::unique_ptr<Subprocess>> workers;
  for (int i = 0; i < n; ++i) workers.push_back(std::make_unique<Subprocess>(kBinary, args, dir.path()));
  std::vector<WorkerEnd> ends;
  for (auto& w : workers) {
    const ProcessResult r = w->wait(std::chrono::steady_clock::now() + std::chrono::seconds(120));
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.describe();
    if (!r.exited || r.exit_code != 0) continue;
    const boost::json::object o = boost::json::parse(r.out).as_object();
    ends.push_back(WorkerEnd{std::string(o.at("outcome").as_string()), o.at("pages").as_int64()});
  }
  return ends;
}

std::int64_t pages_of(const std::vector<WorkerEnd>& ends) {
  std::int64_t n = 0;
  for (const WorkerEnd& e : ends) n += e.pages;
  return n;
}

// Three workers with --max-pages 400 on two 1,500-page sites make exactly
// 400 pages between them (not 400 each), each ends at the page limit with
// exit 0 although URLs are still queued, and no page is requested twice.
// Exact, not "at most": these sites have no redirects, sitemaps or traps,
// so every claimed row makes one page row or a retry (room again), and the
// fleet ends only when no room is left. A resumed fleet with a higher
// budget makes the difference; an unlimited one then finishes the sites.
TEST(CliCrawlFleetTest, MaxPagesHoldsForTheWholeFleetAndAResumedFleetKeepsToIt) {
  TempDir dir;
  PostgresTestDb pg;
  Site one(1500, dir / "one.log", 2);
  Site two(1500, dir / "two.log", 2);
  const std::vector<std::string> base = {"crawl",         one.base, two.base,     "--db",  pg.uri(), "--json",
                                         "--concurrency", "8",      "--per-host", "4",     "--lease", "2"};
  const auto with_budget = [&](const char* n) {
    std::vector<std::string> args = base;
    args.insert(args.end(), {"--max-pages", n});
    return args;
  };

  std::vector<WorkerEnd> ends = run_fleet(dir, with_budget("400"), 3);
  ASSERT_EQ(ends.size(), 3u);
  for (const WorkerEnd& e : ends) EXPECT_EQ(e.outcome, "page-limit");
  EXPECT_EQ(pages_of(ends), 400);
  EXPECT_EQ(psql(pg.uri(), "SELECT count(*) FROM pages"), "400\n");
  EXPECT_NE(psql(pg.uri(), "SELECT count(*) FROM frontier WHERE state = 0"), "0\n") << "nothing left queued";
  for (const Site* site : {&one, &two}) {
    std::map<std::string, int> requests;
    for (const std::string& t : logged_targets(split_lines(read_file(dir / (site == &one ? "one.log" : "two.log"))), 0)) {
      if (t != "/robots.txt" && t != "/sitemap.xml") {
        EXPECT_EQ(++requests[t], 1) << t << " requested twice";
      }
    }
  }

  ends = run_fleet(dir, with_budget("700"), 2);
  ASSERT_EQ(ends.size(), 2u);
  for (const WorkerEnd& e : ends) EXPECT_EQ(e.outcome, "page-limit");
  EXPECT_EQ(pages_of(ends), 300);
  EXPECT_EQ(psql(pg.uri(), "SELECT count(*) FROM pages"), "700\n");

  ends = run_fleet(dir, base, 2);
  ASSERT_EQ(ends.size(), 2u);
  for (const WorkerEnd& e : ends) EXPECT_EQ(e.outcome, "complete");
  std::vector<std::string> truth = one.truth();
  for (const std::string& u : two.truth()) truth.push_back(u);
  std::sort(truth.begin(), truth.end());
  EXPECT_EQ(db_urls(dir, pg.uri()), truth);
}

// Host A: "/" links to /r/0 .. /r/{n-1}; /r/i answers 301 to targets[i]
// (pages of another host); anything else is 404.
class RedirectSite final : public testsite::Site {
 public:
  explicit RedirectSite(std::vector<std::string> targets) : targets_(std::move(targets)) {}
  testsite::SiteResponse respond(const testsite::SiteRequest& rq) const override {
    testsite::SiteResponse r;
    if (rq.target == "/") {
      r.headers.emplace_back("Content-Type", "text/html");
      r.body = "<!DOCTYPE html>\n<html><head><title>A</title></head><body>\n";
      for (std::size_t i = 0; i < targets_.size(); ++i) r.body += "<a href=\"/r/" + std::to_string(i) + "\">r</a>\n";
      r.body += "</body></html>\n";
      return r;
    }
    if (rq.target.starts_with("/r/")) {
      const std::size_t i = std::strtoul(std::string(rq.target.substr(3)).c_str(), nullptr, 10);
      if (i < targets_.size()) {
        r.status = 301;
        r.headers.emplace_back("Location", targets_[i]);
        return r;
      }
    }
    return testsite::error_response(404);
  }

 private:
  std::vector<std::string> targets_;
};

// Pages of host A redirect to pages of host B. Two workers: the one that
// holds A stops at each redirect and queues its target, which B's holder
// fetches under B's politeness: B never sees more connections than
// --per-host (1), each of its pages is requested once, every page is in
// the database, and each redirect is recorded from A's URL to B's. (Robots
// off: with robots.txt on, a hop to a site whose robots.txt this worker has
// not read was refused already.) Before, A's holder followed the hops
// inline, a second client of B beside B's holder.
TEST(CliCrawlFleetTest, ARedirectToAHostThisWorkerDoesNotHoldIsLeftToItsHolder) {
  TempDir dir;
  PostgresTestDb pg;
  Site b(300, dir / "b.log", 5);
  std::vector<std::string> targets = b.truth();
  targets.resize(120);
  const RedirectSite a_site(targets);
  const testsite::testing::RunningServer a_server(a_site, Site::options(dir / "a.log", 0));
  const std::string a = "http://127.0.0.1:" + std::to_string(a_server.port()) + "/";
  const std::vector<std::string> args = {"crawl",          a,    b.base,       "--db", pg.uri(), "--json", "--no-robots",
                                         "--concurrency", "8",  "--per-host", "1",    "--lease", "2"};
  const std::vector<WorkerEnd> ends = run_fleet(dir, args, 2);
  ASSERT_EQ(ends.size(), 2u);
  for (const WorkerEnd& e : ends) EXPECT_EQ(e.outcome, "complete");

  const std::vector<std::string> b_log = split_lines(read_file(dir / "b.log"));
  EXPECT_LE(max_open(b_log), 1) << "more connections to B at once than --per-host";
  std::map<std::string, int> requests;
  for (const std::string& t : logged_targets(b_log, 0)) {
    if (t != "/sitemap.xml") {
      EXPECT_EQ(++requests[t], 1) << t << " requested twice";
    }
  }
  std::vector<std::string> expected = b.truth();
  expected.push_back(a);
  std::vector<std::string> redirects;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    expected.push_back(a + "r/" + std::to_string(i));
    redirects.push_back(a + "r/" + std::to_string(i) + " " + targets[i] + " 301");
  }
  std::sort(expected.begin(), expected.end());
  std::sort(redirects.begin(), redirects.end());
  EXPECT_EQ(db_urls(dir, pg.uri()), expected);
  std::vector<std::string> stored = split_lines(psql(
      pg.uri(), "SELECT f.url || ' ' || t.url || ' ' || r.status FROM redirects r JOIN urls f ON f.id = r.from_id "
                "JOIN urls t ON t.id = r.to_id"));
  std::sort(stored.begin(), stored.end());
  EXPECT_EQ(stored, redirects);
  // A's redirecting pages: their 301, their final URL B's page.
  EXPECT_EQ(psql(pg.uri(), "SELECT count(*) FROM pages p JOIN urls u ON u.id = p.url_id JOIN urls f ON f.id = "
                           "p.final_url_id WHERE p.status = 301 AND u.url LIKE '" + a + "r/%' AND f.url LIKE '" +
                               b.base + "%'"),
            std::to_string(targets.size()) + "\n");
}

// One worker starts alone on six sites and takes every host; a second one
// starts then. The first hands hosts back (between its waves of claims,
// never one it has claimed URLs of) and the second holds some while the
// first still runs: host_leases shows it. Before, the second idled until
// the first finished. Both end with exit 0, the pages are the truth, and
// no site saw more connections than --per-host across the handovers.
TEST(CliCrawlFleetTest, ALateWorkerGetsHostsFromOneThatTookThemAll) {
  TempDir dir;
  PostgresTestDb pg;
  std::vector<std::unique_ptr<Site>> sites;
  std::vector<std::string> args = {"crawl"};
  for (int i = 0; i < 6; ++i) {
    sites.push_back(std::make_unique<Site>(400, dir / ("s" + std::to_string(i) + ".log"), 10));
    args.push_back(sites.back()->base);
  }
  args.insert(args.end(), {"--db", pg.uri(), "--quiet", "--concurrency", "12", "--per-host", "2", "--lease", "2"});
  Subprocess first(kBinary, args, dir.path());
  const std::string first_id = "%:" + std::to_string(first.pid()) + ":%";
  const auto until = [](const std::function<bool()>& done) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  };
  ASSERT_TRUE(until([&] {
    return psql(pg.uri(), "SELECT count(*) FROM host_leases WHERE worker LIKE '" + first_id + "'") == "6\n";
  })) << "the first worker never held the six hosts";

  Subprocess second(kBinary, args, dir.path());
  const std::string second_id = "%:" + std::to_string(second.pid()) + ":%";
  // One snapshot: the second holds a host while the first is registered.
  const std::string both = "SELECT (SELECT count(*) FROM host_leases WHERE worker LIKE '" + second_id +
                           "') > 0 AND EXISTS (SELECT 1 FROM fleet_workers WHERE worker LIKE '" + first_id + "')";
  EXPECT_TRUE(until([&] { return psql(pg.uri(), both) == "t\n"; }))
      << "the second worker got no host while the first ran";
  for (Subprocess* w : {&first, &second}) {
    const ProcessResult r = w->wait(std::chrono::steady_clock::now() + std::chrono::seconds(120));
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  }
  std::vector<std::string> truth;
  for (const auto& site : sites) {
    for (const std::string& u : site->truth()) truth.push_back(u);
  }
  std::sort(truth.begin(), truth.end());
  EXPECT_EQ(db_urls(dir, pg.uri()), truth);
  for (int i = 0; i < 6; ++i) {
    EXPECT_LE(max_open(split_lines(read_file(dir / ("s" + std::to_string(i) + ".log")))), 2) << "site " << i;
  }
}

}  // namespace
}  // namespace preheat::testing
