// The crawler's sitemap step against the fake fetcher (which files, which
// URLs join the frontier, the rows, the limits, resume) and against the
// testsite on loopback (a page only the sitemap lists).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <functional>

#include "crawl/crawler.h"
#include "fetch/fake_fetcher.h"
#include "fetch/fetcher.h"
#include "runtime/runtime.h"
#include "store/crawl_store.h"
#include "tests/crawl/fake_crawl.h"
#include "testsite/fault_pages.h"
#include "testsite/fault_set.h"
#include "testsite/site_model.h"
#include "tests/support/support.h"
#include "tests/testsite/running_server.h"

namespace preheat::crawl {
namespace {

using namespace std::chrono_literals;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

std::string html(const std::vector<std::string>& hrefs) { return html_with_links(hrefs); }

std::string urlset(const std::vector<std::string>& locs) {
  std::string x = "<?xml version=\"1.0\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (const auto& l : locs) x += "<url><loc>" + l + "</loc></url>\n";
  return x + "</urlset>\n";
}

std::string index_of(const std::vector<std::string>& locs) {
  std::string x = "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (const auto& l : locs) x += "<sitemap><loc>" + l + "</loc></sitemap>\n";
  return x + "</sitemapindex>\n";
}

std::string gzip(std::string_view data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

CrawlOptions options_for(std::vector<std::string> seeds) {
  CrawlOptions o = fake_crawl_options(std::move(seeds));
  return o;
}

// find() gives the row or nothing; fake.hops() every request.
using SitemapCrawl = FakeCrawl;

// robots.txt names an index; its two children (one gzipped) list pages no
// link reaches, a page of another site, an excluded one and a disallowed one.
void add_mapped_site(fetch::FakeFetcher& f) {
  f.add_page("http://a.test/robots.txt",
             "User-agent: *\nDisallow: /private\nSitemap: http://a.test/maps/index.xml\n", "text/plain");
  f.add_page("http://a.test/maps/index.xml",
             index_of({"http://a.test/maps/one.xml.gz", "http://a.test/maps/two.xml", "http://b.test/elsewhere.xml"}),
             "application/xml");
  fetch::Response gz;
  gz.status = 200;
  gz.content_type = "application/gzip";
  gz.body = gzip(urlset({"http://a.test/orphan-1", "http://a.test/", "http://b.test/other-site"}));
  f.add_response("http://a.test/maps/one.xml.gz", gz);
  f.add_page("http://a.test/maps/two.xml",
             urlset({"http://a.test/orphan-2", "http://a.test/excluded", "http://a.test/private/x"}), "application/xml");
  f.add_page("http://a.test/", html({"/linked"}));
  f.add_page("http://a.test/linked", html({}));
  f.add_page("http://a.test/orphan-1", html({"/orphan-child"}));
  f.add_page("http://a.test/orphan-2", html({}));
  f.add_page("http://a.test/orphan-child", html({}));
  f.add_page("http://a.test/excluded", html({}));
  f.add_page("http://a.test/private/x", html({}));
  f.add_page("http://b.test/other-site", html({}));
}

TEST(SitemapCrawlTest, PagesOnlyTheSitemapListsAreCrawledAndOutOfScopeOnesAreNot) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://a.test/"});
  o.scope.exclude = {"/excluded"};
  SitemapCrawl c(dir / "c.db", o, add_mapped_site);
  // Reachable only from the sitemaps, and what they link to.
  for (const char* url : {"http://a.test/orphan-1", "http://a.test/orphan-2", "http://a.test/orphan-child"}) {
    const auto p = c.find(url);
    ASSERT_TRUE(p) << url;
    EXPECT_EQ(p->status, 200) << url;
  }
  EXPECT_EQ(c.find("http://a.test/orphan-1")->depth, 1);
  EXPECT_EQ(c.find("http://a.test/orphan-child")->depth, 2);
  // Off-site and excluded URLs are never requested; a disallowed one is
  // recorded as robots-blocked, not fetched; the seed once.
  EXPECT_EQ(c.hops_of("http://b.test/other-site"), 0u);
  EXPECT_EQ(c.hops_of("http://b.test/elsewhere.xml"), 0u);
  EXPECT_EQ(c.hops_of("http://a.test/excluded"), 0u);
  EXPECT_FALSE(c.find("http://a.test/excluded"));
  EXPECT_EQ(c.hops_of("http://a.test/private/x"), 0u);
  EXPECT_EQ(c.find("http://a.test/private/x")->error_class, "robots");
  EXPECT_EQ(c.hops_of("http://a.test/"), 1u);
  // robots.txt first, then the sitemaps, then the seed.
  ASSERT_GE(c.fake.hops().size(), 5u);
  EXPECT_THAT(std::vector<std::string>(c.fake.hops().begin(), c.fake.hops().begin() + 5),
              ElementsAre("http://a.test/robots.txt", "http://a.test/maps/index.xml", "http://a.test/maps/one.xml.gz",
                          "http://a.test/maps/two.xml", "http://a.test/"));
  // Each sitemap file has its row, its URLs as links tagged "sitemap".
  const auto index = c.find("http://a.test/maps/index.xml");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->error_class, "");
  auto links = c.store->out_links("http://a.test/maps/one.xml.gz", 100);
  ASSERT_TRUE(links.ok());
  ASSERT_EQ(links->size(), 2u);  // b.test is not a.test's to list
  EXPECT_EQ((*links)[0].url, "http://a.test/orphan-1");
  EXPECT_EQ((*links)[0].tag, "sitemap");
  const CrawlCounters& n = c.crawler->counters();
  EXPECT_EQ(n.sitemaps, 3);
  EXPECT_EQ(n.sitemap_urls, 5);   // orphan-1, /, orphan-2, excluded, private/x
  EXPECT_EQ(n.sitemap_added, 3);  // "/" is a seed, /excluded out of scope
  EXPECT_EQ(c.crawler->outcome(), CrawlOutcome::kComplete);
}

TEST(SitemapCrawlTest, ResumeDoesNotReadASitemapAgainAndNoSitemapsReadsNone) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://a.test/"});
  o.max_pages = 4;  // robots-free rows: index, one.xml.gz, two.xml, then one page
  {
    SitemapCrawl c(dir / "c.db", o, add_mapped_site);
    EXPECT_EQ(c.crawler->outcome(), CrawlOutcome::kPageLimit);
    EXPECT_EQ(c.pages().size(), 4u);
    EXPECT_EQ(c.crawler->counters().sitemap_added, 1);  // room for one page only
  }
  // The next run fetches what the first one queued, and reads no sitemap
  // it has already (so orphan-2, left out for lack of room, stays out).
  o.max_pages = -1;
  SitemapCrawl again(dir / "c.db", o, add_mapped_site);
  EXPECT_EQ(again.hops_of("http://a.test/maps/index.xml"), 0u);
  EXPECT_EQ(again.hops_of("http://a.test/maps/two.xml"), 0u);
  EXPECT_EQ(again.hops_of("http://a.test/"), 0u);
  EXPECT_EQ(again.crawler->counters().sitemaps, 0);
  EXPECT_EQ(again.find("http://a.test/orphan-1")->status, 200);
  EXPECT_FALSE(again.find("http://a.test/orphan-2"));

  testing::TempDir off;
  o.sitemaps = false;
  SitemapCrawl none(off / "c.db", o, add_mapped_site);
  EXPECT_EQ(none.hops_of("http://a.test/maps/index.xml"), 0u);
  EXPECT_FALSE(none.find("http://a.test/orphan-1"));
  EXPECT_EQ(none.crawler->counters().sitemaps, 0);
}

TEST(SitemapCrawlTest, SlashSitemapXmlIsTriedWhenRobotsNamesNoneAndLeavesNoRowWhenAbsent) {
  testing::TempDir dir;
  SitemapCrawl present(dir / "a.db", options_for({"http://a.test/"}), [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/", html({}));
    f.add_page("http://a.test/sitemap.xml", "http://a.test/listed\n", "text/plain");  // a text sitemap
    f.add_page("http://a.test/listed", html({}));
  });
  EXPECT_EQ(present.find("http://a.test/listed")->status, 200);
  EXPECT_EQ(present.find("http://a.test/sitemap.xml")->status, 200);

  SitemapCrawl absent(dir / "b.db", options_for({"http://a.test/"}),
                      [](fetch::FakeFetcher& f) { f.add_page("http://a.test/", html({})); });
  EXPECT_EQ(absent.hops_of("http://a.test/sitemap.xml"), 1u);
  EXPECT_THAT(absent.pages(), ElementsAre("http://a.test/"));  // no 404 row for a guess
  EXPECT_TRUE(absent.crawler->counters().errors.empty());

  // A named sitemap that fails is recorded: someone said it was there.
  SitemapCrawl broken(dir / "c.db", options_for({"http://a.test/"}), [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/robots.txt", "Sitemap: http://a.test/gone.xml\nSitemap: http://a.test/bad.xml\n", "text/plain");
    f.add_page("http://a.test/bad.xml", "<urlset><url><loc>http://a.test/x</loc></url><url><loc>", "application/xml");
    f.add_page("http://a.test/x", html({}));
    f.add_page("http://a.test/", html({}));
  });
  EXPECT_EQ(broken.hops_of("http://a.test/sitemap.xml"), 0u);  // robots.txt named its own
  EXPECT_EQ(broken.find("http://a.test/gone.xml")->status, 404);
  const auto bad = broken.find("http://a.test/bad.xml");
  EXPECT_EQ(bad->error_class, "sitemap");
  EXPECT_THAT(bad->error_message, ::testing::HasSubstr("malformed XML"));
  EXPECT_EQ(broken.find("http://a.test/x")->status, 200);  // read before the error: kept
}

TEST(SitemapCrawlTest, DisallowedSitemapIsNotFetchedAndMaxDepthZeroAddsNothing) {
  testing::TempDir dir;
  auto setup = [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/robots.txt", "User-agent: *\nDisallow: /hidden/\nSitemap: http://a.test/hidden/map.xml\n"
               "Sitemap: http://a.test/map.xml\n", "text/plain");
    f.add_page("http://a.test/hidden/map.xml", urlset({"http://a.test/h"}), "application/xml");
    f.add_page("http://a.test/map.xml", urlset({"http://a.test/m"}), "application/xml");
    f.add_page("http://a.test/", html({}));
    f.add_page("http://a.test/h", html({}));
    f.add_page("http://a.test/m", html({}));
  };
  SitemapCrawl c(dir / "a.db", options_for({"http://a.test/"}), setup);
  EXPECT_EQ(c.hops_of("http://a.test/hidden/map.xml"), 0u);
  EXPECT_FALSE(c.find("http://a.test/h"));
  EXPECT_EQ(c.find("http://a.test/m")->status, 200);

  CrawlOptions o = options_for({"http://a.test/"});
  o.scope.max_depth = 0;
  SitemapCrawl seeds_only(dir / "b.db", o, setup);
  EXPECT_EQ(seeds_only.hops_of("http://a.test/m"), 0u);
  EXPECT_EQ(seeds_only.crawler->counters().sitemap_urls, 1);
  EXPECT_EQ(seeds_only.crawler->counters().sitemap_added, 0);
}

// The testsite's sitemap fault lists a page that no link reaches.
TEST(SitemapCrawlTest, TestsiteOrphanIsFoundOnlyThroughTheSitemap) {
  auto faults = testsite::parse_faults("robots,sitemap");
  ASSERT_TRUE(faults.ok());
  testsite::SiteModel site({.pages = 30, .fanout = 4, .seed = 5, .page_bytes = 256, .faults = *faults, .crawl_delay_s = 0.001});
  testing::TempDir dir;
  for (const bool sitemaps : {true, false}) {
    testsite::testing::RunningServer server(site, {});
    const std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
    runtime::Runtime rt({.mode = ExecutionMode::kAsync});
    auto fetcher = fetch::make_fetcher(rt, {});
    auto s = store::open_crawl_store((dir / (sitemaps ? "on.db" : "off.db")).string(), {});
    ASSERT_TRUE(s.ok());
    CrawlOptions o = options_for({origin + "/"});
    o.sitemaps = sitemaps;
    auto scope = Scope::make(o.scope, o.seeds);
    Crawler crawler(rt, *fetcher, **s, std::move(*scope), o);
    ASSERT_TRUE(crawler.prepare().ok());
    rt.run(crawler.run());
    ASSERT_TRUE(crawler.finish().ok());
    auto orphan = (*s)->find_page(origin + std::string(testsite::kSitemapOrphanPath));
    ASSERT_TRUE(orphan.ok());
    if (sitemaps) {
      ASSERT_TRUE(orphan->has_value());
      EXPECT_EQ((*orphan)->status, 200);
      EXPECT_EQ(crawler.counters().sitemaps, 1);
      EXPECT_EQ(crawler.counters().sitemap_urls, 31);  // the 30 pages and the orphan
    } else {
      EXPECT_FALSE(orphan->has_value());
    }
  }
}


// A sitemap's URLs meet the trap guard like links do: a path loop listed in
// a sitemap is refused with a trap row, never fetched, never queued.
TEST(SitemapCrawlTest, TrapLikeSitemapUrlsAreRefusedWithTheirReason) {
  testing::TempDir dir;
  CrawlOptions o = options_for({"http://a.test/"});
  SitemapCrawl c(dir / "c.db", o, [](fetch::FakeFetcher& f) {
    f.add_page("http://a.test/robots.txt", "User-agent: *\nSitemap: http://a.test/map.xml\n", "text/plain");
    f.add_page("http://a.test/map.xml", urlset({"http://a.test/fine", "http://a.test/x/x/x/x/page"}), "application/xml");
    f.add_page("http://a.test/", html({}));
    f.add_page("http://a.test/fine", html({}));
    f.add_page("http://a.test/x/x/x/x/page", html({}));
  });
  EXPECT_EQ(c.find("http://a.test/fine")->status, 200);
  EXPECT_EQ(c.hops_of("http://a.test/x/x/x/x/page"), 0u);
  const auto trap = c.find("http://a.test/x/x/x/x/page");
  ASSERT_TRUE(trap);
  EXPECT_EQ(trap->error_class, "trap");
  EXPECT_THAT(trap->error_message, ::testing::StartsWith("path-loop"));
  EXPECT_EQ(c.crawler->counters().sitemap_added, 1);
  EXPECT_EQ(c.crawler->outcome(), CrawlOutcome::kComplete);
}

}  // namespace
}  // namespace preheat::crawl
