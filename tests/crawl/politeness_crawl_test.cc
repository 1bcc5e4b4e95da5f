// The crawler's per-host politeness against the fake fetcher on a
// ManualClock: virtual time, so every assertion is about order and virtual
// start times, never about how long the test took.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "crawl/crawler.h"
#include "fetch/fake_fetcher.h"
#include "runtime/runtime.h"
#include "store/crawl_store.h"
#include "tests/crawl/fake_crawl.h"
#include "tests/support/support.h"

namespace preheat::crawl {
namespace {

using namespace std::chrono_literals;

using PoliteCrawl = FakeCrawl;

std::string html(const std::vector<std::string>& hrefs) { return html_with_links(hrefs); }

CrawlOptions options_for(std::vector<std::string> seeds) {
  CrawlOptions o;
  o.seeds = std::move(seeds);
  // Batches go to the writer thread only at the end: while the loop waits
  // for another thread, the virtual clock would jump to the next virtual
  // wait (runtime.h), which is not what these tests are about.
  o.commit_interval = std::chrono::hours(1);
  o.batch_pages = 100'000;
  o.max_attempts = 1;  // retries are due in wall-clock time; these tests run on virtual time
  o.robots = false;
  o.sitemaps = false;  // sitemap_crawl_test.cc
  o.concurrency = 4;
  return o;
}

void add_site(fetch::FakeFetcher& f, const std::string& site, int pages, Duration latency = 10ms) {
  std::vector<std::string> links;
  for (int i = 1; i <= pages; ++i) links.push_back("/" + std::to_string(i));
  f.add_page(site + "/", html(links), "text/html", latency);
  for (int i = 1; i <= pages; ++i) f.add_page(site + "/" + std::to_string(i), html({}), "text/html", latency);
}

TEST(PolitenessCrawlTest, MinDelaySpacesRequestStartsPerHost) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://a.test/"});
  o.politeness.min_delay = 1s;
  PoliteCrawl c(dir / "c.db", o, [](fetch::FakeFetcher& f) { add_site(f, "http://a.test", 5); });
  const std::vector<TimePoint> starts = c.fetcher.starts_of("http://a.test/");
  ASSERT_EQ(starts.size(), 6u);
  for (std::size_t i = 1; i < starts.size(); ++i) EXPECT_GE(starts[i] - starts[i - 1], 1s) << i;
  EXPECT_EQ(c.crawler->outcome(), CrawlOutcome::kComplete);
  EXPECT_EQ(c.crawler->counters().ok, 6);
}

// Per host, URLs wait their turn first in, first out. A chain of pages each
// linking to the next (an endless calendar, a long pagination) must not
// overtake the host's older URLs: each new chain link is parked behind them.
// (Parking every fresh URL at the front of its host's queue once starved
// every other page of a site behind its calendar.)
TEST(PolitenessCrawlTest, AChainOfLinksDoesNotOvertakeTheHostsOlderUrls) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://a.test/"});
  o.politeness.min_delay = 1s;
  constexpr int kSiblings = 20;
  constexpr int kChain = 40;
  PoliteCrawl c(dir / "c.db", o, [](fetch::FakeFetcher& f) {
    std::vector<std::string> links;
    for (int i = 1; i <= kSiblings; ++i) links.push_back("/" + std::to_string(i));
    links.push_back("/c/1");  // last: the newest URL of its host when the chain starts
    f.add_page("http://a.test/", html(links), "text/html", 10ms);
    for (int i = 1; i <= kSiblings; ++i) f.add_page("http://a.test/" + std::to_string(i), html({}), "text/html", 10ms);
    for (int k = 1; k <= kChain; ++k) {
      const std::vector<std::string> next =
          k < kChain ? std::vector<std::string>{"/c/" + std::to_string(k + 1)} : std::vector<std::string>{};
      f.add_page("http://a.test/c/" + std::to_string(k), html(next), "text/html", 10ms);
    }
  });
  ASSERT_EQ(c.fetcher.starts.size(), 1u + kSiblings + kChain);
  std::map<std::string, std::size_t> order;
  for (std::size_t i = 0; i < c.fetcher.starts.size(); ++i) order[c.fetcher.starts[i].first] = i;
  // In document order, and /c/2 (found after /c/1 arrives, when every
  // sibling is already waiting) after all of them.
  for (int i = 1; i <= kSiblings; ++i) {
    EXPECT_EQ(order.at("http://a.test/" + std::to_string(i)), static_cast<std::size_t>(i)) << i;
  }
  EXPECT_EQ(order.at("http://a.test/c/1"), kSiblings + 1u);
  EXPECT_EQ(order.at("http://a.test/c/2"), kSiblings + 2u);
  // And the host's delay still holds between every two starts.
  const std::vector<TimePoint> starts = c.fetcher.starts_of("http://a.test/");
  for (std::size_t i = 1; i < starts.size(); ++i) EXPECT_GE(starts[i] - starts[i - 1], 1s) << i;
  EXPECT_EQ(c.crawler->outcome(), CrawlOutcome::kComplete);
}

// A redirect hop is a request the host sees: the chain's hops wait for the
// host's delay like any other request (each hop counted as a start).
TEST(PolitenessCrawlTest, RedirectHopsAreSpacedByTheHostsDelay) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://a.test/"});
  o.politeness.min_delay = 1s;
  PoliteCrawl c(dir / "c.db", o, [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/", html({"/r/0", "/1", "/2"}), "text/html", 10ms);
    f.add_redirect("http://a.test/r/0", 301, "/r/1", 10ms);
    f.add_redirect("http://a.test/r/1", 302, "/r/2", 10ms);
    f.add_redirect("http://a.test/r/2", 307, "/final", 10ms);
    f.add_page("http://a.test/final", html({}), "text/html", 10ms);
    f.add_page("http://a.test/1", html({}), "text/html", 10ms);
    f.add_page("http://a.test/2", html({}), "text/html", 10ms);
  });
  const std::vector<std::string>& hops = c.fake.hops();
  ASSERT_EQ(hops.size(), 7u);  // /, three redirects, /final, /1, /2
  std::vector<TimePoint> starts = c.fake.hop_starts();
  std::sort(starts.begin(), starts.end());
  for (std::size_t i = 1; i < starts.size(); ++i) EXPECT_GE(starts[i] - starts[i - 1], 1s) << i;
  EXPECT_EQ(c.page("http://a.test/r/0").final_url, "http://a.test/final");
  EXPECT_EQ(c.crawler->politeness().states().at(0).requests, 7);
  EXPECT_EQ(c.crawler->outcome(), CrawlOutcome::kComplete);
}

TEST(PolitenessCrawlTest, InFlightCapPerHostHolds) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://a.test/"});
  o.concurrency = 8;
  o.politeness.max_in_flight = 2;
  PoliteCrawl c(dir / "c.db", o, [](fetch::FakeFetcher& f) { add_site(f, "http://a.test", 10, 1s); });
  EXPECT_EQ(c.fake.peak_per_host("http://a.test:80"), 2u);
  EXPECT_EQ(c.crawler->counters().ok, 11);
}

// A host paused by 429 Retry-After does not hold up another host: the
// fast host's pages all start while the slow one is paused (a worker that
// slept on the paused host's URL would hold them back), and the slow host
// gets no request before Retry-After has passed.
TEST(PolitenessCrawlTest, A429PausesOnlyItsHostAndNoHeadOfLineBlocking) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://slow.test/", "http://fast.test/"});
  o.concurrency = 2;
  PoliteCrawl c(dir / "c.db", o, [](fetch::FakeFetcher& f) {
    f.add_page("http://slow.test/", html({"/1", "/2", "/3"}), "text/html", 10ms);
    fetch::Response busy;
    busy.status = 429;
    busy.retry_after = "100";
    f.add_response("http://slow.test/1", busy, 10ms);
    f.add_page("http://slow.test/2", html({}), "text/html", 10ms);
    f.add_page("http://slow.test/3", html({}), "text/html", 10ms);
    add_site(f, "http://fast.test", 8, 1s);
  });
  TimePoint busy_at{};
  for (const auto& [url, t] : c.fetcher.starts) {
    if (url == "http://slow.test/1") busy_at = t;
  }
  ASSERT_NE(busy_at, TimePoint{});
  const TimePoint resume = busy_at + 10ms + 100s;  // answered after 10 ms, paused 100 s from then
  for (const auto& [url, t] : c.fetcher.starts) {
    if (url.starts_with("http://fast.test/")) {
      EXPECT_LT(t, resume) << url;
    }
    if (url == "http://slow.test/2" || url == "http://slow.test/3") {
      EXPECT_GE(t, resume) << url;
    }
  }
  EXPECT_EQ(c.fetcher.starts.size(), 4u + 9u);
  EXPECT_EQ(c.page("http://slow.test/1").status, 429);
  EXPECT_EQ(c.page("http://slow.test/3").status, 200);
  const std::vector<HostState> hosts = c.crawler->politeness().states();
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0].host, "http://fast.test");
  EXPECT_EQ(hosts[0].pauses, 0);
  EXPECT_EQ(hosts[1].host, "http://slow.test");
  EXPECT_EQ(hosts[1].pauses, 1);
  EXPECT_EQ(c.crawler->outcome(), CrawlOutcome::kComplete);
}

// A host that keeps failing is paused, tried again, then given up: its
// remaining URLs are recorded as failed with the reason, never fetched, and
// the crawl ends by itself; the healthy host is crawled in full.
TEST(PolitenessCrawlTest, AFailingHostIsPausedThenGivenUpWithItsReason) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://ok.test/", "http://bad.test/"});
  o.concurrency = 1;
  o.politeness.failures_to_pause = 2;
  o.politeness.first_pause = 10s;
  o.politeness.max_pauses = 1;
  PoliteCrawl c(dir / "c.db", o, [](fetch::FakeFetcher& f) {
    add_site(f, "http://ok.test", 3);
    std::vector<std::string> links;
    for (int i = 1; i <= 8; ++i) links.push_back("/" + std::to_string(i));
    f.add_page("http://bad.test/", html(links), "text/html", 10ms);
    for (int i = 1; i <= 8; ++i) f.add_error("http://bad.test/" + std::to_string(i), fetch::FetchErrorKind::kRefused, 10ms);
  });
  // 2 failures, a 10 s pause, 2 more failures: given up. The seed was fine.
  const std::vector<TimePoint> bad = c.fetcher.starts_of("http://bad.test/");
  ASSERT_EQ(bad.size(), 5u);
  EXPECT_GE(bad[3] - bad[2], 10s);
  int given_up = 0;
  for (int i = 1; i <= 8; ++i) {
    const store::PageRecord p = c.page("http://bad.test/" + std::to_string(i));
    EXPECT_EQ(p.state, store::FrontierState::kFailed);
    if (p.error_class == kHostFailingErrorClass) {
      ++given_up;
      EXPECT_THAT(p.error_message, ::testing::HasSubstr("refused"));
      EXPECT_EQ(p.status, 0);
    }
  }
  EXPECT_EQ(given_up, 4);
  EXPECT_EQ(c.crawler->counters().hosts_given_up, 1);
  EXPECT_EQ(c.crawler->counters().errors.at("host-failing"), 4);
  EXPECT_EQ(c.fetcher.starts_of("http://ok.test/").size(), 4u);
  EXPECT_EQ(c.crawler->outcome(), CrawlOutcome::kComplete);
}

TEST(PolitenessCrawlTest, SequentialModeWaitsForTheDelayToo) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://a.test/"});
  o.politeness.min_delay = 2s;
  ManualClock clock{TimePoint(1000s)};
  runtime::Runtime rt{{.mode = ExecutionMode::kSequential, .manual_clock = &clock}};
  fetch::FakeFetcher fake(rt, o.fetch);
  add_site(fake, "http://a.test", 3);
  RecordingFetcher fetcher(clock, fake);
  auto s = store::open_crawl_store((dir / "c.db").string(), {});
  ASSERT_TRUE(s.ok());
  auto scope = Scope::make(o.scope, o.seeds);
  Crawler crawler(rt, fetcher, **s, std::move(*scope), o);
  ASSERT_TRUE(crawler.prepare().ok());
  rt.run(crawler.run());
  ASSERT_TRUE(crawler.finish().ok());
  const std::vector<TimePoint> starts = fetcher.starts_of("http://a.test/");
  ASSERT_EQ(starts.size(), 4u);
  for (std::size_t i = 1; i < starts.size(); ++i) EXPECT_GE(starts[i] - starts[i - 1], 2s);
}

}  // namespace
}  // namespace preheat::crawl
