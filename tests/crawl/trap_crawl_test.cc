// Trap defences in a whole crawl (crawl/trap_guard.h, crawl/crawler.cc): the
// testsite's infinite calendar ends by itself with the reason in the
// database, a relative-link loop stops, and the per-host budget holds
// exactly, also across a resumed crawl.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "crawl/crawler.h"
#include "fetch/fake_fetcher.h"
#include "fetch/fetcher.h"
#include "runtime/runtime.h"
#include "store/crawl_store.h"
#include "tests/support/support.h"
#include "tests/testsite/running_server.h"
#include "testsite/fault_set.h"
#include "testsite/site_model.h"

namespace preheat::crawl {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<store::CrawlStore> open_store(const std::filesystem::path& p) {
  auto s = store::open_crawl_store(p.string(), {});
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return std::move(*s);
}

CrawlOptions options_for(std::vector<std::string> seeds) {
  CrawlOptions o;
  o.seeds = std::move(seeds);
  o.retry_base = 1ms;
  o.commit_interval = 1ms;
  o.robots = false;
  o.sitemaps = false;  // the guard alone: sitemap fetches would add requests (sitemap_crawl_test.cc)
  // Without the guard a trap would go on: the page limit ends such a crawl
  // (outcome page-limit, not complete) instead of the test's timeout.
  o.max_pages = 5000;
  return o;
}

struct Crawled {
  CrawlCounters counters;
  CrawlOutcome outcome = CrawlOutcome::kFailed;
  std::vector<std::string> hops;  // fake fetcher only
};

// One crawl of `fetcher` into `db` (resumed when it exists).
Crawled crawl(runtime::Runtime& rt, fetch::Fetcher& fetcher, const std::filesystem::path& db, const CrawlOptions& o) {
  auto store = open_store(db);
  auto scope = Scope::make(o.scope, o.seeds);
  EXPECT_TRUE(scope.ok());
  Crawler crawler(rt, fetcher, *store, std::move(*scope), o);
  EXPECT_TRUE(crawler.prepare().ok());
  rt.run(crawler.run());
  EXPECT_TRUE(crawler.finish().ok());
  return Crawled{crawler.counters(), crawler.outcome(), {}};
}

template <class Setup>
Crawled crawl_fake(const std::filesystem::path& db, const CrawlOptions& o, Setup setup) {
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  fetch::FakeFetcher fetcher(rt, o.fetch);
  setup(fetcher);
  Crawled c = crawl(rt, fetcher, db, o);
  c.hops = fetcher.hops();
  return c;
}

std::string html(const std::vector<std::string>& hrefs) {
  std::string b = "<html><body>";
  for (const auto& h : hrefs) b += "<a href=\"" + h + "\">x</a>";
  return b + "</body></html>";
}

std::vector<store::PageRecord> pages(const std::filesystem::path& db, std::string_view prefix) {
  auto s = store::open_crawl_store(db.string(), {.read_only = true});
  EXPECT_TRUE(s.ok());
  auto urls = (*s)->page_urls(std::nullopt);
  EXPECT_TRUE(urls.ok());
  std::vector<store::PageRecord> out;
  for (const std::string& u : *urls) {
    if (!u.starts_with(prefix)) continue;
    auto p = (*s)->find_page(u);
    EXPECT_TRUE(p.ok() && p->has_value()) << u;
    out.push_back(**p);
  }
  return out;
}

std::vector<store::PageRecord> traps(const std::vector<store::PageRecord>& all) {
  std::vector<store::PageRecord> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out), [](const auto& p) { return p.error_class == "trap"; });
  return out;
}

std::int64_t count_status(const std::vector<store::PageRecord>& all, int status) {
  return std::count_if(all.begin(), all.end(), [status](const auto& p) { return p.status == status; });
}

struct CalendarSite {
  testsite::SiteModel site{
      {.pages = 20, .fanout = 4, .seed = 5, .page_bytes = 256, .faults = *testsite::parse_faults("calendar")}};
  testsite::testing::RunningServer server{site, {}};
  std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
};

// Defaults but the crawl's start day: the calendar starts at 2024-01-01 and
// runs forward; 1000 of its days are fetched (a date pattern's budget), the
// next one is refused and recorded, and the crawl completes by itself.
TEST(TrapCrawlTest, TestsiteCalendarEndsByItselfAfterThePatternBudget) {
  testing::TempDir dir;
  CalendarSite s;
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  auto fetcher = fetch::make_fetcher(rt, {});
  CrawlOptions o = options_for({s.origin + "/"});
  o.traps.crawl_day = CivilDate{2026, 11, 27}.days_since_epoch();
  const Crawled c = crawl(rt, *fetcher, dir / "c.db", o);
  EXPECT_EQ(c.outcome, CrawlOutcome::kComplete);
  const std::vector<store::PageRecord> calendar = pages(dir / "c.db", s.origin + "/calendar/");
  EXPECT_EQ(count_status(calendar, 200), 1000);  // 2024-01-01 .. 2026-09-26
  const std::vector<store::PageRecord> refused = traps(calendar);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].url, s.origin + "/calendar/2026-09-27");
  EXPECT_EQ(refused[0].status, 0);
  EXPECT_EQ(refused[0].state, store::FrontierState::kDone);
  EXPECT_EQ(refused[0].error_message,
            "calendar-pattern: 1000 URLs like " + s.origin + "/calendar/{date} already (limit 1000)");
  EXPECT_EQ(c.counters.traps, (std::map<std::string, std::int64_t>{{"calendar-pattern", 1}}));
  EXPECT_EQ(c.counters.errors, (std::map<std::string, std::int64_t>{{"trap", 1}}));
  // Every page the database says was fetched was requested once; the trap never.
  s.server.stop();
  EXPECT_EQ(s.server.stats().requests, static_cast<std::uint64_t>(c.counters.pages - 1));
}

// A calendar that starts near the crawl's day ends at the future window.
TEST(TrapCrawlTest, TestsiteCalendarEndsAtTheFutureWindow) {
  testing::TempDir dir;
  CalendarSite s;
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  auto fetcher = fetch::make_fetcher(rt, {});
  CrawlOptions o = options_for({s.origin + "/"});
  o.traps.crawl_day = CivilDate{2024, 1, 10}.days_since_epoch();
  o.traps.max_future_days = 30;
  const Crawled c = crawl(rt, *fetcher, dir / "c.db", o);
  EXPECT_EQ(c.outcome, CrawlOutcome::kComplete);
  const std::vector<store::PageRecord> calendar = pages(dir / "c.db", s.origin + "/calendar/");
  EXPECT_EQ(count_status(calendar, 200), 40);  // 2024-01-01 .. 2024-02-09
  const std::vector<store::PageRecord> refused = traps(calendar);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].url, s.origin + "/calendar/2024-02-10");
  EXPECT_EQ(refused[0].error_message, "calendar: 2024-02-10 is 31 days after the crawl started (2024-01-10; limit 30)");
  EXPECT_EQ(refused[0].depth, calendar.front().depth + 40);
  EXPECT_EQ(c.counters.traps, (std::map<std::string, std::int64_t>{{"calendar", 1}}));
}

TEST(TrapCrawlTest, RelativeLinkLoopStopsAtTheThirdRepeat) {
  testing::TempDir dir;
  const Crawled c = crawl_fake(dir / "c.db", options_for({"http://a.test/"}), [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/", html({"foo/"}));
    std::string path = "http://a.test/foo/";
    for (int i = 0; i < 6; ++i, path += "foo/") f.add_page(path, html({"foo/", "/"}));
  });
  EXPECT_EQ(c.hops, (std::vector<std::string>{"http://a.test/", "http://a.test/foo/", "http://a.test/foo/foo/"}));
  const std::vector<store::PageRecord> refused = traps(pages(dir / "c.db", "http://a.test/"));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].url, "http://a.test/foo/foo/foo/");
  EXPECT_EQ(refused[0].error_message, "path-loop: 'foo' 3 times in a row (limit 2)");
  EXPECT_EQ(c.counters.traps, (std::map<std::string, std::int64_t>{{"path-loop", 1}}));
}

void two_sites(fetch::FakeFetcher& f) {
  std::vector<std::string> links;
  for (int i = 1; i <= 10; ++i) links.push_back("/" + std::to_string(i));
  f.add_page("http://a.test/", html(links));
  for (int i = 1; i <= 10; ++i) f.add_page("http://a.test/" + std::to_string(i), html({"/", "/1"}));
  f.add_page("http://b.test/", html({"/1", "/2"}));
  f.add_page("http://b.test/1", html({}));
  f.add_page("http://b.test/2", html({}));
}

std::int64_t hops_of(const std::vector<std::string>& hops, std::string_view prefix) {
  return std::count_if(hops.begin(), hops.end(), [prefix](const std::string& h) { return h.starts_with(prefix); });
}

// Four pages per host: a.test's seed and its first three links are fetched,
// the seven others refused (the first five with a row); b.test has three
// pages, all fetched.
TEST(TrapCrawlTest, PerHostBudgetHoldsExactly) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://a.test/", "http://b.test/"});
  o.traps.max_pages_per_host = 4;
  o.traps.max_rows_per_rule = 5;
  const Crawled c = crawl_fake(dir / "c.db", o, two_sites);
  EXPECT_EQ(c.outcome, CrawlOutcome::kComplete);
  EXPECT_EQ(hops_of(c.hops, "http://a.test/"), 4);
  EXPECT_EQ(hops_of(c.hops, "http://b.test/"), 3);
  const std::vector<store::PageRecord> a = pages(dir / "c.db", "http://a.test/");
  EXPECT_EQ(count_status(a, 200), 4);
  const std::vector<store::PageRecord> refused = traps(a);
  ASSERT_EQ(refused.size(), 5u);
  for (const store::PageRecord& p : refused) {
    EXPECT_EQ(p.error_message, "host-budget: 4 URLs of http://a.test already (limit 4)") << p.url;
  }
  EXPECT_EQ(c.counters.traps, (std::map<std::string, std::int64_t>{{"host-budget", 7}}));
  EXPECT_EQ(c.counters.errors.at("trap"), 5);
}

// A crawl stopped by --max-pages and resumed keeps the budget: the database's
// URLs count for their host at the start.
TEST(TrapCrawlTest, PerHostBudgetHoldsAcrossAResumedCrawl) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://a.test/", "http://b.test/"});
  o.traps.max_pages_per_host = 4;
  o.max_pages = 2;
  const Crawled first = crawl_fake(dir / "c.db", o, two_sites);
  EXPECT_EQ(first.outcome, CrawlOutcome::kPageLimit);
  EXPECT_EQ(first.counters.traps.at("host-budget"), 7);
  o.max_pages = 5000;
  const Crawled second = crawl_fake(dir / "c.db", o, two_sites);
  EXPECT_EQ(second.outcome, CrawlOutcome::kComplete);
  EXPECT_EQ(hops_of(first.hops, "http://a.test/") + hops_of(second.hops, "http://a.test/"), 4);
  EXPECT_EQ(count_status(pages(dir / "c.db", "http://a.test/"), 200), 4);
  EXPECT_TRUE(second.counters.traps.empty());  // the refused ones are known rows now
}

}  // namespace
}  // namespace preheat::crawl
