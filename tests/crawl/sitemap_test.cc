// parse_sitemap: the formats, the limits and hostile input, as a pure function.
#include "crawl/sitemap.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

namespace preheat::crawl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::string_view kSite = "http://a.test";
constexpr std::string_view kMap = "http://a.test/sitemap.xml";

std::string gzip(std::string_view data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string urlset(const std::vector<std::string>& locs) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (const auto& l : locs) x += "<url><loc>" + l + "</loc><lastmod>2026-01-01</lastmod></url>\n";
  return x + "</urlset>\n";
}

TEST(SitemapTest, UrlSetGivesItsLocsNormalisedInOrder) {
  const SitemapParse p = parse_sitemap(urlset({"http://a.test/b", "HTTP://A.test:80/a/../c#frag", "http://a.test/b"}),
                                       kMap, kSite);
  EXPECT_EQ(p.kind, SitemapKind::kUrlSet);
  EXPECT_THAT(p.urls, ElementsAre("http://a.test/b", "http://a.test/c"));  // normalised, the duplicate once
  EXPECT_EQ(p.locs, 3u);
  EXPECT_EQ(p.dropped, 0u);
  EXPECT_FALSE(p.gzip);
  EXPECT_FALSE(p.truncated);
  EXPECT_EQ(p.error, "");
}

TEST(SitemapTest, IndexGivesItsChildSitemaps) {
  const std::string x =
      "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
      "<sitemap><loc>http://a.test/sitemap-1.xml</loc><lastmod>2026-01-01</lastmod></sitemap>"
      "<sitemap><loc>http://a.test/sitemap-2.xml.gz</loc></sitemap>"
      "<sitemap><loc>http://cdn.test/a.xml</loc></sitemap>"  // another site: dropped
      "</sitemapindex>";
  const SitemapParse p = parse_sitemap(x, kMap, kSite);
  EXPECT_EQ(p.kind, SitemapKind::kIndex);
  EXPECT_THAT(p.urls, ElementsAre("http://a.test/sitemap-1.xml", "http://a.test/sitemap-2.xml.gz"));
  EXPECT_EQ(p.dropped, 1u);
  // An index named in a.test's robots.txt but served from cdn.test may name
  // its own site's files too.
  const SitemapParse cdn = parse_sitemap(x, "http://cdn.test/index.xml", kSite);
  EXPECT_EQ(cdn.urls.size(), 3u);
}

TEST(SitemapTest, GzipIsDetectedByItsMagicBytes) {
  const SitemapParse p = parse_sitemap(gzip(urlset({"http://a.test/x"})), "http://a.test/s.xml.gz", kSite);
  EXPECT_TRUE(p.gzip);
  EXPECT_EQ(p.kind, SitemapKind::kUrlSet);
  EXPECT_THAT(p.urls, ElementsAre("http://a.test/x"));
  // Two members (gzip(1) allows concatenation) are one file.
  const std::string whole = urlset({"http://a.test/y"});
  const SitemapParse two = parse_sitemap(gzip(whole.substr(0, 50)) + gzip(whole.substr(50)), kMap, kSite);
  EXPECT_THAT(two.urls, ElementsAre("http://a.test/y"));
  EXPECT_EQ(two.error, "");
}

TEST(SitemapTest, CorruptOrTruncatedGzipKeepsWhatCameBeforeAndSaysWhy) {
  const std::string gz = gzip(urlset({"http://a.test/x"}));
  const SitemapParse cut = parse_sitemap(gz.substr(0, gz.size() / 2), kMap, kSite);
  EXPECT_TRUE(cut.gzip);
  EXPECT_THAT(cut.error, HasSubstr("gzip"));
  std::string bad = gz;
  for (std::size_t i = 10; i < bad.size(); ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
  EXPECT_THAT(parse_sitemap(bad, kMap, kSite).error, HasSubstr("gzip"));
}

// A small file that inflates past the byte cap: inflating stops at the cap,
// the URLs before it are kept.
TEST(SitemapTest, GzipBombStopsAtTheByteCap) {
  std::string x = "<urlset><url><loc>http://a.test/first</loc></url><!-- ";
  x.append(20u << 20, ' ');  // 20 MiB of comment: ~20 KiB compressed
  x += "--><url><loc>http://a.test/never</loc></url></urlset>";
  const std::string gz = gzip(x);
  ASSERT_LT(gz.size(), 100'000u);
  const SitemapParse p = parse_sitemap(gz, kMap, kSite, SitemapLimits{.max_bytes = 1u << 20});
  EXPECT_TRUE(p.truncated);
  EXPECT_THAT(p.urls, ElementsAre("http://a.test/first"));
}

TEST(SitemapTest, AtMostMaxUrlsPerFileByDefaultTheProtocols50000) {
  std::vector<std::string> locs;
  for (int i = 0; i < 50'001; ++i) locs.push_back("http://a.test/p" + std::to_string(i));
  const SitemapParse p = parse_sitemap(urlset(locs), kMap, kSite);
  EXPECT_EQ(p.urls.size(), 50'000u);
  EXPECT_EQ(p.urls.back(), "http://a.test/p49999");
  EXPECT_TRUE(p.truncated);
  locs.pop_back();
  const SitemapParse exact = parse_sitemap(urlset(locs), kMap, kSite);
  EXPECT_EQ(exact.urls.size(), 50'000u);
  EXPECT_EQ(exact.error, "");
  EXPECT_FALSE(exact.truncated);  // exactly the limit is within it
  const SitemapParse three = parse_sitemap(urlset(locs), kMap, kSite, SitemapLimits{.max_urls = 3});
  EXPECT_THAT(three.urls, ElementsAre("http://a.test/p0", "http://a.test/p1", "http://a.test/p2"));
  EXPECT_TRUE(three.truncated);
}

TEST(SitemapTest, PlainBytesOverTheCapAreCutToo) {
  const std::string x = urlset({"http://a.test/a", "http://a.test/b", "http://a.test/c"});
  const std::size_t cut = x.find("http://a.test/c");
  const SitemapParse p = parse_sitemap(x, kMap, kSite, SitemapLimits{.max_bytes = cut + 5});
  EXPECT_TRUE(p.truncated);
  EXPECT_THAT(p.urls, ElementsAre("http://a.test/a", "http://a.test/b"));  // the cut loc is not half-read
}

TEST(SitemapTest, MalformedXmlKeepsTheLocsBeforeTheError) {
  const SitemapParse p =
      parse_sitemap("<urlset><url><loc>http://a.test/ok</loc></url><url><loc>http://a.test/x</url></urlset>", kMap, kSite);
  EXPECT_THAT(p.urls, ElementsAre("http://a.test/ok"));
  EXPECT_THAT(p.error, HasSubstr("malformed XML"));
  EXPECT_THAT(parse_sitemap("<html><body>hi</body></html>", kMap, kSite).error, HasSubstr("not a sitemap"));
  EXPECT_EQ(parse_sitemap("", kMap, kSite).error, "empty sitemap");
  EXPECT_THAT(parse_sitemap("<urlset><url><loc>http://a.test/a</loc>", kMap, kSite).error, HasSubstr("malformed"));
  const SitemapParse binary = parse_sitemap(std::string("<\x00\xff\xfe\x01garbage", 12), kMap, kSite);
  EXPECT_TRUE(binary.urls.empty());
  EXPECT_FALSE(binary.error.empty());
}

TEST(SitemapTest, ExternalAndInternalEntitiesAreRefused) {
  // XXE: a file read through an external entity; "billion laughs": entities
  // that expand exponentially. Both need a DOCTYPE, which is refused.
  const std::string xxe =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE urlset [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
      "<urlset><url><loc>http://a.test/&x;</loc></url></urlset>";
  const SitemapParse p = parse_sitemap(xxe, kMap, kSite);
  EXPECT_TRUE(p.urls.empty());
  EXPECT_EQ(p.error, "a DOCTYPE is not allowed in a sitemap");
  std::string lol = "<!DOCTYPE urlset [<!ENTITY a \"aaaaaaaaaa\">";
  for (char c = 'b'; c <= 'j'; ++c) {
    lol += "<!ENTITY " + std::string(1, c) + " \"";
    for (int i = 0; i < 10; ++i) lol += "&" + std::string(1, static_cast<char>(c - 1)) + ";";
    lol += "\">";
  }
  lol += "]><urlset><url><loc>http://a.test/&j;</loc></url></urlset>";
  EXPECT_EQ(parse_sitemap(lol, kMap, kSite).error, "a DOCTYPE is not allowed in a sitemap");
  // Without a DOCTYPE an undeclared entity is an error, never a lookup.
  const SitemapParse undeclared = parse_sitemap("<urlset><url><loc>http://a.test/&x;</loc></url></urlset>", kMap, kSite);
  EXPECT_TRUE(undeclared.urls.empty());
  EXPECT_THAT(undeclared.error, HasSubstr("malformed XML"));
}

TEST(SitemapTest, BomWhitespaceEntitiesAndCdataInLoc) {
  const std::string x =
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\">"
      "<url><loc>\n   http://a.test/list?sort=asc&amp;page=3\n\t</loc>"
      "<image:image><image:loc>http://a.test/img.png</image:loc></image:image></url>"
      "<url><loc>http://a.test/caf&#xE9;</loc></url>"
      "<url><loc><![CDATA[http://a.test/cdata?a=1&b=2]]></loc></url>"
      "<url><loc>   </loc></url>"
      "</urlset>";
  const SitemapParse p = parse_sitemap(x, kMap, kSite);
  EXPECT_EQ(p.error, "");
  EXPECT_THAT(p.urls, ElementsAre("http://a.test/list?sort=asc&page=3", "http://a.test/caf%C3%A9",
                                  "http://a.test/cdata?a=1&b=2"));
  EXPECT_EQ(p.locs, 4u);  // image:loc is not a page loc
  EXPECT_EQ(p.dropped, 1u);  // the blank one
}

TEST(SitemapTest, OffSiteNonHttpAndOverlongLocsAreDropped) {
  const SitemapParse p = parse_sitemap(urlset({"https://a.test/tls", "http://b.test/x", "http://a.test:8080/port",
                                               "ftp://a.test/f", "/relative", "http://a.test/" + std::string(3000, 'x')}),
                                       kMap, kSite);
  // Relative locs are resolved against the sitemap (the protocol wants
  // absolute ones; resolving costs nothing and loses nothing).
  EXPECT_THAT(p.urls, ElementsAre("http://a.test/relative"));
  EXPECT_EQ(p.dropped, 5u);
}

TEST(SitemapTest, PlainTextSitemapOneUrlPerLine) {
  const SitemapParse p =
      parse_sitemap("\xEF\xBB\xBFhttp://a.test/one\r\n\r\n  http://a.test/two  \nhttp://b.test/off\nhttp://a.test/three",
                    "http://a.test/sitemap.txt", kSite);
  EXPECT_EQ(p.kind, SitemapKind::kText);
  EXPECT_THAT(p.urls, ElementsAre("http://a.test/one", "http://a.test/two", "http://a.test/three"));
  EXPECT_EQ(p.dropped, 1u);
  EXPECT_EQ(p.error, "");
  const SitemapParse gz = parse_sitemap(gzip("http://a.test/one\n"), kMap, kSite);
  EXPECT_THAT(gz.urls, ElementsAre("http://a.test/one"));
}

}  // namespace
}  // namespace preheat::crawl
