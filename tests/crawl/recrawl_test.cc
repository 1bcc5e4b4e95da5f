// `--recrawl` in process: conditional requests carry the stored validators
// (seen by the fake fetcher), 304 keeps the stored content, changed pages are
// replaced and their new links followed, 404s count as gone, a recrawl
// stopped part-way continues instead of starting over; and against the real
// testsite on loopback, a recrawl of an unchanged site is all 304s.
#include <algorithm>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crawl/crawler.h"
#include "tests/crawl/fake_crawl_run.h"
#include "fetch/fake_fetcher.h"
#include "fetch/fetcher.h"
#include "runtime/runtime.h"
#include "store/crawl_store.h"
#include "testsite/site_model.h"
#include "tests/support/support.h"
#include "tests/testsite/running_server.h"

namespace preheat::crawl {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

CrawlOptions options(bool recrawl) {
  CrawlOptions o;
  o.seeds = {"http://a.test/"};
  o.retry_base = 1ms;
  o.commit_interval = 1ms;
  o.robots = false;
  o.sitemaps = false;  // no guessed /sitemap.xml among the requests counted here
  o.recrawl = recrawl;
  o.concurrency = 1;  // deterministic order for the page-limit test
  return o;
}

fetch::Response page(std::string body, std::string etag, std::string last_modified = "") {
  fetch::Response r;
  r.status = 200;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  r.etag = std::move(etag);
  r.last_modified = std::move(last_modified);
  return r;
}

fetch::Response not_modified() {
  fetch::Response r;
  r.status = 304;
  return r;
}

std::map<std::string, std::string> headers_of(const fetch::Request& r) {
  return {r.headers.begin(), r.headers.end()};
}

const fetch::Request* request_for(const crawl_test::FakeCrawl& run, const std::string& url) {
  for (const fetch::Request& r : run.requests) {
    if (r.url == url) return &r;
  }
  return nullptr;
}

constexpr std::string_view kLm = "Mon, 01 Jan 2024 00:00:00 GMT";

void first_site(fetch::FakeFetcher& f) {
  f.add_response("http://a.test/", page("<p>home</p><a href=/a>a</a><a href=/b>b</a><a href=/c>c</a><a href=/gone>g</a>"
                                        "<a href=/old>o</a>",
                                        "\"h1\"", std::string(kLm)));
  f.add_response("http://a.test/a", page("<p>alpha</p>", "\"a1\""));
  f.add_response("http://a.test/b", page("<p>bravo</p>", "", std::string(kLm)));
  f.add_response("http://a.test/c", page("<p>charlie</p>", ""));  // no validators at all
  f.add_page("http://a.test/gone", "<p>soon gone</p>");
  f.add_redirect("http://a.test/old", 301, "/c");
}

TEST(RecrawlTest, RevisitsWithValidatorsKeepsUnchangedPagesAndReplacesChangedOnes) {
  testing::TempDir dir;
  crawl_test::FakeCrawl first = crawl_test::fake_crawl(dir / "c.db", options(false), first_site);
  ASSERT_EQ(first.outcome, CrawlOutcome::kComplete);
  EXPECT_EQ(first.counters.revisited, 0);
  for (const fetch::Request& r : first.requests) EXPECT_TRUE(r.headers.empty()) << r.url;

  crawl_test::FakeCrawl second = crawl_test::fake_crawl(dir / "c.db", options(true), [](fetch::FakeFetcher& f) {
    f.add_response("http://a.test/", not_modified());
    f.add_response("http://a.test/a", not_modified());
    f.add_response("http://a.test/b", page("<p>bravo two</p><a href=/new>new</a>", "", "Tue, 02 Jan 2024 00:00:00 GMT"));
    f.add_response("http://a.test/c", page("<p>charlie</p>", ""));
    f.add_page("http://a.test/new", "<p>new page</p>");
    f.add_redirect("http://a.test/old", 301, "/c");
    // /gone: unknown to the fake fetcher, so 404
  });
  ASSERT_EQ(second.outcome, CrawlOutcome::kComplete);

  // The requests carried the stored validators, and only those.
  EXPECT_EQ(headers_of(*request_for(second, "http://a.test/")),
            (std::map<std::string, std::string>{{"If-None-Match", "\"h1\""}, {"If-Modified-Since", std::string(kLm)}}));
  EXPECT_EQ(headers_of(*request_for(second, "http://a.test/a")),
            (std::map<std::string, std::string>{{"If-None-Match", "\"a1\""}}));
  EXPECT_EQ(headers_of(*request_for(second, "http://a.test/b")),
            (std::map<std::string, std::string>{{"If-Modified-Since", std::string(kLm)}}));
  EXPECT_TRUE(request_for(second, "http://a.test/c")->headers.empty());
  EXPECT_TRUE(request_for(second, "http://a.test/new")->headers.empty());
  // A redirected URL's stored validators are its target's: not sent.
  EXPECT_TRUE(request_for(second, "http://a.test/old")->headers.empty());

  const CrawlCounters& c = second.counters;
  EXPECT_EQ(c.requeued, 6);
  EXPECT_FALSE(c.recrawl_resumed);
  EXPECT_EQ(c.not_modified, 2);  // /, /a
  EXPECT_EQ(c.changed, 1);       // /b
  EXPECT_EQ(c.same, 2);          // /c, and /old (the same redirect)
  EXPECT_EQ(c.gone, 1);
  EXPECT_EQ(c.revisited, 6);     // /new is not a revisit

  auto home = crawl_test::stored_page(dir / "c.db", "http://a.test/");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->status, 200);
  EXPECT_TRUE(home->not_modified);
  EXPECT_THAT(home->text, ::testing::StartsWith("home"));
  EXPECT_EQ(home->links.size(), 5u);
  EXPECT_GT(home->checked_at_ms, 0);
  EXPECT_GE(home->checked_at_ms, home->fetched_at_ms);
  auto b = crawl_test::stored_page(dir / "c.db", "http://a.test/b");
  EXPECT_EQ(b->text, "bravo two new");
  EXPECT_FALSE(b->not_modified);
  EXPECT_EQ(b->last_modified, "Tue, 02 Jan 2024 00:00:00 GMT");
  EXPECT_EQ(crawl_test::stored_page(dir / "c.db", "http://a.test/gone")->status, 404);
  EXPECT_TRUE(crawl_test::stored_page(dir / "c.db", "http://a.test/new").has_value());

  // A plain run afterwards finds nothing to do: the pass was completed.
  crawl_test::FakeCrawl third = crawl_test::fake_crawl(dir / "c.db", options(false), [](fetch::FakeFetcher&) {});
  EXPECT_TRUE(third.requests.empty());
}

TEST(RecrawlTest, ARecrawlStoppedPartWayContinuesAndDoesNotStartOver) {
  testing::TempDir dir;
  ASSERT_EQ(crawl_test::fake_crawl(dir / "c.db", options(false), first_site).outcome, CrawlOutcome::kComplete);
  const auto unchanged_site = [](fetch::FakeFetcher& f) {
    for (const char* u : {"http://a.test/", "http://a.test/a", "http://a.test/b", "http://a.test/c",
                          "http://a.test/gone"}) {
      f.add_response(u, not_modified());
    }
    f.add_redirect("http://a.test/old", 301, "/c");
  };
  // Stopped after two pages (as a kill would stop it; the page limit keeps
  // the test deterministic): the pass stays open.
  CrawlOptions limited = options(true);
  limited.max_pages = 2;
  crawl_test::FakeCrawl part = crawl_test::fake_crawl(dir / "c.db", limited, unchanged_site);
  EXPECT_EQ(part.outcome, CrawlOutcome::kPageLimit);
  ASSERT_EQ(part.requests.size(), 2u);
  EXPECT_EQ(part.counters.requeued, 6);

  crawl_test::FakeCrawl rest = crawl_test::fake_crawl(dir / "c.db", options(true), unchanged_site);
  EXPECT_EQ(rest.outcome, CrawlOutcome::kComplete);
  EXPECT_TRUE(rest.counters.recrawl_resumed);
  EXPECT_EQ(rest.counters.requeued, 6);  // the pass's figure, not requeued again
  std::vector<std::string> urls;
  for (const fetch::Request& r : part.requests) urls.push_back(r.url);
  for (const fetch::Request& r : rest.requests) urls.push_back(r.url);
  // Every URL once over the two runs (/old's redirect hop to /c included).
  EXPECT_THAT(urls, UnorderedElementsAre("http://a.test/", "http://a.test/a", "http://a.test/b", "http://a.test/c",
                                         "http://a.test/gone", "http://a.test/old", "http://a.test/c"));
  EXPECT_EQ(part.counters.revisited + rest.counters.revisited, 6);

  // The next --recrawl is a new pass: everything again.
  crawl_test::FakeCrawl again = crawl_test::fake_crawl(dir / "c.db", options(true), unchanged_site);
  EXPECT_FALSE(again.counters.recrawl_resumed);
  EXPECT_EQ(again.counters.revisited, 6);
}

TEST(RecrawlTest, AgainstTheTestsiteAnUnchangedSiteIsAllNotModified) {
  testsite::SiteModel site(testsite::SiteOptions{.pages = 40});
  testsite::testing::RunningServer server(site, testsite::ServerOptions{});
  // A 304 from the testsite (testsite/conditional.h) answers only a request
  // whose validators match the page: it proves the request was conditional.
  const std::string seed = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  testing::TempDir dir;
  std::int64_t first_pages = 0;
  for (bool recrawl : {false, true}) {
    runtime::Runtime rt({.mode = ExecutionMode::kAsync});
    CrawlOptions o;
    o.seeds = {seed};
    o.commit_interval = 1ms;
    o.recrawl = recrawl;
    o.robots = false;  // its Crawl-delay would make this slow; robots.txt is not a page anyway
    std::unique_ptr<fetch::Fetcher> fetcher = fetch::make_fetcher(rt, o.fetch);
    auto store = store::open_crawl_store((dir / "c.db").string());
    auto scope = Scope::make(o.scope, o.seeds);
    Crawler crawler(rt, *fetcher, **store, std::move(*scope), o);
    ASSERT_TRUE(crawler.prepare().ok());
    rt.run(crawler.run());
    ASSERT_TRUE(crawler.finish().ok());
    ASSERT_EQ(crawler.outcome(), CrawlOutcome::kComplete);
    const CrawlCounters& c = crawler.counters();
    if (!recrawl) {
      first_pages = c.pages;
      EXPECT_EQ(first_pages, 40);
      continue;
    }
    // The testsite answers 304 only to a request whose validators match.
    EXPECT_EQ(c.revisited, first_pages);
    EXPECT_EQ(c.not_modified, first_pages);
    EXPECT_EQ(c.changed, 0);
    auto p = (*store)->find_page(seed + "p/1");
    ASSERT_TRUE(p.ok() && *p);
    EXPECT_TRUE((*p)->not_modified);
    EXPECT_FALSE((*p)->text.empty());
  }
}


// A URL the crawler refused as a trap was never asked of its server: a
// recrawl has nothing to revisit there, and must not fetch it now.
TEST(RecrawlTest, TrapRowsAreNotRevisited) {
  testing::TempDir dir;
  auto site = [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/", "<a href=/x/x/x/x/loop>loop</a><a href=/a>a</a>");
    f.add_page("http://a.test/a", "<p>alpha</p>");
    f.add_page("http://a.test/x/x/x/x/loop", "<p>never asked</p>");
  };
  crawl_test::FakeCrawl first = crawl_test::fake_crawl(dir / "c.db", options(false), site);
  ASSERT_EQ(first.outcome, CrawlOutcome::kComplete);
  ASSERT_EQ(crawl_test::stored_page(dir / "c.db", "http://a.test/x/x/x/x/loop")->error_class, "trap");
  crawl_test::FakeCrawl second = crawl_test::fake_crawl(dir / "c.db", options(true), site);
  ASSERT_EQ(second.outcome, CrawlOutcome::kComplete);
  EXPECT_THAT(second.sorted_urls(), ElementsAre("http://a.test/", "http://a.test/a"));
  EXPECT_EQ(second.counters.requeued, 2);
  EXPECT_EQ(crawl_test::stored_page(dir / "c.db", "http://a.test/x/x/x/x/loop")->error_class, "trap");
}

}  // namespace
}  // namespace preheat::crawl
