#include "base/url_normalizer.h"

#include <random>
#include <utility>

#include <gtest/gtest.h>

namespace preheat {
namespace {

constexpr std::string_view kBase = "http://example.com/dir/page.html?x=1#top";

struct LinkCase {
  std::string_view base;
  std::string_view href;
  std::string_view want;  // "" = an error is expected
};

// want "" means an error is expected.
void expect_result(const Result<std::string>& got, std::string_view want, const std::string& context) {
  if (want.empty()) {
    EXPECT_FALSE(got.ok()) << context << " gave " << (got.ok() ? *got : "");
  } else if (!got.ok()) {
    ADD_FAILURE() << context << ": " << got.status().message();
  } else {
    EXPECT_EQ(*got, want) << context;
  }
}

// clang-format off
const LinkCase kLinks[] = {
  // relative references
  {kBase, "other.html", "http://example.com/dir/other.html"},
  {kBase, "sub/a.html", "http://example.com/dir/sub/a.html"},
  {kBase, "/root.html", "http://example.com/root.html"},
  {kBase, "./same.html", "http://example.com/dir/same.html"},
  {kBase, ".", "http://example.com/dir/"},
  {kBase, "./", "http://example.com/dir/"},
  {kBase, "..", "http://example.com/"},
  {kBase, "../up.html", "http://example.com/up.html"},
  {kBase, "../../../../up.html", "http://example.com/up.html"},
  {kBase, "a/./b/../c", "http://example.com/dir/a/c"},
  {kBase, "/a/b/c/./../../g", "http://example.com/a/g"},
  {kBase, "a//b", "http://example.com/dir/a//b"},
  {kBase, "?q=2", "http://example.com/dir/page.html?q=2"},
  {kBase, "?", "http://example.com/dir/page.html?"},
  {kBase, "#frag", "http://example.com/dir/page.html?x=1"},
  {kBase, "#", "http://example.com/dir/page.html?x=1"},
  {kBase, "", "http://example.com/dir/page.html?x=1"},
  {kBase, "   ", "http://example.com/dir/page.html?x=1"},
  {kBase, "a.html#sec", "http://example.com/dir/a.html"},
  {kBase, "a.html?b=1#sec", "http://example.com/dir/a.html?b=1"},
  {kBase, "//other.org/x", "http://other.org/x"},
  {kBase, "//other.org", "http://other.org/"},
  {kBase, "///other.org/x", "http://other.org/x"},
  {"https://secure.example/a/", "//cdn.example/lib.js", "https://cdn.example/lib.js"},
  {kBase, "1a:b", "http://example.com/dir/1a:b"},
  {kBase, "http:same-scheme.html", "http://example.com/dir/same-scheme.html"},
  {kBase, "http:/rooted", "http://example.com/rooted"},
  {kBase, "https:other.org/p", "https://other.org/p"},
  {kBase, "http:///triple.org/p", "http://triple.org/p"},
  // case, ports
  {kBase, "HTTP://EXAMPLE.COM/Path", "http://example.com/Path"},
  {kBase, "HtTpS://Www.Example.Com", "https://www.example.com/"},
  {kBase, "http://example.com:80/a", "http://example.com/a"},
  {kBase, "https://example.com:443/a", "https://example.com/a"},
  {kBase, "http://example.com:443/a", "http://example.com:443/a"},
  {kBase, "https://example.com:80/a", "https://example.com:80/a"},
  {kBase, "http://example.com:/a", "http://example.com/a"},
  {kBase, "http://example.com:0080/a", "http://example.com/a"},
  {kBase, "http://example.com:08080/a", "http://example.com:8080/a"},
  {kBase, "http://example.com:65536/a", ""},
  {kBase, "ws://example.com:80/chat", "ws://example.com/chat"},
  {kBase, "ftp://example.com:21/f", "ftp://example.com/f"},
  {kBase, "http://user:@example.com/", "http://user@example.com/"},
  {kBase, "http://@example.com/", "http://example.com/"},
  // percent-encoding
  {kBase, "%7e%41b", "http://example.com/dir/~Ab"},
  {kBase, "a%2fb", "http://example.com/dir/a%2Fb"},
  {kBase, "a%2Fb", "http://example.com/dir/a%2Fb"},
  {kBase, "%2e%2E/x", "http://example.com/x"},
  {kBase, "?q=%7e%3d%3D", "http://example.com/dir/page.html?q=~%3D%3D"},
  {kBase, "100%", "http://example.com/dir/100%25"},
  {kBase, "%zz", "http://example.com/dir/%25zz"},
  {kBase, "a b.html", "http://example.com/dir/a%20b.html"},
  {kBase, "?q=a b", "http://example.com/dir/page.html?q=a%20b"},
  {kBase, "caf\xC3\xA9", "http://example.com/dir/caf%C3%A9"},
  {kBase, "?q=caf\xC3\xA9", "http://example.com/dir/page.html?q=caf%C3%A9"},
  {kBase, "a\"<>`{}.html", "http://example.com/dir/a%22%3C%3E%60%7B%7D.html"},
  {kBase, "a^|.html", "http://example.com/dir/a%5E%7C.html"},
  {kBase, "?a='b'", "http://example.com/dir/page.html?a=%27b%27"},
  {kBase, "?a={b}|c", "http://example.com/dir/page.html?a=%7Bb%7D%7Cc"},
  {kBase, "a[1].html", "http://example.com/dir/a%5B1%5D.html"},
  // whitespace inside and around hrefs
  {kBase, "  spaced.html\n", "http://example.com/dir/spaced.html"},
  {kBase, "\t\f /x.html \r\n", "http://example.com/x.html"},
  {kBase, "li\nne.html", "http://example.com/dir/line.html"},
  {kBase, "ta\tb.html", "http://example.com/dir/tab.html"},
  {kBase, "h\rttp://example.org/", "http://example.org/"},
  // entities are the HTML parser's business
  {kBase, "a.html?x=1&amp;y=2", "http://example.com/dir/a.html?x=1&amp;y=2"},
  {kBase, "&#47;x", "http://example.com/dir/&"},
  // backslashes
  {kBase, "\\rooted", "http://example.com/rooted"},
  {kBase, "sub\\a.html", "http://example.com/dir/sub/a.html"},
  {kBase, "\\\\other.org\\x", "http://other.org/x"},
  {kBase, "http:\\\\other.org\\x", "http://other.org/x"},
  {kBase, "?a\\b", "http://example.com/dir/page.html?a%5Cb"},
  {"foo://h/a/", "b\\c", "foo://h/a/b%5Cc"},
  // hosts: IDN, IPv4, IPv6, forbidden characters
  {kBase, "http://b\xC3\xBC" "cher.example/", "http://xn--bcher-kva.example/"},
  {kBase, "http://B\xC3\x9C" "CHER.example/", "http://xn--bcher-kva.example/"},
  {kBase, "http://stra\xC3\x9F" "e.de/", "http://xn--strae-oqa.de/"},
  {kBase, "http://%65xample.com/", "http://example.com/"},
  {kBase, "http://xn--bcher-kva.example/", "http://xn--bcher-kva.example/"},
  {kBase, "http://127.1/", "http://127.0.0.1/"},
  {kBase, "http://0x7f.0.0.1/", "http://127.0.0.1/"},
  {kBase, "http://017.0.0.1/", "http://15.0.0.1/"},
  {kBase, "http://2130706433/", "http://127.0.0.1/"},
  {kBase, "http://1.2.3.4./", "http://1.2.3.4/"},
  {kBase, "http://1.2.3.256/", ""},
  {kBase, "http://1.2.3.4.5/", ""},
  {kBase, "http://1.2.3.a/", "http://1.2.3.a/"},
  {kBase, "http://[::1]:8080/x", "http://[::1]:8080/x"},
  {kBase, "http://[0:0:0:0:0:0:0:1]/", "http://[::1]/"},
  {kBase, "http://[2001:DB8::A]/", "http://[2001:db8::a]/"},
  {kBase, "http://[::ffff:1.2.3.4]/", "http://[::ffff:102:304]/"},
  {kBase, "http://[1:0:0:2:0:0:0:3]/", "http://[1:0:0:2::3]/"},
  {kBase, "http://[::1/", ""},
  {kBase, "http://a<b/", ""},
  {kBase, "http://a%5Eb/", ""},
  {kBase, "http:///", ""},
  {kBase, "//", ""},
  // non-HTTP schemes resolve to themselves
  {kBase, "javascript:void(0)", "javascript:void(0)"},
  {kBase, "JavaScript:alert('a b')", "javascript:alert('a%20b')"},
  {kBase, "mailto:Someone@Example.com", "mailto:Someone@Example.com"},
  {kBase, "mailto:a@b.c?subject=Hi there", "mailto:a@b.c?subject=Hi%20there"},
  {kBase, "tel:+1-555-0100", "tel:+1-555-0100"},
  {kBase, "data:text/plain,hello world", "data:text/plain,hello%20world"},
  {kBase, "data:text/html,<b>x</b>#f", "data:text/html,%3Cb%3Ex%3C/b%3E"},
  {kBase, "urn:isbn:0451450523", "urn:isbn:0451450523"},
  {kBase, "foo://Host/a/../b", "foo://Host/b"},
  // bad bases
  {"not a url", "x", ""},
  {"/relative/base", "x", ""},
};
// clang-format on

TEST(ResolveLink, Table) {
  for (const auto& c : kLinks) {
    expect_result(resolve_link(c.base, c.href), c.want, "base '" + std::string(c.base) + "' href '" + std::string(c.href) + "'");
  }
}

TEST(ResolveLink, ResultsAreFixedPoints) {
  for (const auto& c : kLinks) {
    auto got = resolve_link(c.base, c.href);
    if (!got.ok()) continue;
    auto again = normalize_url(*got);
    ASSERT_TRUE(again.ok()) << *got << ": " << again.status().message();
    EXPECT_EQ(*again, *got);
    auto self = resolve_link(*got, "");
    ASSERT_TRUE(self.ok()) << *got;
    EXPECT_EQ(*self, *got);
  }
}

TEST(ResolveLink, ErrorsNameTheProblem) {
  EXPECT_EQ(resolve_link(kBase, "http://h:70000/").status().message(),
            "port 70000 out of range in 'http://h:70000/'");
  EXPECT_EQ(resolve_link(kBase, "http://1.2.3.256/").status().message(),
            "invalid IPv4 address '1.2.3.256' in 'http://1.2.3.256/'");
  EXPECT_EQ(resolve_link(kBase, "http:///").status().message(), "empty host in 'http:///'");
  EXPECT_EQ(resolve_link(kBase, "http://a<b/").status().message(), "forbidden host character '<' in 'http://a<b/'");
  EXPECT_NE(resolve_link("nope", "x").status().message().find("bad base URL 'nope'"), std::string::npos);
}

// LinkResolver (the base prepared once) must give exactly resolve_link's
// answer, value or error message, for every href.
void expect_same_as_resolve_link(std::string_view base, std::string_view href) {
  const std::string what = "base '" + std::string(base) + "' href '" + std::string(href) + "'";
  const Result<std::string> want = resolve_link(base, href);
  const Result<LinkResolver> resolver = LinkResolver::make(base);
  if (!resolver.ok()) {
    ASSERT_FALSE(want.ok()) << what;
    EXPECT_EQ(resolver.status().message(), want.status().message()) << what;
    return;
  }
  const Result<std::string> got = resolver->resolve(href);
  ASSERT_EQ(got.ok(), want.ok()) << what << (got.ok() ? ": " + *got : ": " + got.status().message());
  if (want.ok()) {
    EXPECT_EQ(*got, *want) << what;
  } else {
    EXPECT_EQ(got.status().message(), want.status().message()) << what;
  }
}

TEST(LinkResolver, SameAsResolveLinkOnTheTable) {
  for (const auto& c : kLinks) expect_same_as_resolve_link(c.base, c.href);
}

TEST(LinkResolver, BasesWhoseAuthorityNeedsWorkOrFails) {
  // The resolver normalises the base's authority once; these bases exercise
  // that (case, default and odd ports, IPv4 forms, IPv6, userinfo, IDN) and
  // its failure, which each href must report as resolve_link does.
  const std::string_view bases[] = {
      "HTTP://User:@EXAMPLE.com:080/a/b?q", "http://0x7f.1/dir/", "http://1.2.3.4./x", "http://[0:0::1]:80/a",
      "https://b\xc3\xbc" "cher.example/a/b", "http://h:70000/x",  "http://1.2.3.256/x", "http://a<b/x",
      "ftp://h:21/p",  "foo://Host/a/b", "http://h/a?x#frag"};
  const std::string_view hrefs[] = {"", "c", "../c", "/c?d", "?q", "#f", "//other.example/x", "http:rel",
                                    "https://h:443/", "mailto:a@b", " ./a b ", "%2e%2E/x"};
  for (std::string_view base : bases) {
    for (std::string_view href : hrefs) expect_same_as_resolve_link(base, href);
  }
}

// The fast path (base/simple_href.h) against the general one: hrefs made of
// pieces chosen to hit every rule of both (dots, '%', ':', '?', '#', '\'',
// '\\', spaces, tabs, non-ASCII, "//", schemes), on bases it can and cannot use.
TEST(LinkResolver, GeneratedHrefsMatchResolveLink) {
  const std::string_view bases[] = {"http://example.com/a/b/c.html", "https://Ex.com:443/dir/", "http://h/a%20b/c",
                                    "http://127.0.0.1:8080/x/./y/../z?q=1", "http://h", "http://h/",
                                    "http://h/a:b/c@d/", "ftp://h/p/q", "mailto:a@b"};
  const std::string_view pieces[] = {"a", "b.html", "/", ".", "..", "./", "../", "?", "#", "%41", "%2e", "%zz", ":",
                                     "'", "@", "\\", " ", "\t", "\xc3\xa9", "//", "x=1&y", "~", "!$", "http:", "H"};
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> count(0, 6), pick(0, std::size(pieces) - 1);
  for (std::string_view base : bases) {
    for (int i = 0; i < 3000; ++i) {
      std::string href;
      for (size_t n = count(rng); n > 0; --n) href += pieces[pick(rng)];
      expect_same_as_resolve_link(base, href);
      if (::testing::Test::HasFailure()) return;  // one clear failure, not thousands
    }
  }
}

TEST(SimpleHref, ResolvesTheCommonHrefsAndDeclinesTheRest) {
  const SimpleBase base{true, "http://h", "/a/b/", "http://h/a/b/c?q"};
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"x.html#f", "http://h/a/b/x.html"}, {"#f", "http://h/a/b/c?q"}, {"", "http://h/a/b/c?q"},
      {"../x", "http://h/a/x"},           {"/x?y", "http://h/x?y"},    {"./", "http://h/a/b/"},
      {"..", "http://h/a/"},              {"../../../..", "http://h/"}, {"x?a:b/c?d", "http://h/a/b/x?a:b/c?d"},
      {"a/./b/../c", "http://h/a/b/a/c"}, {"x'y", "http://h/a/b/x'y"},
      // declined: the general path decides
      {"x?a'b", ""}, {"http://x/", ""}, {"?q", ""}, {"%41", ""}, {"a b", ""}, {" a", ""}, {"//h/x", ""},
      {"a:b", ""}, {"a\\b", ""}, {"\xc3\xa9", ""}};
  for (const auto& [href, want] : cases) {
    const std::optional<std::string> got = resolve_simple_href(base, href);
    if (want.empty()) {
      EXPECT_FALSE(got.has_value()) << "'" << href << "' -> " << got.value_or("");
    } else {
      EXPECT_EQ(got.value_or("(declined)"), want) << "'" << href << "'";
    }
  }
  EXPECT_FALSE(resolve_simple_href(SimpleBase{}, "x.html").has_value());
}

TEST(LinkResolver, BadBaseIsAnError) {
  const Result<LinkResolver> r = LinkResolver::make("not a url");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bad base URL 'not a url'"), std::string::npos);
}

struct NormalizeCase {
  std::string_view in;
  std::string_view want;  // "" = an error is expected
};

TEST(NormalizeUrl, Table) {
  const NormalizeCase cases[] = {
      {"HTTP://Example.COM", "http://example.com/"},
      {"http://example.com/a/./b/../c?#f", "http://example.com/a/c?"},
      {"https://example.com:443", "https://example.com/"},
      {" http://example.com/a b ", "http://example.com/a%20b"},
      {"http://example.com/%7Euser/%3a", "http://example.com/~user/%3A"},
      {"mailto:x@y", "mailto:x@y"},
      {"http:example.com/p", "http://example.com/p"},
      {"example.com/p", ""},
      {"", ""},
      {"http://", ""},
  };
  for (const auto& c : cases) expect_result(normalize_url(c.in), c.want, "'" + std::string(c.in) + "'");
}

TEST(IsFetchable, OnlyHttpAndHttps) {
  EXPECT_TRUE(is_fetchable("http://example.com/"));
  EXPECT_TRUE(is_fetchable("https://example.com/a?b"));
  EXPECT_FALSE(is_fetchable("ftp://example.com/"));
  EXPECT_FALSE(is_fetchable("ws://example.com/"));
  EXPECT_FALSE(is_fetchable("javascript:void(0)"));
  EXPECT_FALSE(is_fetchable("mailto:a@b.c"));
  EXPECT_FALSE(is_fetchable("data:text/plain,x"));
  EXPECT_FALSE(is_fetchable("tel:+15550100"));
  EXPECT_FALSE(is_fetchable("not a url"));
  EXPECT_FALSE(is_fetchable(""));
}

}  // namespace
}  // namespace preheat
