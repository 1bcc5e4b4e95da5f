// Pure parts of fetch/: Retry-After, host keys, Location resolution, the
// error taxonomy.
#include <gtest/gtest.h>

#include "fetch/detail/response_headers.h"
#include "fetch/fetch_error.h"
#include "fetch/host_key.h"
#include "fetch/redirect_follower.h"
#include "fetch/request_block.h"
#include "fetch/retry_after.h"

namespace preheat::fetch {
namespace {

using namespace std::chrono_literals;

TEST(RetryAfterTest, SecondsAndAllThreeDateForms) {
  // Sun, 06 Nov 1994 08:49:37 GMT
  const auto now = std::chrono::system_clock::from_time_t(784111777);
  struct Case {
    const char* value;
    std::optional<Duration> expected;
  };
  const Case cases[] = {
      {"120", 120s},
      {"  5 ", 5s},
      {"0", 0s},
      {"Sun, 06 Nov 1994 08:50:37 GMT", 60s},       // IMF-fixdate
      {"Sunday, 06-Nov-94 08:51:37 GMT", 120s},     // RFC 850
      {"Sun Nov  6 08:52:37 1994", 180s},           // asctime
      {"Sat, 05 Nov 1994 08:49:37 GMT", 0s},        // in the past
      {"", std::nullopt},
      {"-1", std::nullopt},
      {"soon", std::nullopt},
      {"12abc", std::nullopt},
      {"1.5", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(parse_retry_after(c.value, now), c.expected) << "'" << c.value << "'";
  }
}

TEST(HostKeyTest, SchemeHostAndPort) {
  const std::pair<const char*, const char*> cases[] = {
      {"http://example.com/a?b", "http://example.com:80"},
      {"https://Example.COM/", "https://example.com:443"},
      {"HTTP://example.com:8080", "http://example.com:8080"},
      {"http://127.0.0.1:5000/x", "http://127.0.0.1:5000"},
      {"http://[::1]:81/", "http://[::1]:81"},
      {"not a url", ""},
  };
  for (const auto& [url, key] : cases) EXPECT_EQ(host_key(url), key) << url;
}

// host_key has a parser-free path for plain URLs; it must agree with the
// Boost.URL path on every URL.
TEST(HostKeyTest, TheFastPathAgreesWithTheUrlParser) {
  const char* urls[] = {
      "http://example.com", "http://example.com/", "http://example.com?q", "http://example.com#f",
      "https://a-b.example.org:8443/x/y?z#w", "http://127.0.0.1:18181/p/1", "http://localhost:1/",
      "http://example.com:/", "http://example.com:080/", "http://example.com:0/", "http://Example.com/",
      "HTTPS://example.com/", "http://user@example.com/", "http://user:pw@example.com:81/", "http://[::1]/",
      "http://ex%41mple.com/", "http://example.com.:80/", "http://exa_mple.com/", "http://example.com:99999/",
      "http://example.com\\x", "http://", "https:///x", "http:example.com", "ftp://example.com/",
      "http://example.com:8080x/", "http://xn--bcher-kva.example/", "http://a.b.c.d.e.f/g",
  };
  for (const std::string url : urls) EXPECT_EQ(host_key(url), host_key_by_parser(url)) << url;
}

TEST(ResolveLocationTest, RelativeAbsoluteAndBad) {
  const std::string base = "http://a.test/dir/page?q=1";
  const std::pair<const char*, const char*> ok[] = {
      {"/root", "http://a.test/root"},
      {"other", "http://a.test/dir/other"},
      {"../up", "http://a.test/up"},
      {"?q=2", "http://a.test/dir/page?q=2"},
      {"//b.test/x", "http://b.test/x"},
      {"https://c.test/y#frag", "https://c.test/y"},
      {"HTTP://d.test/", "http://d.test/"},
      // %2F is one segment, %2e%2e is "..": Boost.URL 1.81's resolve() decoded
      // the %2F first and gave http://a.test/dir/a/c.
      {"a%2fb/%2e%2e/c", "http://a.test/dir/c"},
      {"x%2Fy", "http://a.test/dir/x%2Fy"},
  };
  for (const auto& [loc, want] : ok) {
    auto r = resolve_location(base, loc);
    ASSERT_TRUE(r.ok()) << loc << ": " << r.status().message();
    EXPECT_EQ(*r, want) << loc;
  }
  for (const char* bad : {"ftp://x/", "javascript:alert(1)", "http://a b/"}) {
    EXPECT_FALSE(resolve_location(base, bad).ok()) << bad;
  }
}

TEST(FetchErrorTest, NamesRoundTripAndRetryability) {
  for (FetchErrorKind k : {FetchErrorKind::kBadUrl, FetchErrorKind::kDns, FetchErrorKind::kRefused,
                           FetchErrorKind::kConnectTimeout, FetchErrorKind::kTotalTimeout,
                           FetchErrorKind::kStallTimeout, FetchErrorKind::kTls, FetchErrorKind::kTooLarge,
                           FetchErrorKind::kTooManyRedirects, FetchErrorKind::kRedirectLoop,
                           FetchErrorKind::kProtocol, FetchErrorKind::kCancelled, FetchErrorKind::kHttp4xx,
                           FetchErrorKind::kHttp5xx}) {
    EXPECT_EQ(parse_fetch_error_kind(to_string(k)), k);
    EXPECT_FALSE(describe(k).empty());
  }
  const std::pair<FetchError, bool> cases[] = {
      {{FetchErrorKind::kDns, "", 0, {}}, true},
      {{FetchErrorKind::kRefused, "", 0, {}}, true},
      {{FetchErrorKind::kStallTimeout, "", 0, {}}, true},
      {{FetchErrorKind::kTls, "", 0, {}}, false},
      {{FetchErrorKind::kTooLarge, "", 0, {}}, false},
      {{FetchErrorKind::kCancelled, "", 0, {}}, false},
      {{FetchErrorKind::kHttp4xx, "", 404, {}}, false},
      {{FetchErrorKind::kHttp4xx, "", 429, {}}, true},
      {{FetchErrorKind::kHttp5xx, "", 502, {}}, true},
  };
  for (const auto& [e, retry] : cases) EXPECT_EQ(e.retryable(), retry) << to_string(e.kind) << " " << e.status;
}

TEST(RequestBlockTest, RebuildsWhatCurlSendsInItsOrder) {
  const RequestIdentity id{"preheat/1", "gzip, br"};
  EXPECT_EQ(request_block("GET", "http://h.test:8080/a/b?x=1#frag", "1.1", id, {}),
            "GET /a/b?x=1 HTTP/1.1\r\nHost: h.test:8080\r\nUser-Agent: preheat/1\r\nAccept: */*\r\n"
            "Accept-Encoding: gzip, br\r\n\r\n");
  EXPECT_EQ(request_block("HEAD", "https://user:pw@h.test", "2", {"ua", ""}, {}),
            "HEAD / HTTP/2\r\nHost: h.test\r\nUser-Agent: ua\r\nAccept: */*\r\n\r\n");
  EXPECT_EQ(request_block("GET", "http://h.test?q", "1.1", {"ua", ""}, {}).substr(0, 22), "GET /?q HTTP/1.1\r\nHost");
  // An extra header naming one of curl's replaces it, at the extra header's place.
  EXPECT_EQ(request_block("GET", "http://h.test/", "1.1", {"ua", "gzip"}, {{"accept", "text/html"}, {"X-A", "1"}}),
            "GET / HTTP/1.1\r\nHost: h.test\r\nUser-Agent: ua\r\nAccept-Encoding: gzip\r\naccept: text/html\r\n"
            "X-A: 1\r\n\r\n");
}

}  // namespace
}  // namespace preheat::fetch

namespace preheat::fetch::detail {
namespace {

TEST(ResponseHeadersTest, CharsetIsAParameterOfTheMediaTypeOnly) {
  EXPECT_EQ(charset_of("text/html; charset=UTF-8"), "utf-8");
  EXPECT_EQ(charset_of("text/html;charset=\"Shift_JIS\""), "shift_jis");
  EXPECT_EQ(charset_of("text/html; q=1; Charset = windows-1252 ; x=y"), "windows-1252");
  EXPECT_EQ(charset_of("text/x-charset=utf-8"), "");  // part of the type, not a parameter
  EXPECT_EQ(charset_of("text/html; foo=\"charset=latin1\""), "");
  EXPECT_EQ(charset_of("text/html"), "");
}

TEST(ResponseHeadersTest, KeptHeadersAreTakenAndOthersIgnored) {
  Response r;
  take_response_header(r, "Content-Type", " text/html; charset=utf-8\r\n");
  take_response_header(r, "content-length", "123");
  take_response_header(r, "X-Robots-Tag", "noindex");
  take_response_header(r, "x-robots-tag", "bot: nofollow");
  take_response_header(r, "Content-Encoding", "GZIP");
  take_response_header(r, "Server", "nginx");
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.charset, "utf-8");
  EXPECT_EQ(r.content_length, std::optional<std::uint64_t>(123));
  EXPECT_EQ(r.x_robots_tag, "noindex\nbot: nofollow");
  EXPECT_EQ(r.content_encoding, "gzip");
  take_response_header(r, "Content-Length", "12abc");
  EXPECT_FALSE(r.content_length.has_value());  // not a number: unknown length
  clear_response_headers(r);
  EXPECT_TRUE(r.content_type.empty());
  EXPECT_TRUE(r.x_robots_tag.empty());
}

}  // namespace
}  // namespace preheat::fetch::detail
