// Conditional GETs: the pure decision (a table), and the server answering
// 304 on loopback to a request that repeats a page's validators.
#include "testsite/conditional.h"

#include <gtest/gtest.h>

#include "tests/testsite/http_client.h"
#include "tests/testsite/running_server.h"
#include "testsite/civil_date.h"
#include "testsite/site_model.h"

namespace preheat::testsite {
namespace {

SiteResponse page_with(std::string etag, std::string last_modified) {
  SiteResponse r;
  r.body = "hello";
  if (!etag.empty()) r.headers.emplace_back("ETag", std::move(etag));
  if (!last_modified.empty()) r.headers.emplace_back("Last-Modified", std::move(last_modified));
  r.headers.emplace_back("Content-Type", "text/html");
  return r;
}

TEST(ConditionalTest, DecisionTable) {
  const std::string lm = "Sun, 06 Nov 1994 08:49:37 GMT";
  const SiteResponse both = page_with("\"abc\"", lm);
  const struct {
    std::string_view inm, ims;
    bool expected;
  } cases[] = {
      {"", "", false},
      {"\"abc\"", "", true},
      {"W/\"abc\"", "", true},                         // weak comparison
      {"\"x\", \"abc\"", "", true},
      {"*", "", true},
      {"\"other\"", "", false},
      {"\"other\"", lm, false},                        // If-None-Match decides when present
      {"", lm, true},                                  // same date
      {"", "Mon, 07 Nov 1994 08:49:37 GMT", true},     // modified before the date
      {"", "Sat, 05 Nov 1994 08:49:37 GMT", false},    // modified after
      {"", "06 Nov 1994", false},                      // not a date: never matches
  };
  for (const auto& c : cases) {
    EXPECT_EQ(is_not_modified(both, c.inm, c.ims), c.expected) << "'" << c.inm << "' '" << c.ims << "'";
  }
  SiteResponse error = both;
  error.status = 404;
  EXPECT_FALSE(is_not_modified(error, "\"abc\"", ""));
  EXPECT_FALSE(is_not_modified(page_with("", ""), "*", ""));

  const SiteResponse nm = not_modified_response(both);
  EXPECT_EQ(nm.status, 304u);
  EXPECT_EQ(nm.body, "");
  EXPECT_EQ(nm.header("ETag"), "\"abc\"");
  EXPECT_EQ(nm.header("Last-Modified"), lm);
  EXPECT_EQ(nm.header("Content-Type"), "");
}

TEST(ConditionalTest, HttpDatesRoundTrip) {
  for (std::int64_t t : {0LL, 784111777LL, 1700000000LL, 4102444799LL}) {
    EXPECT_EQ(parse_http_date(http_date(t)), t) << http_date(t);
  }
  EXPECT_FALSE(parse_http_date("Sun, 06 Xyz 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"));
}

TEST(ConditionalTest, TheServerAnswers304ToARepeatedValidator) {
  SiteModel site(SiteOptions{.pages = 10});
  testing::RunningServer server(site, ServerOptions{});
  testing::HttpConnection c(server.port());
  const testing::HttpReply first = c.get("/p/1");
  ASSERT_EQ(first.status, 200);
  const std::string etag(first.header("etag"));
  const std::string lm(first.header("last-modified"));
  ASSERT_FALSE(etag.empty());
  ASSERT_FALSE(lm.empty());
  c.send("GET /p/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: " + etag + "\r\n\r\n");
  const testing::HttpReply by_tag = c.read_reply();
  EXPECT_EQ(by_tag.status, 304);
  EXPECT_EQ(by_tag.body, "");
  EXPECT_EQ(by_tag.header("etag"), etag);
  c.send("GET /p/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-Modified-Since: " + lm + "\r\n\r\n");
  EXPECT_EQ(c.read_reply().status, 304);
  c.send("GET /p/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: \"stale\"\r\n\r\n");
  const testing::HttpReply changed = c.read_reply();
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.body, first.body);
}

}  // namespace
}  // namespace preheat::testsite
