// The traps, as pure responses of the model: each fault answers what
// fault_pages.h promises, only when it is enabled.
#include "testsite/fault_pages.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "base/utf8.h"
#include "tests/testsite/html_links.h"
#include "testsite/civil_date.h"
#include "testsite/gzip_bomb.h"
#include "testsite/site_model.h"

namespace preheat::testsite {
namespace {

using testing::html_links;
using testing::resolve_href;
using testing::target_of;

constexpr std::int64_t kNow = 1'700'000'000;  // 2023-11-14T22:13:20Z
constexpr std::string_view kHost = "127.0.0.1:8080";

SiteResponse get(const SiteModel& m, std::string_view target) {
  return m.respond(SiteRequest{target, kHost, kNow});
}

SiteModel with_all() {
  return SiteModel(SiteOptions{.pages = 100, .faults = FaultSet::all()});
}

TEST(FaultSetTest, ParsesListsAndAll) {
  struct Case {
    std::string text;
    std::string parsed;  // FaultSet::to_string
  };
  const Case cases[] = {
      {"", ""},
      {"500", "500"},
      {"reset,500", "500,reset"},
      {" stall , gzip-bomb ,", "stall,gzip-bomb"},
      {"sitemap,robots,calendar", "calendar,robots,sitemap"},
      {"500,500", "500"},
  };
  for (const Case& c : cases) {
    auto set = parse_faults(c.text);
    ASSERT_TRUE(set.ok()) << c.text;
    EXPECT_EQ(set->to_string(), c.parsed) << c.text;
  }
  auto all = parse_faults("all");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, FaultSet::all());
  EXPECT_EQ(all->size(), kFaultCount);
  EXPECT_EQ(all->to_string(),
            "500,503,429,reset,stall,redirect-loop,redirect-chain,gzip-bomb,oversize,binary,bad-utf8,charsets,"
            "calendar,schemes,robots,sitemap");
}

TEST(FaultSetTest, AnUnknownItemIsNamedWithTheValidOnes) {
  for (std::string_view bad : {"resett", "500,nope", "ALL", "404", "500;503"}) {
    auto set = parse_faults(bad);
    ASSERT_FALSE(set.ok()) << bad;
    EXPECT_EQ(set.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(set.status().message().find("unknown fault '"), std::string::npos) << set.status().message();
    EXPECT_NE(set.status().message().find("(valid: 500, 503, 429, reset, stall, redirect-loop, redirect-chain, "
                                          "gzip-bomb, oversize, binary, bad-utf8, charsets, calendar, schemes, "
                                          "robots, sitemap, all)"),
              std::string::npos)
        << set.status().message();
  }
  EXPECT_EQ(parse_faults("500,nope").status().message().substr(0, 22), "unknown fault 'nope' (");
}

TEST(FaultPagesTest, StatusFaults) {
  const SiteModel m = with_all();
  struct Case {
    std::string target;
    unsigned status;
    std::string retry_after;
  };
  const Case cases[] = {
      {"/fault/500", 500, ""},
      {"/fault/503", 503, "1"},
      {"/fault/429", 429, "2"},
      {"/fault/429-date", 429, "Tue, 14 Nov 2023 22:13:25 GMT"},
  };
  for (const Case& c : cases) {
    const SiteResponse r = get(m, c.target);
    EXPECT_EQ(r.status, c.status) << c.target;
    EXPECT_EQ(r.header("Retry-After"), c.retry_after) << c.target;
    EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(r.delivery, Delivery::kWhole);
  }
}

TEST(FaultPagesTest, DisabledFaultsAre404) {
  const SiteModel none(SiteOptions{.pages = 100});
  for (const std::string& path : fault_entry_paths(FaultSet::all())) EXPECT_EQ(get(none, path).status, 404u) << path;
  EXPECT_EQ(get(none, "/robots.txt").status, 404u);
  const SiteModel only_500(SiteOptions{.pages = 100, .faults = *parse_faults("500")});
  EXPECT_EQ(get(only_500, "/fault/500").status, 500u);
  EXPECT_EQ(get(only_500, "/fault/503").status, 404u);
  EXPECT_EQ(fault_entry_paths(*parse_faults("500")), std::vector<std::string>{"/fault/500"});
}

TEST(FaultPagesTest, RedirectChainIsFifteenRedirectsThenAPage) {
  const SiteModel m = with_all();
  std::string url = "http://127.0.0.1:8080/fault/redirect-chain/0";
  int redirects = 0;
  std::set<unsigned> codes;
  for (;;) {
    const SiteResponse r = get(m, target_of(url));
    if (r.status / 100 != 3) {
      EXPECT_EQ(r.status, 200u);
      break;
    }
    codes.insert(r.status);
    ASSERT_FALSE(r.header("Location").empty());
    url = *resolve_href(url, r.header("Location"));
    ASSERT_LT(++redirects, 100);
  }
  EXPECT_EQ(redirects, kRedirectChainLength);
  EXPECT_EQ(url, "http://127.0.0.1:8080/fault/redirect-chain/15");
  EXPECT_EQ(codes, (std::set<unsigned>{301, 302, 303, 307, 308}));
  EXPECT_EQ(get(m, "/fault/redirect-chain/16").status, 404u);
  EXPECT_EQ(get(m, "/fault/redirect-chain/01").status, 404u);
}

TEST(FaultPagesTest, RedirectLoopComesBack) {
  const SiteModel m = with_all();
  std::string url = "http://127.0.0.1:8080/fault/redirect-loop/a";
  std::vector<std::string> visited;
  for (int i = 0; i < 4; ++i) {
    const SiteResponse r = get(m, target_of(url));
    ASSERT_EQ(r.status, 302u);
    visited.push_back(target_of(url));
    url = *resolve_href(url, r.header("Location"));
  }
  EXPECT_EQ(visited, (std::vector<std::string>{"/fault/redirect-loop/a", "/fault/redirect-loop/b",
                                               "/fault/redirect-loop/a", "/fault/redirect-loop/b"}));
}

TEST(FaultPagesTest, BodiesThatBreakOff) {
  const SiteModel m = with_all();
  for (const char* target : {"/fault/reset", "/fault/stall"}) {
    const SiteResponse r = get(m, target);
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body.size(), kCutAfterBytes);
    EXPECT_EQ(r.declared_length(), kCutBodyBytes);
    EXPECT_EQ(r.body.substr(0, 15), "<!DOCTYPE html>");
  }
  EXPECT_EQ(get(m, "/fault/reset").delivery, Delivery::kResetAfter);
  EXPECT_EQ(get(m, "/fault/stall").delivery, Delivery::kStallAfter);
  EXPECT_EQ(get(m, "/fault/stall").stall, std::chrono::seconds(60));
}

TEST(FaultPagesTest, OversizeIsStreamedNotHeld) {
  const SiteModel m = with_all();
  const SiteResponse r = get(m, "/fault/oversize");
  EXPECT_EQ(r.delivery, Delivery::kStream);
  EXPECT_EQ(r.declared_length(), kOversizeBytes);
  EXPECT_TRUE(r.body.empty());
  std::string start(64, '\0');
  EXPECT_EQ(r.stream(0, std::span<char>(start.data(), start.size())), 64u);
  EXPECT_EQ(start.substr(0, 15), "<!DOCTYPE html>");
  std::string end(100, '\0');
  EXPECT_EQ(r.stream(kOversizeBytes - 10, std::span<char>(end.data(), end.size())), 10u);
}

TEST(FaultPagesTest, GzipBombIsSmallOnTheWire) {
  const SiteModel m = with_all();
  const SiteResponse r = get(m, "/fault/gzip-bomb");
  EXPECT_EQ(r.header("Content-Encoding"), "gzip");
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
  ASSERT_TRUE(r.shared_body);
  EXPECT_LT(r.declared_length(), 2u << 20);
  // The trailer says 1 GiB was compressed (little-endian 0x40000000).
  const std::string& z = *r.shared_body;
  EXPECT_EQ(z.substr(z.size() - 4), std::string("\0\0\0\x40", 4));
  EXPECT_EQ(z.substr(0, 2), "\x1f\x8b");
}

// Inflates `gz` fully; returns the inflated size, or -1 when the stream is
// invalid (bad CRC or size included).
std::int64_t inflated_size(const std::string& gz) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  std::vector<unsigned char> out(1 << 20);
  std::int64_t total = 0;
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    rc = inflate(&z, Z_NO_FLUSH);
    total += static_cast<std::int64_t>(out.size() - z.avail_out);
    for (std::size_t i = 0; i < out.size() - z.avail_out; ++i) {
      if (out[i] != 0) return -1;
    }
  }
  inflateEnd(&z);
  return rc == Z_STREAM_END && z.avail_in == 0 ? total : -1;
}

TEST(GzipBombTest, InflatesToExactlyWhatItClaims) {
  for (std::uint64_t mib : {2, 3, 64}) {
    const std::string bomb = make_gzip_bomb(mib << 20);
    EXPECT_EQ(inflated_size(bomb), static_cast<std::int64_t>(mib << 20)) << mib;
    EXPECT_LT(bomb.size(), (mib << 20) / 900) << mib;  // deflate's best ratio is about 1:1000
  }
  EXPECT_THROW(make_gzip_bomb(1), std::invalid_argument);
}

TEST(FaultPagesTest, BinaryAndBadUtf8) {
  const SiteModel m = with_all();
  const SiteResponse bin = get(m, "/fault/binary");
  EXPECT_EQ(bin.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(bin.body.find('\0'), std::string::npos);
  EXPECT_EQ(bin.body, get(m, "/fault/binary").body);

  const SiteResponse bad = get(m, "/fault/bad-utf8");
  EXPECT_EQ(bad.header("Content-Type"), "text/html; charset=utf-8");
  std::size_t invalid = 0;
  for (std::size_t i = 0; i < bad.body.size();) {
    const std::size_t n = utf8_length(bad.body, i);
    invalid += n == 0;
    i += n == 0 ? 1 : n;
  }
  EXPECT_GE(invalid, 10u);
  const auto links = html_links(bad.body);
  ASSERT_FALSE(links.empty());
  EXPECT_EQ(links.back().value, "/");  // still extractable after the bad bytes
}

TEST(FaultPagesTest, CharsetsServesLegacyEncodedPages) {
  const SiteModel m = with_all();
  const SiteResponse cp1252 = get(m, "/fault/charsets/windows-1252");
  EXPECT_EQ(cp1252.status, 200u);
  EXPECT_EQ(cp1252.header("Content-Type"), "text/html; charset=windows-1252");
  EXPECT_NE(cp1252.body.find("<meta charset=\"windows-1252\">"), std::string::npos);
  EXPECT_NE(cp1252.body.find("\x80 5 \x96 l\x92"), std::string::npos);  // euro sign, en dash, apostrophe
  EXPECT_EQ(utf8_length(cp1252.body, cp1252.body.find('\x80')), 0u);    // not UTF-8

  const SiteResponse sjis = get(m, "/fault/charsets/shift-jis");
  EXPECT_EQ(sjis.status, 200u);
  EXPECT_EQ(sjis.header("Content-Type"), "text/html");  // no charset: the meta must be found
  EXPECT_NE(sjis.body.find("content=\"text/html; charset=Shift_JIS\""), std::string::npos);
  EXPECT_NE(sjis.body.find("\x95\x5C"), std::string::npos);  // a kanji whose second byte is '\\'
  const auto links = html_links(sjis.body);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].value, "/");

  // Both are linked from "/" with the fault on, and absent with it off.
  const auto entries = fault_entry_paths(*parse_faults("charsets"));
  EXPECT_EQ(entries, (std::vector<std::string>{"/fault/charsets/windows-1252", "/fault/charsets/shift-jis"}));
  const SiteModel none(SiteOptions{.pages = 100});
  EXPECT_EQ(get(none, "/fault/charsets/shift-jis").status, 404u);
}

TEST(FaultPagesTest, CalendarGoesOnForever) {
  const SiteModel m = with_all();
  std::string url = "http://127.0.0.1:8080/calendar/" + std::string(kCalendarStart);
  for (int day = 0; day < 400; ++day) {
    const SiteResponse r = get(m, target_of(url));
    ASSERT_EQ(r.status, 200u) << url;
    std::string next;
    for (const auto& l : html_links(r.body)) {
      const std::string to = *resolve_href(url, l.value);
      if (to.find("/calendar/") != std::string::npos) next = to;
    }
    ASSERT_FALSE(next.empty()) << url;
    url = next;
  }
  EXPECT_EQ(url, "http://127.0.0.1:8080/calendar/2025-02-04");  // 2024 is a leap year
  for (const char* bad : {"/calendar/2023-02-29", "/calendar/2024-13-01", "/calendar/24-01-01", "/calendar/"}) {
    EXPECT_EQ(get(m, bad).status, 404u) << bad;
  }
  EXPECT_EQ(get(m, "/calendar/2024-02-29").status, 200u);
  const std::string last = get(m, "/calendar/9999-12-31").body;
  EXPECT_EQ(last.find("10000"), std::string::npos);
}

TEST(FaultPagesTest, SchemesPageHasNonHttpLinks) {
  const SiteModel m = with_all();
  const std::string body = get(m, "/fault/schemes").body;
  std::set<std::string> schemes;
  for (const auto& l : html_links(body)) {
    const std::string v = testing::whatwg_preprocess(l.value);
    schemes.insert(testing::lower_ascii(v.substr(0, v.find(':'))));
  }
  for (const char* s : {"javascript", "mailto", "data", "tel", "/"}) EXPECT_EQ(schemes.count(s), 1u) << s;
}

TEST(FaultPagesTest, RobotsAndSitemap) {
  const SiteModel m = with_all();
  const SiteResponse robots = get(m, "/robots.txt");
  EXPECT_EQ(robots.status, 200u);
  EXPECT_EQ(robots.header("Content-Type"), "text/plain; charset=utf-8");
  for (const char* line : {"User-agent: *\n", "Disallow: /fault/robots/\n", "Allow: /fault/robots/allowed\n",
                           "Crawl-delay: 1\n", "Sitemap: http://127.0.0.1:8080/sitemap.xml\n"}) {
    EXPECT_NE(robots.body.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(get(m, "/fault/robots/private").status, 200u);
  EXPECT_EQ(get(m, "/fault/robots/allowed").status, 200u);

  const SiteResponse map = get(m, "/sitemap.xml");
  EXPECT_EQ(map.header("Content-Type"), "application/xml; charset=utf-8");
  auto truth = m.ground_truth("http://127.0.0.1:8080/");
  std::size_t locs = 0;
  for (std::size_t at = 0; (at = map.body.find("<loc>", at)) != std::string::npos; ++at) ++locs;
  EXPECT_EQ(locs, truth->size() + 1);  // and the orphan
  EXPECT_NE(map.body.find("<loc>http://127.0.0.1:8080/list?sort=asc&amp;page=3</loc>"), std::string::npos);
  EXPECT_NE(map.body.find("<loc>http://127.0.0.1:8080/fault/sitemap/orphan</loc>"), std::string::npos);
  EXPECT_EQ(get(m, "/sitemap-1.xml").status, 404u);  // one file is enough for 100 pages
}

// The orphan is served but no page links to it; the robots redirect leads
// into the path robots.txt disallows.
TEST(FaultPagesTest, SitemapOrphanAndRedirectIntoDisallowedPath) {
  const SiteModel m = with_all();
  const SiteResponse orphan = get(m, std::string(kSitemapOrphanPath));
  EXPECT_EQ(orphan.status, 200u);
  auto truth = m.ground_truth("http://127.0.0.1:8080/");
  ASSERT_TRUE(truth.ok());
  for (const std::string& url : *truth) {
    const SiteResponse page = get(m, url.substr(std::string("http://127.0.0.1:8080").size()));
    EXPECT_EQ(page.body.find("sitemap/orphan"), std::string::npos) << url;
  }
  EXPECT_EQ(get(m, "/").body.find("sitemap/orphan"), std::string::npos);
  const SiteResponse redirect = get(m, "/fault/robots-redirect");
  EXPECT_EQ(redirect.status, 302u);
  EXPECT_EQ(redirect.header("Location"), "/fault/robots/private");
  EXPECT_NE(get(m, "/").body.find("robots-redirect"), std::string::npos);
  const SiteModel plain(SiteOptions{.pages = 10});
  EXPECT_EQ(get(plain, std::string(kSitemapOrphanPath)).status, 404u);
  EXPECT_EQ(get(plain, "/fault/robots-redirect").status, 404u);
}

TEST(FaultPagesTest, LargeSitesGetASitemapIndex) {
  const SiteModel m(SiteOptions{.pages = 120'000, .faults = *parse_faults("sitemap")});
  const std::string index = get(m, "/sitemap.xml").body;
  EXPECT_NE(index.find("<sitemapindex"), std::string::npos);
  EXPECT_NE(index.find("<loc>http://127.0.0.1:8080/sitemap-3.xml</loc>"), std::string::npos);
  EXPECT_EQ(index.find("sitemap-4.xml"), std::string::npos);
  std::size_t locs = 0;
  for (int i = 1; i <= 3; ++i) {
    const std::string part = get(m, "/sitemap-" + std::to_string(i) + ".xml").body;
    for (std::size_t at = 0; (at = part.find("<loc>", at)) != std::string::npos; ++at) ++locs;
  }
  EXPECT_EQ(locs, 120'001u);  // the pages and the orphan, in the last file
  EXPECT_EQ(get(m, "/sitemap-4.xml").status, 404u);
  EXPECT_EQ(get(m, "/sitemap-0.xml").status, 404u);
}

TEST(CivilDateTest, DaysAndHttpDates) {
  struct Case {
    std::string date;
    std::int64_t days;
  };
  const Case cases[] = {
      {"1970-01-01", 0}, {"2000-03-01", 11017}, {"2024-02-29", 19782}, {"1969-12-31", -1}, {"0001-01-01", -719162}};
  for (const Case& c : cases) {
    const auto d = parse_civil_date(c.date);
    ASSERT_TRUE(d.has_value()) << c.date;
    EXPECT_EQ(d->days_since_epoch(), c.days) << c.date;
    EXPECT_EQ(CivilDate::from_days_since_epoch(c.days), *d);
    EXPECT_EQ(d->to_string(), c.date);
  }
  EXPECT_EQ(parse_civil_date("2023-12-31")->next_day().to_string(), "2024-01-01");
  EXPECT_EQ(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(http_date(kNow), "Tue, 14 Nov 2023 22:13:20 GMT");
  for (const char* bad : {"2023-02-29", "1900-02-29", "0000-01-01", "2024-1-01", "2024-01-01x", "abcd-ef-gh"}) {
    EXPECT_FALSE(parse_civil_date(bad).has_value()) << bad;
  }
  EXPECT_TRUE(parse_civil_date("2000-02-29").has_value());
}

}  // namespace
}  // namespace preheat::testsite
