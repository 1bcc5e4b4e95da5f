// robots.txt beyond the first request: redirect targets are checked against
// the rules before they are requested, and a robots.txt answered with
// 429/503 + Retry-After pauses its host. Against the fake fetcher (exact
// hop lists) and the testsite on loopback (its own request counts).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "crawl/crawler.h"
#include "fetch/fake_fetcher.h"
#include "fetch/fetcher.h"
#include "runtime/runtime.h"
#include "store/crawl_store.h"
#include "tests/crawl/fake_crawl.h"
#include "testsite/fault_set.h"
#include "testsite/site_model.h"
#include "tests/support/support.h"
#include "tests/testsite/running_server.h"

namespace preheat::crawl {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::string html(const std::vector<std::string>& hrefs) { return html_with_links(hrefs); }

CrawlOptions options_for(std::vector<std::string> seeds) {
  CrawlOptions o = fake_crawl_options(std::move(seeds));
  o.sitemaps = false;  // exact hop lists; sitemaps have sitemap_crawl_test.cc
  return o;
}

using Crawl = FakeCrawl;

TEST(RobotsRedirectTest, ARedirectIntoADisallowedPathIsNotFollowed) {
  testing::TempDir dir;
  Crawl c(dir / "c.db", options_for({"http://a.test/"}), [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain");
    f.add_page("http://a.test/", html({"/go", "/hop"}));
    f.add_redirect("http://a.test/go", 302, "/private/x");
    f.add_redirect("http://a.test/hop", 301, "/fine");      // allowed: followed in the same fetch
    f.add_redirect("http://a.test/fine", 302, "/private/y");  // ... into a disallowed path
    f.add_page("http://a.test/private/x", html({}));
    f.add_page("http://a.test/private/y", html({}));
  });
  EXPECT_FALSE(c.hops_of("http://a.test/private/x"));
  EXPECT_FALSE(c.hops_of("http://a.test/private/y"));
  const store::PageRecord go = c.page("http://a.test/go");
  EXPECT_EQ(go.status, 302);
  EXPECT_EQ(go.final_url, "http://a.test/private/x");
  ASSERT_EQ(go.redirects.size(), 1u);
  EXPECT_EQ(go.redirects[0].to_url, "http://a.test/private/x");
  EXPECT_EQ(go.error_class, "robots");
  EXPECT_EQ(go.error_message, "redirect to http://a.test/private/x not followed: Disallow: /private/ (robots.txt line 2)");
  // The target has its own row: robots, never fetched.
  const store::PageRecord x = c.page("http://a.test/private/x");
  EXPECT_EQ(x.status, 0);
  EXPECT_EQ(x.error_class, "robots");
  const store::PageRecord hop = c.page("http://a.test/hop");
  EXPECT_EQ(hop.redirects.size(), 2u);
  EXPECT_EQ(hop.final_url, "http://a.test/private/y");
  EXPECT_EQ(hop.error_class, "robots");
  EXPECT_TRUE(c.hops_of("http://a.test/fine"));
  EXPECT_EQ(c.crawler->outcome(), CrawlOutcome::kComplete);
}

// A redirect to a site whose robots.txt is not known yet is not followed in
// the fetch: the target goes the normal way, robots.txt first. A seed's
// target still brings its site into the scope.
TEST(RobotsRedirectTest, ASeedRedirectToAnotherSiteAsksThatSitesRobotsFirst) {
  testing::TempDir dir;
  Crawl c(dir / "c.db", options_for({"http://a.test/"}), [](fetch::FakeFetcher& f) {
    f.add_redirect("http://a.test/", 301, "http://www.a.test/");
    f.add_page("http://www.a.test/robots.txt", "User-agent: *\nDisallow: /secret\n", "text/plain");
    f.add_page("http://www.a.test/", html({"/page", "/secret"}));
    f.add_page("http://www.a.test/page", html({}));
    f.add_page("http://www.a.test/secret", html({}));
  });
  const std::vector<std::string>& hops = c.fake.hops();
  const auto at = [&](const char* url) { return std::find(hops.begin(), hops.end(), url) - hops.begin(); };
  ASSERT_TRUE(c.hops_of("http://www.a.test/robots.txt"));
  EXPECT_LT(at("http://www.a.test/robots.txt"), at("http://www.a.test/"));
  EXPECT_EQ(std::count(hops.begin(), hops.end(), "http://www.a.test/"), 1);
  EXPECT_TRUE(c.hops_of("http://www.a.test/page"));
  EXPECT_FALSE(c.hops_of("http://www.a.test/secret"));
  const store::PageRecord seed = c.page("http://a.test/");
  EXPECT_EQ(seed.status, 301);
  EXPECT_EQ(seed.final_url, "http://www.a.test/");
  EXPECT_EQ(seed.error_class, "");
  EXPECT_EQ(c.page("http://www.a.test/").status, 200);
  EXPECT_FALSE(c.crawler->seed_failure());
}

// robots.txt answered 503 with Retry-After pauses that host (only it), like
// a page's 503 does; the next request to it (robots.txt again) waits.
TEST(RobotsRetryAfterTest, A503RobotsTxtWithRetryAfterPausesItsHost) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://busy.test/", "http://ok.test/"});
  o.concurrency = 2;
  Crawl c(dir / "c.db", o, [](fetch::FakeFetcher& f) {
    fetch::Response down;
    down.status = 503;
    down.retry_after = "120";
    f.add_response("http://busy.test/robots.txt", down, 10ms);
    f.add_page("http://ok.test/", html({}));
  });
  const std::vector<HostState> hosts = c.crawler->politeness().states();
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0].host, "http://busy.test");
  EXPECT_EQ(hosts[0].pauses, 1);
  EXPECT_EQ(hosts[0].paused_until, TimePoint(1000s) + 10ms + 120s);
  EXPECT_EQ(hosts[1].host, "http://ok.test");
  EXPECT_EQ(hosts[1].pauses, 0);
  EXPECT_EQ(c.page("http://busy.test/").error_message, "robots.txt unreachable: http 503");
  EXPECT_EQ(c.page("http://ok.test/").status, 200);
}

// A host paused while its robots.txt must be asked again: the request waits
// for the pause (the URL is parked, no worker held), it is not sent "ready
// or not".
TEST(RobotsRetryAfterTest, RobotsTxtAskedAgainWaitsForTheHostsPause) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://down.test/"});
  o.max_attempts = 2;
  // The entry expires at once: on virtual time a retry may come back
  // before the clock moved at all (retries are due in wall-clock time).
  o.robots_options.unreachable_retry = 0ms;
  o.politeness.failures_to_pause = 1;        // one failure pauses the host
  o.politeness.first_pause = 50s;
  Crawl c(dir / "c.db", o, [](fetch::FakeFetcher& f) {
    f.add_error("http://down.test/robots.txt", fetch::FetchErrorKind::kRefused, 10ms);
  });
  const auto& starts = c.fetcher.starts;
  ASSERT_EQ(starts.size(), 2u);  // robots.txt twice, the page never
  EXPECT_EQ(starts[0].first, "http://down.test/robots.txt");
  EXPECT_EQ(starts[1].first, "http://down.test/robots.txt");
  EXPECT_GE(starts[1].second - starts[0].second, 10ms + 50s);
  const store::PageRecord page = c.page("http://down.test/");
  EXPECT_EQ(page.state, store::FrontierState::kFailed);
  EXPECT_EQ(page.attempts, 2);
}

TEST(RobotsRedirectTest, TestsiteRedirectIntoItsDisallowedPathIsNeverRequested) {
  auto faults = testsite::parse_faults("robots");
  ASSERT_TRUE(faults.ok());
  testsite::SiteModel site({.pages = 10, .fanout = 4, .seed = 3, .page_bytes = 256, .faults = *faults, .crawl_delay_s = 0.001});
  testsite::testing::RunningServer server(site, {});
  const std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
  testing::TempDir dir;
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  auto fetcher = fetch::make_fetcher(rt, {});
  auto s = store::open_crawl_store((dir / "c.db").string(), {});
  ASSERT_TRUE(s.ok());
  CrawlOptions o = options_for({origin + "/"});
  auto scope = Scope::make(o.scope, o.seeds);
  Crawler crawler(rt, *fetcher, **s, std::move(*scope), o);
  ASSERT_TRUE(crawler.prepare().ok());
  rt.run(crawler.run());
  ASSERT_TRUE(crawler.finish().ok());
  auto go = (*s)->find_page(origin + "/fault/robots-redirect");
  ASSERT_TRUE(go.ok() && go->has_value());
  EXPECT_EQ((*go)->status, 302);
  EXPECT_EQ((*go)->error_class, "robots");
  EXPECT_THAT((*go)->error_message, HasSubstr("Disallow: /fault/robots/"));
  // Every page row but the disallowed one was one request, plus robots.txt:
  // /fault/robots/private was never asked for, directly or by the redirect.
  auto urls = (*s)->page_urls(std::nullopt);
  ASSERT_TRUE(urls.ok());
  EXPECT_EQ(server.stats().requests, urls->size() - 1 + 1);
}

}  // namespace
}  // namespace preheat::crawl
