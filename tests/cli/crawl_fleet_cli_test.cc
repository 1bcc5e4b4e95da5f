// Fleet mode at the CLI (several `preheat crawl --db postgresql://...`
// processes on one frontier, docs/architecture.md "Several crawlers on one
// PostgreSQL"): --max-pages holds for the whole fleet.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

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
      if (t != "/robots.txt" && t != "/sitemap.xml") EXPECT_EQ(++requests[t], 1) << t << " requested twice";
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

}  // namespace
}  // namespace preheat::testing
