// /search and /api/search as pure handlers: hostile queries never give a 500,
// hostile stored titles and text come out escaped, pagination edges, the
// JSON shape, and the marked-text conversion. On both engines (SQLite and
// PostgreSQL): one contract.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "serve/marked_text.h"
#include "serve/router.h"
#include "tests/serve/serve_test_util.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/support.h"

namespace preheat::serve::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string query_target(std::string_view path, std::string_view q, std::string_view extra = {}) {
  std::string t(path);
  t += "?q=";
  append_query_escaped(t, q);
  t += extra;
  return t;
}

class SearchHandlersTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    make_crawl_db(path_);
    {
      // 45 pages that all match "common", for pagination.
      auto w = store::open_crawl_store(path_);
      ASSERT_TRUE(w.ok());
      store::WriteBatch b;
      for (int i = 0; i < 45; ++i) {
        store::PageRecord p = page("http://site/list/" + std::to_string(100 + i), 200, "Common item", {});
        p.text = "a common page number " + std::to_string(100 + i);
        p.fetched_at_ms += 1000;
        b.pages.push_back(std::move(p));
      }
      ASSERT_TRUE((*w)->write(b).ok());
      auto r = (*w)->refresh_search_index();
      ASSERT_TRUE(r.ok()) << r.status().to_string();
    }
    auto s = store::open_crawl_store(path_, {.read_only = true});
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    store_ = std::move(*s);
  }
  // Through the router, with room for a 10 KB query (the servers' limit,
  // 4 KB by default, answers 414 before a handler runs).
  Response call(std::string_view target) {
    ServeLimits limits;
    limits.max_target_bytes = 1 << 20;
    auto routed = route("GET", target, limits);
    if (auto* r = std::get_if<Response>(&routed)) return *r;
    return run_handler(std::get<Routed>(routed), *store_);
  }
  boost::json::object api(std::string_view target, int status = 200) {
    const Response r = call(target);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    return v.is_object() ? v.as_object() : boost::json::object{};
  }

  store::testing::EngineDb db_{GetParam()};
  std::string path_ = db_.location();
  std::unique_ptr<store::CrawlStore> store_;
};

TEST_P(SearchHandlersTest, HostileQueriesNeverGiveA500) {
  std::string ten_kb;
  while (ten_kb.size() < 10'000) ten_kb += "alert \"(";
  std::string many_quotes(300, '"');
  const std::string inputs[] = {
      "",
      " ",
      "\"",
      "\"\"",
      "\"\"\"",
      "'",
      "*",
      "**",
      "-",
      "--",
      "-\"",
      "(",
      ")",
      "()",
      "(alert",
      "alert)",
      "AND",
      "OR",
      "NOT",
      "NEAR",
      "NEAR(alert site)",
      "NEAR(alert site, 2)",
      "alert AND",
      "OR OR OR",
      "alert OR",
      "alert NOT site",
      "title:alert",
      "text:",
      ":",
      "^alert",
      "alert^",
      "+alert",
      "alert + site",
      "{title text}:alert",
      "*alert",
      "alert**",
      "\\",
      "%",
      "%00",
      std::string("alert\0site", 10),
      "\xFF\xFE",
      "alert \xC3\x28 site",
      "\xF0\x9F\x8E\x82",
      "\xF0\x9F\x8E",  // truncated
      ten_kb,
      std::string(10'000, 'a'),
      many_quotes,
      "\"alert\" \"site",
      "-alert -site -x",
      "alert -",
      "\x01\x02\x03",
      ";--",
      "' OR 1=1 --",
      "\" OR \"1\"=\"1",
      "<script>alert(1)</script>",
      "\"><script>alert(3)</script>",
      "&amp; &lt;",
      "alert\tsite\r\n",
      "rank:x rowid MATCH page_search",
      "caf\xC3\xA9*",
  };
  static_assert(std::size(inputs) >= 30);
  for (const std::string& q : inputs) {
    SCOPED_TRACE(::testing::PrintToString(q.substr(0, 60)));
    const Response html = call(query_target("/search", q));
    EXPECT_EQ(html.status, 200) << html.body.substr(0, 400);
    EXPECT_THAT(html.body, Not(HasSubstr("<script>")));
    const Response json = call(query_target("/api/search", q));
    EXPECT_TRUE(json.status == 200 || json.status == 400) << json.status << " " << json.body.substr(0, 400);
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(json.body, ec);
    EXPECT_FALSE(ec) << json.body.substr(0, 400);
  }
  // Junk page numbers: HTML forgives, the API says what is wrong.
  const auto with = [](std::string_view name, std::string_view value) {
    std::string extra = "&" + std::string(name) + "=";
    append_query_escaped(extra, value);
    return extra;
  };
  for (const char* page : {"abc", "-1", "0", "99999999999999999999", "1e3", "%00", "", "2.5", " 2", "+2"}) {
    SCOPED_TRACE(page);
    EXPECT_EQ(call(query_target("/search", "common", with("page", page))).status, 200);
    EXPECT_EQ(call(query_target("/api/search", "common", with("page", page))).status, 400);
  }
  for (const char* per_page : {"0", "101", "-5", "x", "1000000"}) {
    SCOPED_TRACE(per_page);
    EXPECT_EQ(call(query_target("/api/search", "common", with("per_page", per_page))).status, 400);
  }
}

TEST_P(SearchHandlersTest, HostileTitlesAndTextComeOutEscapedAndMarked) {
  const Response r = call("/search?q=alert");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, Not(HasSubstr("<script>")));
  EXPECT_THAT(r.body, Not(HasSubstr("<img")));
  EXPECT_THAT(r.body, HasSubstr("&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;"));
  EXPECT_THAT(r.body, HasSubstr("&lt;img src=x onerror=<mark>alert</mark>(2)&gt; &amp; &quot;friends&quot;"));
  EXPECT_THAT(r.body, HasSubstr("<a href=\"/page?url=http%3A%2F%2Fsite%2F\">"));
  EXPECT_THAT(r.body, HasSubstr("1 page matches"));

  const boost::json::object o = api("/api/search?q=alert");
  const boost::json::array& results = o.at("results").as_array();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].at("title").as_string(), kHostileTitle);
  EXPECT_THAT(std::string(results[0].at("snippet").as_string()),
              HasSubstr("&lt;img src=x onerror=<mark>alert</mark>(2)&gt;"));
}

TEST_P(SearchHandlersTest, TheQueryIsEchoedEscaped) {
  const Response r = call(query_target("/search", "\"><script>alert(3)</script> & x"));
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("value=\"&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt; &amp; x\""));
}

TEST_P(SearchHandlersTest, ApiJsonShape) {
  const boost::json::object o = api("/api/search?q=common&page=2&per_page=10");
  EXPECT_EQ(o.at("query").as_string(), "common");
  EXPECT_EQ(o.at("total").as_int64(), 45);
  EXPECT_EQ(o.at("page").as_int64(), 2);
  EXPECT_EQ(o.at("per_page").as_int64(), 10);
  EXPECT_EQ(o.at("pages").as_int64(), 5);
  EXPECT_FALSE(o.at("truncated").as_bool());
  const boost::json::array& results = o.at("results").as_array();
  ASSERT_EQ(results.size(), 10u);
  for (const boost::json::value& v : results) {
    const boost::json::object& hit = v.as_object();
    EXPECT_TRUE(hit.at("url").is_string());
    EXPECT_EQ(hit.at("title").as_string(), "Common item");
    EXPECT_THAT(std::string(hit.at("snippet").as_string()), HasSubstr("<mark>common</mark>"));
    EXPECT_EQ(hit.at("status").as_int64(), 200);
    EXPECT_EQ(hit.at("content_type").as_string(), "text/html");
    EXPECT_EQ(hit.at("bytes").as_int64(), 1234);
  }
  // Equal scores keep the crawl's order: page 2 of 10 starts at the 11th.
  EXPECT_EQ(results[0].at("url").as_string(), "http://site/list/110");

  EXPECT_EQ(api("/api/search?q=common&page=5&per_page=10").at("results").as_array().size(), 5u);
  const boost::json::object past = api("/api/search?q=common&page=6&per_page=10");
  EXPECT_EQ(past.at("total").as_int64(), 45);
  EXPECT_TRUE(past.at("results").as_array().empty());
  EXPECT_EQ(api("/api/search?q=common&per_page=100").at("results").as_array().size(), 45u);
  EXPECT_EQ(api("/api/search?q=common").at("per_page").as_int64(), 20);
  EXPECT_EQ(api("/api/search?q=nothingmatchesthis+").at("total").as_int64(), 0);

  const boost::json::object empty = api("/api/search?q=", 400);
  EXPECT_EQ(empty.at("status").as_int64(), 400);
  EXPECT_THAT(std::string(empty.at("error").as_string()), HasSubstr("give words to search for"));
  EXPECT_EQ(api("/api/search", 400).at("status").as_int64(), 400);
  EXPECT_THAT(std::string(api("/api/search?q=***", 400).at("error").as_string()), HasSubstr("nothing to search for"));
}

TEST_P(SearchHandlersTest, HtmlPagesHavePreviousNextAndClampTheirNumber) {
  const Response first = call("/search?q=common");
  ASSERT_EQ(first.status, 200);
  EXPECT_THAT(first.body, HasSubstr("45 pages match &middot; page 1 of 3"));
  EXPECT_THAT(first.body, HasSubstr("<a rel=\"next\" href=\"/search?q=common&amp;page=2\">"));
  EXPECT_THAT(first.body, Not(HasSubstr("rel=\"prev\"")));
  EXPECT_THAT(first.body, HasSubstr("<ol class=\"hits\" start=\"1\">"));

  const Response last = call("/search?q=common&page=3");
  EXPECT_THAT(last.body, HasSubstr("page 3 of 3"));
  EXPECT_THAT(last.body, HasSubstr("<a rel=\"prev\" href=\"/search?q=common&amp;page=2\">"));
  EXPECT_THAT(last.body, Not(HasSubstr("rel=\"next\"")));
  EXPECT_THAT(last.body, HasSubstr("start=\"41\""));

  EXPECT_THAT(call("/search?q=common&page=99").body, HasSubstr("page 3 of 3"));  // past the end: the last
  EXPECT_THAT(call("/search?q=common&page=0").body, HasSubstr("page 1 of 3"));
  EXPECT_THAT(call("/search?q=common&page=x").body, HasSubstr("page 1 of 3"));

  // The typed query travels in the links as typed (a trailing space kept).
  EXPECT_THAT(call("/search?q=common%20").body, HasSubstr("href=\"/search?q=common%20&amp;page=2\""));
  // '+' in a query string is a space (HTML forms send it so).
  EXPECT_THAT(call("/search?q=common+item").body, HasSubstr("45 pages match"));
}

TEST_P(SearchHandlersTest, FriendlyAnswersWhenThereIsNothingToFind) {
  const Response blank = call("/search");
  EXPECT_EQ(blank.status, 200);
  EXPECT_THAT(blank.body, HasSubstr("name=\"q\""));
  EXPECT_THAT(blank.body, HasSubstr("Every word must appear"));

  const Response punct = call("/search?q=***");
  EXPECT_EQ(punct.status, 200);
  EXPECT_THAT(punct.body, HasSubstr("nothing to search for"));

  const Response none = call("/search?q=common+zebra+");
  EXPECT_EQ(none.status, 200);
  EXPECT_THAT(none.body, HasSubstr("No page matches <q>common zebra</q>. Every word must appear"));

  EXPECT_THAT(call("/search?q=cafe").body, HasSubstr("1 page matches"));  // "café" in the text
  EXPECT_THAT(call("/").body, HasSubstr("action=\"/search\""));
}

INSTANTIATE_TEST_SUITE_P(Engines, SearchHandlersTest, store::testing::engines(), store::testing::engine_name);

class SearchWithoutIndexTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SearchWithoutIndexTest, AnswersServiceUnavailable) {
  store::testing::EngineDb db(GetParam());
  const std::string path = db.location();
  {
    auto s = store::open_crawl_store(path);
    ASSERT_TRUE(s.ok());
    store::WriteBatch b;
    b.pages.push_back(page("http://s/1", 200, "one", {}));
    ASSERT_TRUE((*s)->write(b).ok());
  }
  auto s = store::open_crawl_store(path, {.read_only = true});
  ASSERT_TRUE(s.ok());
  auto routed = route("GET", "/search?q=one", ServeLimits{});
  const Response html = run_handler(std::get<Routed>(routed), **s);
  EXPECT_EQ(html.status, 503);
  EXPECT_THAT(html.body, HasSubstr("search index has not been built"));
  routed = route("GET", "/api/search?q=one", ServeLimits{});
  const Response json = run_handler(std::get<Routed>(routed), **s);
  EXPECT_EQ(json.status, 503);
  EXPECT_EQ(json.content_type, "application/json");
}

INSTANTIATE_TEST_SUITE_P(Engines, SearchWithoutIndexTest, store::testing::engines(), store::testing::engine_name);

TEST(MarkedTextTest, EscapesBalancesAndRepairs) {
  const std::string b(1, store::kMatchBegin);
  const std::string e(1, store::kMatchEnd);
  const struct {
    std::string in;
    std::string out;
  } cases[] = {
      {"", ""},
      {"plain", "plain"},
      {b + "hit" + e, "<mark>hit</mark>"},
      {"<b>" + b + "x&y" + e + "</b>", "&lt;b&gt;<mark>x&amp;y</mark>&lt;/b&gt;"},
      {e + "stray end", "stray end"},
      {b + "open" + b + "twice", "<mark>opentwice</mark>"},
      {b + "never closed", "<mark>never closed</mark>"},
      {"bad \xC3\x28 byte", "bad \xEF\xBF\xBD( byte"},
      {"caf\xC3\xA9 \"q\" 'a'", "caf\xC3\xA9 &quot;q&quot; &#39;a&#39;"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(marked_html(c.in), c.out);
  }
}

}  // namespace
}  // namespace preheat::serve::testing
