// The synthetic site as a pure function: determinism, the ground truth, and
// that a browser-like crawl of the links (tests/testsite/html_links.h: an
// independent tag scanner + Boost.URL resolution) reaches exactly the ground
// truth, whatever way each link is spelt.
#include "testsite/site_model.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "tests/testsite/html_links.h"
#include "testsite/fault_pages.h"

namespace preheat::testsite {
namespace {

using testing::document_base;
using testing::html_links;
using testing::resolve_href;
using testing::target_of;

SiteOptions small_site(std::uint64_t seed = 7) {
  return SiteOptions{.pages = 300, .fanout = 3, .seed = seed, .page_bytes = 2048, .faults = FaultSet::all()};
}

std::string body_of(const SiteModel& m, std::string_view target, std::string_view host = "127.0.0.1:8080") {
  return m.respond(SiteRequest{target, host, 0}).body;
}

TEST(SiteModelTest, SameSeedSameBytesOtherSeedOtherLinks) {
  const SiteModel a(small_site(7));
  const SiteModel b(small_site(7));
  const SiteModel c(small_site(8));
  std::size_t links_differ = 0;
  std::size_t bodies_differ = 0;
  for (std::size_t id = 0; id < 300; ++id) {
    const std::string target = a.page_path(id);
    EXPECT_EQ(body_of(a, target), body_of(b, target)) << target;
    links_differ += a.links_of(id) != c.links_of(id);
    bodies_differ += body_of(a, target) != body_of(c, target);
  }
  EXPECT_GT(links_differ, 250u);
  EXPECT_EQ(bodies_differ, 300u);
}

TEST(SiteModelTest, PagePathsAndTheirTargetsRoundTrip) {
  const SiteModel m(small_site());
  const std::map<std::size_t, std::string> expected = {
      {0, "/"},
      {1, "/p/1"},
      {3, "/list?sort=asc&page=3"},
      {5, "/d/s0/t0/5"},
      {7, "/list?sort=asc&page=7"},
      {15, "/d/s1/t0/15"},
      {35, "/d/s0/t1/35"},
      {299, "/p/299"},
  };
  for (const auto& [id, path] : expected) {
    EXPECT_EQ(m.page_path(id), path);
    EXPECT_EQ(m.page_at(path), id) << path;
  }
  for (std::string_view bad : {"/p/3", "/p/01", "/p/300", "/list?page=3", "/list?sort=asc&page=4", "/d/s1/t1/15", "/p/",
                               "/p/1/", "/p/1?x", "//p/1", "/p/0"}) {
    EXPECT_FALSE(m.page_at(bad).has_value()) << bad;
    EXPECT_EQ(m.respond(SiteRequest{bad, "127.0.0.1:8080", 0}).status, 404u) << bad;
  }
}

TEST(SiteModelTest, GroundTruthHasEveryPageOnceNormalisedAndSorted) {
  const SiteModel m(small_site());
  struct Case {
    std::string base;
    std::string origin;
  };
  const Case cases[] = {
      {"http://127.0.0.1:8080/", "http://127.0.0.1:8080"}, {"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
      {"HTTP://LocalHost:80/", "http://localhost"},        {"https://Example.COM:443", "https://example.com"},
      {"http://[::1]:9000/", "http://[::1]:9000"},
  };
  for (const Case& c : cases) {
    auto urls = m.ground_truth(c.base);
    ASSERT_TRUE(urls.ok()) << c.base << ": " << urls.status().message();
    ASSERT_EQ(urls->size(), 300u);
    EXPECT_TRUE(std::is_sorted(urls->begin(), urls->end()));
    EXPECT_EQ(std::set<std::string>(urls->begin(), urls->end()).size(), 300u);
    EXPECT_EQ(urls->front(), c.origin + "/");
    EXPECT_TRUE(std::binary_search(urls->begin(), urls->end(), c.origin + "/list?sort=asc&page=3"));
  }
  for (std::string_view bad :
       {"ftp://x/", "http://x/path", "http://x/?q", "http://x/#f", "not a url", "/p/1", "http://user@x/"}) {
    auto urls = m.ground_truth(bad);
    ASSERT_FALSE(urls.ok()) << bad;
    EXPECT_NE(urls.status().message().find(std::string(bad)), std::string::npos) << urls.status().message();
  }
}

TEST(SiteModelTest, OptionsOutOfRangeAreNamed) {
  EXPECT_TRUE(validate(SiteOptions{}).ok());
  EXPECT_NE(validate(SiteOptions{.pages = 0}).message().find("pages"), std::string::npos);
  EXPECT_NE(validate(SiteOptions{.fanout = 0}).message().find("fanout"), std::string::npos);
  EXPECT_NE(validate(SiteOptions{.page_bytes = 1u << 30}).message().find("page bytes"), std::string::npos);
}

TEST(SiteModelTest, PagesHaveTheirParts) {
  const SiteModel m(small_site());
  const SiteResponse r = m.respond(SiteRequest{"/p/1", "127.0.0.1:8080", 0});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.header("etag").size(), 18u);
  EXPECT_EQ(r.header("Last-Modified"), "Mon, 01 Jan 2024 00:01:00 GMT");
  EXPECT_NE(r.body.find("<title>Page 1: "), std::string::npos);
  EXPECT_NE(r.body.find("<meta name=\"description\" content=\""), std::string::npos);
  EXPECT_NE(r.body.find("<html lang="), std::string::npos);
  EXPECT_NEAR(static_cast<double>(r.body.size()), 2048.0, 200.0);
  const SiteModel big(SiteOptions{.pages = 10, .page_bytes = 100'000});
  EXPECT_NEAR(static_cast<double>(body_of(big, "/p/1").size()), 100'000.0, 1000.0);
}

TEST(SiteModelTest, BadHostsAndTargetsAre400) {
  const SiteModel m(small_site());
  for (std::string_view host : {"", "a b", "x\"y", "host:port", "[::1", "h:123456", "<script>"}) {
    EXPECT_EQ(m.respond(SiteRequest{"/", host, 0}).status, 400u) << host;
  }
  for (std::string_view host : {"localhost", "127.0.0.1:8080", "[::1]:80", "Example.COM", "a_b.test:1"}) {
    EXPECT_EQ(m.respond(SiteRequest{"/", host, 0}).status, 200u) << host;
  }
  EXPECT_EQ(m.respond(SiteRequest{"p/1", "localhost", 0}).status, 400u);
}

// Crawls the site like a browser would read it, from "/", and returns every
// page reached. Every link must resolve to a ground-truth page or a fault path.
std::set<std::string> crawl(const SiteModel& m, std::string_view host, const std::string& origin,
                            const std::set<std::string>& truth) {
  std::set<std::string> seen = {origin + "/"};
  std::deque<std::string> queue = {origin + "/"};
  while (!queue.empty()) {
    const std::string url = queue.front();
    queue.pop_front();
    const SiteResponse r = m.respond(SiteRequest{target_of(url), host, 0});
    EXPECT_EQ(r.status, 200u) << url;
    EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8") << url;
    const auto links = html_links(r.body);
    const std::string base = document_base(url, links);
    for (const auto& link : links) {
      if (link.tag == "base") continue;
      const std::optional<std::string> to = resolve_href(base, link.value);
      if (!to) {
        ADD_FAILURE() << "on " << url << ": cannot resolve '" << link.raw << "'";
        continue;
      }
      if (truth.count(*to) != 0) {
        if (seen.insert(*to).second) queue.push_back(*to);
      } else {
        EXPECT_EQ(to->rfind(origin + "/", 0), 0u) << "on " << url << ": '" << link.raw << "' -> " << *to;
        EXPECT_TRUE(is_fault_path(target_of(*to).substr(0, target_of(*to).find('?'))))
            << "on " << url << ": '" << link.raw << "' (base " << base << ") -> " << *to;
      }
    }
  }
  return seen;
}

TEST(SiteModelTest, EveryPageIsReachableAndEveryLinkResolvesToTheSite) {
  struct Case {
    std::string host;    // the Host header
    std::string origin;  // normalised
  };
  const Case cases[] = {
      {"127.0.0.1:8080", "http://127.0.0.1:8080"},
      {"LocalHost:8080", "http://localhost:8080"},
      {"localhost", "http://localhost"},
      {"127.0.0.1:80", "http://127.0.0.1"},
  };
  for (std::uint64_t seed : {1, 7, 12345}) {
    const SiteModel m(small_site(seed));
    for (const Case& c : cases) {
      SCOPED_TRACE(c.host + " seed " + std::to_string(seed));
      auto urls = m.ground_truth(c.origin);
      ASSERT_TRUE(urls.ok());
      const std::set<std::string> truth(urls->begin(), urls->end());
      EXPECT_EQ(crawl(m, c.host, c.origin, truth), truth);
    }
  }
}

TEST(SiteModelTest, OneAndTwoPageSitesWork) {
  for (std::size_t pages : {1, 2}) {
    const SiteModel m(SiteOptions{.pages = pages, .fanout = 1, .page_bytes = 0});
    auto urls = m.ground_truth("http://h:1");
    ASSERT_TRUE(urls.ok());
    const std::set<std::string> truth(urls->begin(), urls->end());
    EXPECT_EQ(crawl(m, "h:1", "http://h:1", truth), truth);
  }
}

TEST(SiteModelTest, LinksAreSpeltInEveryWayRealPagesSpellThem) {
  const SiteModel m(small_site());
  std::map<std::string, int> seen;
  for (std::size_t id = 0; id < 300; ++id) {
    const std::string body = body_of(m, m.page_path(id), "localhost:8080");
    if (body.find("<base") != std::string::npos) ++seen["<base href>"];
    for (const auto& l : html_links(body)) {
      const std::string& raw = l.raw;
      if (l.tag == "area") ++seen["<area>"];
      if (l.tag == "iframe") ++seen["<iframe src>"];
      if (l.rel == "next") ++seen["rel=next"];
      if (l.rel == "\"canonical\"" || l.rel == "canonical") ++seen["rel=canonical"];
      if (l.quote == '\'') ++seen["single quotes"];
      if (l.quote == 0) ++seen["unquoted"];
      if (raw.find("&amp;") != std::string::npos) ++seen["&amp;"];
      if (raw.find("&page") != std::string::npos) ++seen["bare &"];
      if (raw.find("&#47;") != std::string::npos || raw.find("&#x2F;") != std::string::npos) ++seen["&#47;"];
      if (raw.rfind("HTTP://LOCALHOST:8080/", 0) == 0) ++seen["upper-case host"];
      if (raw.rfind("http://", 0) == 0) ++seen["absolute"];
      if (raw.rfind("//", 0) == 0) ++seen["scheme-relative"];
      if (raw.rfind("/", 0) == 0 && raw.rfind("//", 0) != 0) ++seen["root-relative"];
      if (raw.rfind("../", 0) == 0) ++seen["../"];
      if (raw.rfind("./", 0) == 0) ++seen["./"];
      if (!raw.empty() && std::isalpha(static_cast<unsigned char>(raw[0])) && raw.find(':') == std::string::npos) {
        ++seen["relative"];
      }
      if (raw.find('#') != std::string::npos) ++seen["fragment"];
      if (raw == "#content") ++seen["fragment only"];
      if (!raw.empty() && (raw.front() == ' ' || raw.front() == '\n')) ++seen["whitespace around"];
      const std::string inner = raw.substr(0, raw.find_last_not_of(" \n\t") + 1);
      if (inner.find('\n', 1) != std::string::npos) ++seen["newline inside"];
      if (raw.find("list?sort=asc") != std::string::npos) ++seen["query"];
    }
  }
  for (const char* kind : {"<base href>",
                           "<area>",
                           "<iframe src>",
                           "rel=next",
                           "rel=canonical",
                           "single quotes",
                           "unquoted",
                           "&amp;",
                           "bare &",
                           "&#47;",
                           "upper-case host",
                           "absolute",
                           "scheme-relative",
                           "root-relative",
                           "../",
                           "./",
                           "relative",
                           "fragment",
                           "fragment only",
                           "whitespace around",
                           "newline inside",
                           "query"}) {
    EXPECT_GE(seen[kind], 3) << kind;
  }
}

TEST(SiteModelTest, RootLinksToEveryFaultAndFaultsAreNotInTheGroundTruth) {
  const SiteModel m(small_site());
  const std::string home = body_of(m, "/");
  for (const std::string& path : fault_entry_paths(FaultSet::all())) {
    EXPECT_NE(home.find("href=\"" + path + "\""), std::string::npos) << path;
    EXPECT_TRUE(is_fault_path(path)) << path;
  }
  auto urls = m.ground_truth("http://127.0.0.1:8080");
  for (const std::string& u : *urls) EXPECT_FALSE(is_fault_path(target_of(u))) << u;
  const SiteModel plain(SiteOptions{.pages = 300});
  EXPECT_EQ(body_of(plain, "/").find("/fault/"), std::string::npos);
}

}  // namespace
}  // namespace preheat::testsite
