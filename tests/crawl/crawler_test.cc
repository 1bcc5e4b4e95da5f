// The crawler end to end in process: against the fake fetcher (redirects,
// retries, scope, budgets, resume: exact and fast) and against a real
// testsite on loopback in all three modes (the ground truth, exactly).
#include "crawl/crawler.h"

#include <algorithm>
#include <functional>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/url_normalizer.h"
#include "fetch/fake_fetcher.h"
#include "fetch/fetcher.h"
#include "runtime/runtime.h"
#include "store/crawl_store.h"
#include "testsite/fault_set.h"
#include "testsite/site_model.h"
#include "tests/support/support.h"
#include "tests/testsite/running_server.h"

namespace preheat::crawl {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAreArray;

std::unique_ptr<store::CrawlStore> open_store(const std::filesystem::path& p, bool fresh = false) {
  auto s = store::open_crawl_store(p.string(), {.fresh = fresh});
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return std::move(*s);
}

CrawlOptions options_for(std::vector<std::string> seeds) {
  CrawlOptions o;
  o.seeds = std::move(seeds);
  o.retry_base = 1ms;
  o.commit_interval = 1ms;
  // These tests count the fake fetcher's hops exactly; robots.txt has its
  // own tests (CrawlerRobotsTest, and the testsite crawls below keep it on),
  // sitemaps theirs (sitemap_crawl_test.cc).
  o.robots = false;
  o.sitemaps = false;
  return o;
}

struct Outcome {
  CrawlCounters counters;
  CrawlOutcome outcome = CrawlOutcome::kFailed;
  Status status;
};

// Runs one crawl with a FakeFetcher set up by `pages`.
template <class Setup>
Outcome crawl_fake(const std::filesystem::path& db, CrawlOptions o, Setup setup, std::vector<std::string>* hops = nullptr,
                   ExecutionMode mode = ExecutionMode::kAsync) {
  runtime::Runtime rt({.mode = mode});
  fetch::FakeFetcher fetcher(rt, o.fetch);
  setup(fetcher);
  auto store = open_store(db);
  auto scope = Scope::make(o.scope, o.seeds);
  EXPECT_TRUE(scope.ok());
  Crawler crawler(rt, fetcher, *store, std::move(*scope), o);
  Outcome out;
  out.status = crawler.prepare();
  if (!out.status.ok()) return out;
  rt.run(crawler.run());
  out.status = crawler.finish();
  out.counters = crawler.counters();
  out.outcome = crawler.outcome();
  if (hops) *hops = fetcher.hops();
  return out;
}

std::vector<std::string> page_urls(const std::filesystem::path& db, std::optional<int> status = std::nullopt) {
  auto s = store::open_crawl_store(db.string(), {.read_only = true});
  EXPECT_TRUE(s.ok());
  auto urls = (*s)->page_urls(status);
  EXPECT_TRUE(urls.ok());
  return *urls;
}

std::string html(const std::vector<std::string>& hrefs) {
  std::string b = "<html><head><title>t</title></head><body>";
  for (const auto& h : hrefs) b += "<a href=\"" + h + "\">x</a>";
  return b + "</body></html>";
}

TEST(CrawlerFakeTest, FollowsLinksInScopeAndRecordsTheRest) {
  testing::TempDir dir;
  std::vector<std::string> hops;
  Outcome r = crawl_fake(dir / "c.db", options_for({"http://a.test/"}), [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/", html({"/one", "two#frag", "http://b.test/x", "mailto:me@a.test", "/one"}));
    f.add_page("http://a.test/one", html({"/", "/two"}));
    f.add_page("http://a.test/two", html({"/three"}));
    f.add_page("http://a.test/three", "plain text", "text/plain");
  }, &hops);
  ASSERT_TRUE(r.status.ok()) << r.status.to_string();
  EXPECT_EQ(r.outcome, CrawlOutcome::kComplete);
  EXPECT_THAT(page_urls(dir / "c.db"), ElementsAre("http://a.test/", "http://a.test/one", "http://a.test/three",
                                                  "http://a.test/two"));
  // Each page fetched once; the other host and mailto: never.
  std::sort(hops.begin(), hops.end());
  EXPECT_THAT(hops, ElementsAre("http://a.test/", "http://a.test/one", "http://a.test/three", "http://a.test/two"));
  auto s = store::open_crawl_store((dir / "c.db").string(), {.read_only = true});
  auto st = (*s)->stats();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->pages, 4);
  EXPECT_EQ(st->links, 5 + 2 + 1);  // every link recorded, duplicates and off-site included
  EXPECT_EQ(st->frontier.at(store::FrontierState::kDone), 4);
}

TEST(CrawlerFakeTest, RedirectContentBelongsToTheFinalUrlWhichIsNotFetchedAgain) {
  testing::TempDir dir;
  std::vector<std::string> hops;
  Outcome r = crawl_fake(dir / "c.db", options_for({"http://a.test/"}), [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/", html({"/old"}));
    f.add_redirect("http://a.test/old", 301, "/new");
    f.add_page("http://a.test/new", html({"/leaf", "/new", "/old"}));
    f.add_page("http://a.test/leaf", html({}));
  }, &hops);
  ASSERT_TRUE(r.status.ok());
  EXPECT_THAT(page_urls(dir / "c.db"), ElementsAre("http://a.test/", "http://a.test/leaf", "http://a.test/new",
                                                  "http://a.test/old"));
  // /new is fetched once, as the redirect's target: its own link to itself
  // finds it known already.
  EXPECT_EQ(std::count(hops.begin(), hops.end(), "http://a.test/new"), 1);
  EXPECT_EQ(std::count(hops.begin(), hops.end(), "http://a.test/leaf"), 1);
}

TEST(CrawlerFakeTest, ASeedThatRedirectsToAnotherSiteBringsThatSiteIntoScopeAlsoOnResume) {
  auto setup = [](fetch::FakeFetcher& f) {
    f.add_redirect("http://a.test/", 301, "http://www.a.test/");
    f.add_page("http://www.a.test/", html({"/x", "http://other.test/"}));
    f.add_page("http://www.a.test/x", html({"/y"}));
    f.add_page("http://www.a.test/y", html({"/", "http://a.test/nope"}));
  };
  // a.test stays in scope too (a 404 here): both sites are the crawl's.
  const std::vector<std::string> all = {"http://a.test/", "http://a.test/nope", "http://www.a.test/",
                                        "http://www.a.test/x", "http://www.a.test/y"};
  {
    testing::TempDir dir;
    std::vector<std::string> hops;
    Outcome r = crawl_fake(dir / "c.db", options_for({"http://a.test/"}), setup, &hops);
    ASSERT_TRUE(r.status.ok());
    EXPECT_EQ(page_urls(dir / "c.db"), all);
    EXPECT_EQ(std::count(hops.begin(), hops.end(), "http://other.test/"), 0);
  }
  {
    // Stopped after the seed; the next run must still follow www.a.test's links.
    testing::TempDir dir;
    CrawlOptions o = options_for({"http://a.test/"});
    o.max_pages = 1;
    ASSERT_TRUE(crawl_fake(dir / "c.db", o, setup).status.ok());
    o.max_pages = -1;
    Outcome r = crawl_fake(dir / "c.db", o, setup);
    ASSERT_TRUE(r.status.ok());
    EXPECT_EQ(r.outcome, CrawlOutcome::kComplete);
    EXPECT_EQ(page_urls(dir / "c.db"), all);
  }
}

TEST(CrawlerFakeTest, RetryableErrorsAreRetriedThenRecordedAsFailed) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://a.test/"});
  o.max_attempts = 3;
  std::vector<std::string> hops;
  Outcome r = crawl_fake(dir / "c.db", o, [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/", html({"/flaky", "/gone"}));
    f.add_error("http://a.test/flaky", fetch::FetchErrorKind::kProtocol);
    // /gone: unknown to the fake, a 404: final at once.
  }, &hops);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(std::count(hops.begin(), hops.end(), "http://a.test/flaky"), 3);
  EXPECT_EQ(std::count(hops.begin(), hops.end(), "http://a.test/gone"), 1);
  EXPECT_EQ(r.counters.retries, 2);
  EXPECT_EQ(r.counters.errors.at("protocol"), 1);
  EXPECT_EQ(r.counters.errors.at("http-4xx"), 1);
  EXPECT_THAT(page_urls(dir / "c.db", 404), ElementsAre("http://a.test/gone"));
  auto s = store::open_crawl_store((dir / "c.db").string(), {.read_only = true});
  auto st = (*s)->stats();
  EXPECT_EQ(st->frontier.at(store::FrontierState::kFailed), 1);
  EXPECT_EQ(st->frontier.at(store::FrontierState::kDone), 2);
}

TEST(CrawlerFakeTest, PageLimitStopsAndTheNextRunResumesWithoutRefetching) {
  testing::TempDir dir;
  auto setup = [](fetch::FakeFetcher& f) {
    // A chain of 30 pages plus a fan of 20 from the root.
    std::vector<std::string> root_links;
    for (int i = 1; i <= 20; ++i) root_links.push_back("/f" + std::to_string(i));
    root_links.push_back("/c1");
    f.add_page("http://a.test/", html(root_links));
    for (int i = 1; i <= 20; ++i) f.add_page("http://a.test/f" + std::to_string(i), html({}));
    for (int i = 1; i <= 30; ++i) f.add_page("http://a.test/c" + std::to_string(i), html({"/c" + std::to_string(i + 1)}));
  };
  for (ExecutionMode mode : {ExecutionMode::kSequential, ExecutionMode::kAsync, ExecutionMode::kParallel}) {
    SCOPED_TRACE(to_string(mode));
    testing::TempDir d;
    CrawlOptions o = options_for({"http://a.test/"});
    o.max_pages = 10;
    o.concurrency = 4;
    std::vector<std::string> first, second;
    Outcome r1 = crawl_fake(d / "c.db", o, setup, &first, mode);
    ASSERT_TRUE(r1.status.ok());
    EXPECT_EQ(r1.outcome, CrawlOutcome::kPageLimit);
    EXPECT_EQ(page_urls(d / "c.db").size(), 10u);
    o.max_pages = -1;
    Outcome r2 = crawl_fake(d / "c.db", o, setup, &second, mode);
    ASSERT_TRUE(r2.status.ok());
    EXPECT_EQ(r2.outcome, CrawlOutcome::kComplete);
    EXPECT_EQ(page_urls(d / "c.db").size(), 1u + 20u + 31u);  // /c31 is a 404, still a page
    EXPECT_EQ(r2.counters.pages_before, 10);
    // Nothing committed by the first run was fetched by the second.
    for (const std::string& u : second) {
      EXPECT_TRUE(std::find(first.begin(), first.end(), u) == first.end()) << u << " fetched twice";
    }
  }
}

TEST(CrawlerFakeTest, WindowOverflowGoesThroughTheDatabase) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://a.test/"});
  o.window = 3;  // far fewer than the 50 links of the root
  std::vector<std::string> hops;
  Outcome r = crawl_fake(dir / "c.db", o, [](fetch::FakeFetcher& f) {
    std::vector<std::string> links;
    for (int i = 0; i < 50; ++i) links.push_back("/p" + std::to_string(i));
    f.add_page("http://a.test/", html(links));
    for (int i = 0; i < 50; ++i) f.add_page("http://a.test/p" + std::to_string(i), html({"/q" + std::to_string(i)}));
    for (int i = 0; i < 50; ++i) f.add_page("http://a.test/q" + std::to_string(i), html({}));
  }, &hops);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(page_urls(dir / "c.db").size(), 101u);
  EXPECT_EQ(hops.size(), 101u);
  // Lowest depth first: every /p is fetched before any /q that came from the database.
  const auto last_p = std::find_if(hops.rbegin(), hops.rend(), [](const std::string& h) { return h.find("/p") != std::string::npos; });
  const auto first_q = std::find_if(hops.begin(), hops.end(), [](const std::string& h) { return h.find("/q") != std::string::npos; });
  ASSERT_NE(first_q, hops.end());
  EXPECT_LT(std::distance(hops.begin(), last_p.base()), std::distance(hops.begin(), first_q) + 4)
      << "depth order lost beyond the window";
}

// ---- against a real testsite on loopback ----

// ---- robots.txt ------------------------------------------------------------

// A crawl against the fake fetcher with robots.txt on; the crawler is kept
// for its robots() answers.
struct RobotsCrawl {
  runtime::Runtime rt{{.mode = ExecutionMode::kAsync}};
  fetch::FakeFetcher fetcher;
  std::unique_ptr<store::CrawlStore> store;
  std::optional<Crawler> crawler;

  RobotsCrawl(const std::filesystem::path& db, CrawlOptions o, const std::function<void(fetch::FakeFetcher&)>& setup)
      : fetcher(rt, o.fetch), store(open_store(db)) {
    o.robots = true;
    setup(fetcher);
    auto scope = Scope::make(o.scope, o.seeds);
    crawler.emplace(rt, fetcher, *store, std::move(*scope), o);
    EXPECT_TRUE(crawler->prepare().ok());
    rt.run(crawler->run());
    EXPECT_TRUE(crawler->finish().ok());
  }
};

store::PageRecord find_page(const std::filesystem::path& db, const std::string& url) {
  auto s = store::open_crawl_store(db.string(), {.read_only = true});
  EXPECT_TRUE(s.ok());
  auto p = (*s)->find_page(url);
  EXPECT_TRUE(p.ok() && p->has_value()) << url;
  return p.ok() && p->has_value() ? **p : store::PageRecord{};
}

TEST(CrawlerRobotsTest, DisallowedUrlsAreRecordedAndNeverFetched) {
  testing::TempDir dir;
  RobotsCrawl c(dir / "c.db", options_for({"http://a.test/"}), [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/robots.txt",
               "User-agent: *\nDisallow: /\n\nUser-agent: preheat\nDisallow: /private\nCrawl-delay: 2\n"
               "Sitemap: http://a.test/s.xml\n",
               "text/plain");
    f.add_page("http://a.test/", html({"/private/x", "/public", "/private/y"}));
    f.add_page("http://a.test/public", html({"/"}));
    f.add_page("http://a.test/private/x", html({}));
  });
  // The preheat group applies (not '*'), robots.txt is fetched once.
  EXPECT_THAT(c.fetcher.hops(), UnorderedElementsAreArray(std::vector<std::string>{
                                    "http://a.test/robots.txt", "http://a.test/", "http://a.test/public"}));
  EXPECT_EQ(c.fetcher.hops().front(), "http://a.test/robots.txt");
  const store::PageRecord p = find_page(dir / "c.db", "http://a.test/private/x");
  EXPECT_EQ(p.status, 0);
  EXPECT_EQ(p.error_class, "robots");
  EXPECT_EQ(p.error_message, "Disallow: /private (robots.txt line 5)");
  EXPECT_EQ(c.crawler->counters().errors.at("robots"), 2);
  EXPECT_EQ(c.crawler->outcome(), CrawlOutcome::kComplete);
  const RobotsEntry* robots = c.crawler->robots("http://a.test");
  ASSERT_NE(robots, nullptr);
  EXPECT_EQ(effective_crawl_delay(*robots, RobotsOptions{}), std::chrono::seconds(2));
  EXPECT_EQ(robots->sitemaps, std::vector<std::string>{"http://a.test/s.xml"});
}

TEST(CrawlerRobotsTest, AnUnreachableRobotsTxtBlocksTheSiteThenGivesUpWithTheReason) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://a.test/"});
  o.max_attempts = 3;
  o.robots_options.unreachable_retry = 1ms;
  // The URL's retries come well after robots.txt may be asked again: retry
  // times are wall-clock milliseconds (rounded down) and the robots entry
  // expires on the steady clock, so with both at ~1 ms a retry could find
  // the entry not yet expired (a flake seen once in 6 ASan runs).
  o.retry_base = 20ms;
  RobotsCrawl c(dir / "c.db", o, [](fetch::FakeFetcher& f) {
    fetch::Response down;
    down.status = 503;
    f.add_response("http://a.test/robots.txt", down);
    f.add_page("http://a.test/", html({}));
  });
  // robots.txt is asked again once each retry time has come; the page never.
  EXPECT_EQ(c.fetcher.hops(), std::vector<std::string>(3, "http://a.test/robots.txt"));
  const store::PageRecord p = find_page(dir / "c.db", "http://a.test/");
  EXPECT_EQ(p.error_class, "robots");
  EXPECT_EQ(p.error_message, "robots.txt unreachable: http 503");
  EXPECT_EQ(p.attempts, 3);
  EXPECT_EQ(c.crawler->counters().retries, 2);
  EXPECT_EQ(c.crawler->seed_failure(), "http://a.test/: robots: robots.txt unreachable: http 503");
}

TEST(CrawlerRobotsTest, TestsiteRobotsFaultIsObeyedAndNoRobotsIgnoresIt) {
  testing::TempDir dir;
  auto faults = testsite::parse_faults("robots");
  ASSERT_TRUE(faults.ok());
  testsite::SiteModel site(
      {.pages = 20, .fanout = 4, .seed = 3, .page_bytes = 256, .faults = *faults, .crawl_delay_s = 0.01});
  for (const bool robots : {true, false}) {
    testsite::testing::RunningServer server(site, {});
    const std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
    runtime::Runtime rt({.mode = ExecutionMode::kAsync});
    auto fetcher = fetch::make_fetcher(rt, {});
    const std::filesystem::path db = dir / (robots ? "on.db" : "off.db");
    auto store = open_store(db, true);
    CrawlOptions o = options_for({origin + "/"});
    o.robots = robots;
    auto scope = Scope::make(o.scope, o.seeds);
    Crawler crawler(rt, *fetcher, *store, std::move(*scope), o);
    ASSERT_TRUE(crawler.prepare().ok());
    rt.run(crawler.run());
    ASSERT_TRUE(crawler.finish().ok());
    store.reset();
    const store::PageRecord priv = find_page(db, origin + "/fault/robots/private");
    EXPECT_EQ(find_page(db, origin + "/fault/robots/allowed").status, 200);  // the longer Allow wins
    const std::size_t fetched = page_urls(db).size() - (robots ? 1 : 0);
    if (robots) {
      EXPECT_EQ(priv.status, 0);
      EXPECT_EQ(priv.error_class, "robots");
      EXPECT_EQ(priv.error_message, "Disallow: /fault/robots/ (robots.txt line 3)");
      // Every fetched page once, robots.txt once, the disallowed page never.
      EXPECT_EQ(server.stats().requests, fetched + 1);
      const RobotsEntry* entry = crawler.robots(origin);
      ASSERT_NE(entry, nullptr);
      EXPECT_EQ(entry->access, RobotsAccess::kRules);
      EXPECT_EQ(effective_crawl_delay(*entry, o.robots_options), std::chrono::milliseconds(10));
      EXPECT_EQ(entry->sitemaps, std::vector<std::string>{origin + "/sitemap.xml"});
    } else {
      EXPECT_EQ(priv.status, 200);
      // and the hop of /fault/robots-redirect to it (its content then
      // stays with the redirect's row: the page has its own fetch).
      EXPECT_EQ(server.stats().requests, fetched + 1);
      EXPECT_EQ(crawler.robots(origin), nullptr);
    }
  }
}

std::vector<std::string> crawl_testsite(const std::string& base, const std::filesystem::path& db, ExecutionMode mode,
                                        std::size_t concurrency) {
  runtime::Runtime rt({.mode = mode, .workers = 2});
  fetch::FetchOptions fo;
  fo.max_in_flight = concurrency;
  fo.max_per_host = concurrency;
  auto fetcher = fetch::make_fetcher(rt, fo);
  auto store = open_store(db, true);
  CrawlOptions o = options_for({base});
  o.concurrency = concurrency;
  o.fetch = fo;
  o.robots = true;
  auto scope = Scope::make(o.scope, o.seeds);
  Crawler crawler(rt, *fetcher, *store, std::move(*scope), o);
  EXPECT_TRUE(crawler.prepare().ok());
  rt.run(crawler.run());
  EXPECT_TRUE(crawler.finish().ok());
  EXPECT_EQ(crawler.outcome(), CrawlOutcome::kComplete);
  EXPECT_TRUE(crawler.counters().errors.empty());
  return page_urls(db);
}

class CrawlerTestsiteTest : public ::testing::TestWithParam<ExecutionMode> {};

TEST_P(CrawlerTestsiteTest, FetchesExactlyTheGroundTruthOfTenThousandPages) {
  testsite::SiteModel site({.pages = 10'000, .fanout = 8, .seed = 7, .page_bytes = 1024});
  testsite::testing::RunningServer server(site, {});
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  auto truth = site.ground_truth(base);
  ASSERT_TRUE(truth.ok());
  testing::TempDir dir;
  std::vector<std::string> got = crawl_testsite(base, dir / "c.db", GetParam(), 16);
  std::vector<std::string> want = *truth;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want) << "the crawl differs from the ground truth";
  // Every page was requested exactly once (no duplicate fetch), and
  // robots.txt once (a 404 here: allow all), however many workers started.
  EXPECT_EQ(server.stats().requests, want.size() + 1);
}

INSTANTIATE_TEST_SUITE_P(Modes, CrawlerTestsiteTest,
                         ::testing::Values(ExecutionMode::kSequential, ExecutionMode::kAsync, ExecutionMode::kParallel),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace preheat::crawl
