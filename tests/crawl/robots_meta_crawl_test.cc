// Page-level robots directives in a crawl (fake fetcher): nofollow pages
// have their links recorded but not fetched, noindex pages are stored
// without text and are not found by search, X-Robots-Tag for other agents
// is ignored and for preheat obeyed, rel=nofollow links are followed unless
// asked otherwise, and --ignore-robots-meta records without obeying.
#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crawl/crawler.h"
#include "tests/crawl/fake_crawl_run.h"
#include "fetch/fake_fetcher.h"
#include "runtime/runtime.h"
#include "store/crawl_store.h"
#include "store/search_query.h"
#include "tests/support/support.h"

namespace preheat::crawl {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

CrawlOptions options() {
  CrawlOptions o;
  o.seeds = {"http://a.test/"};
  o.retry_base = 1ms;
  o.commit_interval = 1ms;
  o.robots = false;  // robots.txt has its own tests; page-level directives stay on
  o.sitemaps = false;  // no guessed /sitemap.xml among the requests counted here
  return o;
}

fetch::Response html_page(std::string body, std::string x_robots_tag = "") {
  fetch::Response r;
  r.status = 200;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  r.x_robots_tag = std::move(x_robots_tag);
  return r;
}

// Crawls a.test with `setup`'s answers; returns the hops, sorted.
template <class Setup>
std::vector<std::string> crawl(const std::filesystem::path& db, const CrawlOptions& o, Setup setup) {
  return crawl_test::fake_crawl(db, o, setup).sorted_urls();
}

std::optional<store::PageRecord> stored(const std::filesystem::path& db, const std::string& url) {
  return crawl_test::stored_page(db, url);
}

TEST(RobotsMetaCrawlTest, ANofollowPageHasItsLinksRecordedButNotFetched) {
  testing::TempDir dir;
  const auto hops = crawl(dir / "c.db", options(), [](fetch::FakeFetcher& f) {
    f.add_response("http://a.test/", html_page("<meta name=robots content='index, NOFOLLOW'>"
                                               "<a href=/one>1</a><a href=/two>2</a>"));
    f.add_page("http://a.test/one", "<p>one</p>");
    f.add_page("http://a.test/two", "<p>two</p>");
  });
  EXPECT_THAT(hops, ElementsAre("http://a.test/"));
  auto home = stored(dir / "c.db", "http://a.test/");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->robots, "nofollow");
  ASSERT_EQ(home->links.size(), 2u);
  EXPECT_EQ(home->links[0].to_url, "http://a.test/one");
}

TEST(RobotsMetaCrawlTest, ANoindexPageIsStoredWithoutTextAndNotFoundBySearch) {
  testing::TempDir dir;
  const auto hops = crawl(dir / "c.db", options(), [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/", "<title>Home</title><p>wombat public</p><a href=/secret>s</a>");
    f.add_response("http://a.test/secret",
                   html_page("<title>Secret wombat</title><meta name=robots content=noindex>"
                             "<p>wombat private</p><a href=/deeper>d</a>"));
    f.add_page("http://a.test/deeper", "<p>deeper</p>");
  });
  // noindex alone does not stop following.
  EXPECT_THAT(hops, ElementsAre("http://a.test/", "http://a.test/deeper", "http://a.test/secret"));
  auto secret = stored(dir / "c.db", "http://a.test/secret");
  ASSERT_TRUE(secret);
  EXPECT_EQ(secret->robots, "noindex");
  EXPECT_EQ(secret->text, "");
  EXPECT_EQ(secret->title, "Secret wombat");
  EXPECT_TRUE(secret->content_hash.has_value());
  EXPECT_EQ(secret->links.size(), 1u);

  auto writer = store::open_crawl_store((dir / "c.db").string());
  ASSERT_TRUE((*writer)->refresh_search_index().ok());
  auto found = (*writer)->search(store::parse_search_query("wombat"), 0, 10);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->total, 1);
  EXPECT_EQ(found->hits[0].url, "http://a.test/");
}

TEST(RobotsMetaCrawlTest, XRobotsTagForOtherAgentsIsIgnoredAndForPreheatObeyed) {
  const struct {
    std::string header;
    std::string meta;  // extra head markup
    std::string robots;
    bool followed;
  } cases[] = {
      {"", "", "", true},
      {"nofollow", "", "nofollow", false},
      {"googlebot: nofollow", "", "", true},
      {"googlebot: none, bingbot: noindex", "", "", true},
      {"preheat: nofollow", "", "nofollow", false},
      {"googlebot: noindex, preheat: nofollow", "", "nofollow", false},
      {"otherbot: noindex\nnofollow", "", "nofollow", false},  // two headers: the second is for everyone
      {"none", "", "noindex,nofollow", false},
      {"unavailable_after: 25 Jun 2010 15:00:00 PST", "", "", true},
      {"", "<meta name=googlebot content=nofollow>", "", true},
      {"", "<meta name=PreHeat content=nofollow>", "nofollow", false},
      {"", "<meta name=robots content=noarchive>", "noarchive", true},
  };
  for (const auto& c : cases) {
    testing::TempDir dir;
    const auto hops = crawl(dir / "c.db", options(), [&c](fetch::FakeFetcher& f) {
      f.add_response("http://a.test/", html_page("<head>" + c.meta + "</head><a href=/next>n</a>", c.header));
      f.add_page("http://a.test/next", "<p>next</p>");
    });
    auto home = stored(dir / "c.db", "http://a.test/");
    ASSERT_TRUE(home);
    EXPECT_EQ(home->robots, c.robots) << c.header << " " << c.meta;
    EXPECT_EQ(hops.size(), c.followed ? 2u : 1u) << c.header << " " << c.meta;
  }
}

TEST(RobotsMetaCrawlTest, NoarchiveKeepsNoBodyAndHeadersApplyToAnyContentType) {
  testing::TempDir dir;
  crawl(dir / "c.db", options(), [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/", "<a href=/doc.pdf>pdf</a><a href=/kept>k</a>");
    fetch::Response pdf;
    pdf.status = 200;
    pdf.content_type = "application/pdf";
    pdf.body = "%PDF-1.4";
    pdf.x_robots_tag = "noindex, noarchive";
    f.add_response("http://a.test/doc.pdf", pdf);
    f.add_page("http://a.test/kept", "<p>kept</p>");
  });
  auto s = store::open_crawl_store((dir / "c.db").string(), {.read_only = true});
  auto pdf = (*s)->find_page("http://a.test/doc.pdf");
  ASSERT_TRUE(pdf.ok() && *pdf);
  EXPECT_EQ((**pdf).robots, "noindex,noarchive");
  auto bodies = (*s)->body_counts();
  EXPECT_EQ(bodies->pages, 3);
  EXPECT_EQ(bodies->bodies, 2);  // not the pdf's
}

TEST(RobotsMetaCrawlTest, RelNofollowLinksAreFollowedByDefaultAndSkippedOnRequest) {
  const auto setup = [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/", "<a href=/ad rel='sponsored NOFOLLOW'>ad</a><a href=/plain>p</a>");
    f.add_page("http://a.test/ad", "<p>ad</p>");
    f.add_page("http://a.test/plain", "<a href=/ad>the ad again, followable</a>");
  };
  {
    testing::TempDir dir;
    EXPECT_THAT(crawl(dir / "c.db", options(), setup),
                ElementsAre("http://a.test/", "http://a.test/ad", "http://a.test/plain"));
  }
  {
    testing::TempDir dir;
    CrawlOptions o = options();
    o.follow_rel_nofollow = false;
    const auto setup_no_other = [](fetch::FakeFetcher& f) {
      f.add_page("http://a.test/", "<a href=/ad rel='sponsored NOFOLLOW'>ad</a><a href=/plain>p</a>");
      f.add_page("http://a.test/ad", "<p>ad</p>");
      f.add_page("http://a.test/plain", "<p>plain</p>");
    };
    EXPECT_THAT(crawl(dir / "c.db", o, setup_no_other), ElementsAre("http://a.test/", "http://a.test/plain"));
    auto home = stored(dir / "c.db", "http://a.test/");
    ASSERT_TRUE(home);
    ASSERT_EQ(home->links.size(), 2u);
    EXPECT_EQ(home->links[0].rel, "sponsored nofollow");  // recorded, not fetched
    // Reached through a link without the rel, it is fetched.
    testing::TempDir dir2;
    EXPECT_THAT(crawl(dir2 / "c.db", o, setup), ElementsAre("http://a.test/", "http://a.test/ad", "http://a.test/plain"));
  }
}

TEST(RobotsMetaCrawlTest, IgnoringRobotsMetaRecordsTheDirectivesWithoutObeyingThem) {
  testing::TempDir dir;
  CrawlOptions o = options();
  o.robots_meta = false;
  const auto hops = crawl(dir / "c.db", o, [](fetch::FakeFetcher& f) {
    f.add_response("http://a.test/", html_page("<p>words</p><a href=/next>n</a>", "none"));
    f.add_page("http://a.test/next", "<p>next</p>");
  });
  EXPECT_EQ(hops.size(), 2u);
  auto home = stored(dir / "c.db", "http://a.test/");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->robots, "noindex,nofollow");
  EXPECT_EQ(home->text, "words n");
}

}  // namespace
}  // namespace preheat::crawl
