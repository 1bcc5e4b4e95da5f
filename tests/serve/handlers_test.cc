// The router and the handlers as pure functions, on a small crawl database
// with hostile titles, links and anchors: no socket.
#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "serve/router.h"
#include "tests/serve/serve_test_util.h"
#include "tests/support/support.h"

namespace preheat::serve::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// On both engines: the sync path (run_handler with a CrawlStore) reads
// PostgreSQL through the blocking store's read plans.
class HandlersTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    make_crawl_db(path_);
    auto s = store::open_crawl_store(path_, {.read_only = true});
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    store_ = std::move(*s);
  }
  Response call(std::string_view target, std::string_view method = "GET") {
    auto routed = route(method, target, ServeLimits{});
    if (auto* r = std::get_if<Response>(&routed)) return *r;
    return run_handler(std::get<Routed>(routed), *store_);
  }

  ServeDb db_{GetParam()};
  std::string path_ = db_.location();
  std::unique_ptr<store::CrawlStore> store_;
};

TEST_P(HandlersTest, RoutesAnswerWithTheirStatus) {
  const struct {
    std::string method;
    std::string target;
    int status;
  } cases[] = {
      {"GET", "/", 200},
      {"GET", "/healthz", 200},
      {"HEAD", "/healthz", 200},
      {"GET", "/stats", 200},
      {"GET", "/api/stats", 200},
      {"GET", "/page?url=http%3A%2F%2Fsite%2F", 200},
      {"GET", "/api/page?url=http://site/a", 200},
      {"GET", "/page?url=http://site/nowhere", 404},
      {"GET", "/api/page?url=http://site/nowhere", 404},
      {"GET", "/page", 400},
      {"GET", "/api/page?url=", 400},
      {"GET", "/broken", 200},
      {"GET", "/api/broken", 200},
      {"GET", "/nope", 404},
      {"GET", "/api/nope", 404},
      {"POST", "/", 405},
      {"DELETE", "/api/stats", 405},
      {"GET", "http://site/", 400},
      {"GET", "/page?url=%zz", 400},
      {"GET", "/" + std::string(5000, 'a'), 414},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.target.substr(0, 80));
    EXPECT_EQ(call(c.target, c.method).status, c.status);
  }
  const Response r = call("/", "PUT");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "GET, HEAD");
  EXPECT_EQ(call("/api/nope").content_type, "application/json");
}

TEST_P(HandlersTest, HtmlEscapesEveryCrawledString) {
  for (const char* target : {"/page?url=http://site/", "/page?url=http://site/a", "/broken", "/"}) {
    SCOPED_TRACE(target);
    const Response r = call(target);
    EXPECT_EQ(r.status, 200);
    EXPECT_THAT(r.body, Not(HasSubstr("<script>")));
    EXPECT_THAT(r.body, Not(HasSubstr("<b>anchor")));
  }
  const Response home = call("/page?url=http://site/");
  EXPECT_THAT(home.body, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(home.body, HasSubstr("http://other/&quot;&gt;&lt;script&gt;"));
  const Response a = call("/page?url=http://site/a");
  EXPECT_THAT(a.body, HasSubstr("A &amp; &quot;B&quot; &#39;c&#39;"));
}

TEST_P(HandlersTest, ApiPageHasLinksWithStatusInLinksAndRedirects) {
  const Response r = call("/api/page?url=http://site/");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  const boost::json::object o = boost::json::parse(r.body).as_object();
  EXPECT_EQ(o.at("title").as_string(), kHostileTitle);  // JSON keeps the text; the serializer quotes it
  const auto& out = o.at("out_links").as_array();
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].at("url").as_string(), "http://site/a");
  EXPECT_EQ(out[0].at("status").as_int64(), 200);
  EXPECT_EQ(out[1].at("status").as_int64(), 404);
  EXPECT_TRUE(out[2].at("status").is_null());  // mailto: never fetched
  const auto& in = o.at("in_links").as_array();
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].at("url").as_string(), "http://site/a");

  const boost::json::object moved = boost::json::parse(call("/api/page?url=http://site/r").body).as_object();
  EXPECT_EQ(moved.at("final_url").as_string(), "http://site/a");
  ASSERT_EQ(moved.at("redirects").as_array().size(), 1u);
  EXPECT_EQ(moved.at("redirects").as_array()[0].at("status").as_int64(), 301);
}

TEST_P(HandlersTest, ApiPageKeepsEveryField) {
  // The JSON fields are a public interface: names and order.
  const boost::json::object o = boost::json::parse(call("/api/page?url=http://site/r").body).as_object();
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"url", "final_url", "status", "state", "title", "description",
                                            "content_type", "language", "canonical", "depth", "bytes", "wire_bytes",
                                            "fetched_at_ms", "checked_at_ms", "not_modified", "robots", "elapsed_s",
                                            "attempts", "error_class", "error_message",
                                            "redirects", "out_links", "in_links"}));
  EXPECT_EQ(o.at("elapsed_s").as_double(), 0.012);
  EXPECT_EQ(o.at("state").as_string(), "done");
  const auto& redirect = o.at("redirects").as_array().at(0).as_object();
  EXPECT_EQ(redirect.at("from").as_string(), "http://site/r");
  EXPECT_EQ(redirect.at("to").as_string(), "http://site/a");
  const boost::json::object home = boost::json::parse(call("/api/page?url=http://site/").body).as_object();
  std::vector<std::string> link_keys;
  for (const auto& kv : home.at("out_links").as_array().at(0).as_object()) link_keys.emplace_back(kv.key());
  EXPECT_EQ(link_keys, (std::vector<std::string>{"url", "anchor", "rel", "tag", "status", "error_class"}));
  std::vector<std::string> in_keys;
  for (const auto& kv : home.at("in_links").as_array().at(0).as_object()) in_keys.emplace_back(kv.key());
  EXPECT_EQ(in_keys, (std::vector<std::string>{"url", "anchor", "status"}));
}

TEST_P(HandlersTest, PagesShowTheirRobotsDirectivesAndLastCheck) {
  const boost::json::object missing =
      boost::json::parse(call("/api/page?url=http://site/missing").body).as_object();
  EXPECT_EQ(missing.at("robots").as_string(), "noindex,nofollow");
  EXPECT_EQ(missing.at("not_modified").as_bool(), false);
  const boost::json::object a = boost::json::parse(call("/api/page?url=http://site/a").body).as_object();
  EXPECT_EQ(a.at("robots").as_string(), "");
  EXPECT_EQ(a.at("not_modified").as_bool(), true);
  EXPECT_EQ(a.at("checked_at_ms").as_int64(), 1'800'000'000'000);
  EXPECT_EQ(a.at("status").as_int64(), 200);  // the stored content's
  EXPECT_THAT(call("/page?url=http://site/missing").body, HasSubstr("noindex,nofollow <span class=\"muted\">(not in search)"));
  EXPECT_THAT(call("/page?url=http://site/a").body, HasSubstr("304 Not Modified at 2027-01-15 08:00:00 UTC"));
  EXPECT_THAT(call("/page?url=http://site/").body, Not(HasSubstr("<th>robots</th>")));
}

TEST_P(HandlersTest, BrokenListsFailingTargetsAndTheirReferrers) {
  const Response r = call("/api/broken");
  ASSERT_EQ(r.status, 200);
  const boost::json::value doc = boost::json::parse(r.body);
  const auto& broken = doc.at("broken").as_array();
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0].at("url").as_string(), "http://site/missing");
  EXPECT_EQ(broken[0].at("status").as_int64(), 404);
  EXPECT_EQ(broken[0].at("referrers").as_int64(), 2);
  const auto& from = broken[0].at("linked_from").as_array();
  ASSERT_EQ(from.size(), 2u);
  EXPECT_EQ(from[0].as_string(), "http://site/");
  EXPECT_EQ(from[1].as_string(), "http://site/a");
}

TEST_P(HandlersTest, StatsAreTheStoresFigures) {
  const boost::json::object o = boost::json::parse(call("/api/stats").body).as_object();
  EXPECT_EQ(o.at("pages").as_int64(), 4);
  EXPECT_EQ(o.at("status_classes").at("4xx").as_int64(), 1);
  EXPECT_EQ(o.at("errors").at("http-4xx").as_int64(), 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, HandlersTest, engines(), [](const auto& info) { return info.param; });

TEST(ServeStoreTest, InLinksWorkWithoutTheServingIndex) {
  preheat::testing::TempDir dir;
  const std::string path = (dir / "x.db").string();
  {
    auto s = store::open_crawl_store(path);
    ASSERT_TRUE(s.ok());
    store::WriteBatch b;
    b.pages.push_back(page("http://s/1", 200, "", {"http://s/2"}));
    ASSERT_TRUE((*s)->write(b).ok());
  }
  auto s = store::open_crawl_store(path, {.read_only = true});
  ASSERT_TRUE(s.ok());
  auto in = (*s)->in_links("http://s/2", 10);
  ASSERT_TRUE(in.ok()) << in.status().to_string();
  ASSERT_EQ(in->size(), 1u);
  EXPECT_EQ((*in)[0].from_url, "http://s/1");
  EXPECT_FALSE((*s)->ensure_serving_indexes().ok());  // read-only: refused, not crashed
}

}  // namespace
}  // namespace preheat::serve::testing
