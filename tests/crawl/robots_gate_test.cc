#include "crawl/robots_gate.h"

#include <gtest/gtest.h>

namespace preheat::crawl {
namespace {

using std::chrono::seconds;

TEST(RobotsGateTest, SiteAndPath) {
  EXPECT_EQ(robots_site("http://h:8080/a/b?c"), "http://h:8080");
  EXPECT_EQ(robots_site("https://h/"), "https://h");
  EXPECT_EQ(robots_site("http://h?q"), "http://h");
  EXPECT_EQ(robots_path("http://h:8080/a/b?c"), "/a/b?c");
  EXPECT_EQ(robots_path("http://h"), "/");
  EXPECT_EQ(robots_path("http://h?q"), "/?q");
}

TEST(RobotsGateTest, OutcomeFromAFetch) {
  fetch::FetchResult ok;
  ok.response.status = 200;
  ok.response.body = "User-agent: *\nDisallow: /\n";
  ok.response.redirects.resize(2);
  RobotsFetchOutcome o = robots_outcome(ok);
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.body, ok.response.body);
  EXPECT_EQ(o.redirects, 2);
  EXPECT_FALSE(o.redirect_failed);

  fetch::FetchResult gone;
  gone.response.status = 503;
  gone.response.body = "<html>down</html>";
  gone.error = fetch::FetchError{.kind = fetch::FetchErrorKind::kHttp5xx, .status = 503, .retry_after = seconds(9)};
  o = robots_outcome(gone);
  EXPECT_EQ(o.status, 503);
  EXPECT_EQ(o.body, "");  // only a 2xx body is read
  EXPECT_EQ(o.retry_after, seconds(9));
  EXPECT_EQ(o.error_class, "");  // an answer, not a network error

  fetch::FetchResult refused;
  refused.error = fetch::FetchError{.kind = fetch::FetchErrorKind::kRefused, .message = "no"};
  o = robots_outcome(refused);
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.error_class, "refused");
  EXPECT_EQ(o.error, "refused: no");

  fetch::FetchResult big;  // over the fetcher's size limit: no usable answer
  big.response.status = 200;
  big.error = fetch::FetchError{.kind = fetch::FetchErrorKind::kTooLarge};
  EXPECT_EQ(robots_outcome(big).status, 0);

  fetch::FetchResult loop;
  loop.response.status = 302;
  loop.error = fetch::FetchError{.kind = fetch::FetchErrorKind::kRedirectLoop};
  EXPECT_TRUE(robots_outcome(loop).redirect_failed);
}

RobotsEntry entry_for(const RobotsFetchOutcome& o) { return decide_robots(o, TimePoint{}, "preheat", RobotsOptions{}); }

TEST(RobotsGateTest, BlockedRecords) {
  RobotsFetchOutcome rules;
  rules.status = 200;
  rules.body = "User-agent: *\nDisallow: /private/\n";
  const RobotsEntry r = entry_for(rules);
  const FrontierItem open{"http://h/open", 1, 0};
  EXPECT_FALSE(robots_block(open, r, 1000, seconds(1), 3).has_value());
  const FrontierItem priv{"http://h/private/x", 2, 0};
  const auto rec = robots_block(priv, r, 1000, seconds(1), 3);
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->url, priv.url);
  EXPECT_EQ(rec->depth, 2);
  EXPECT_EQ(rec->status, 0);
  EXPECT_EQ(rec->state, store::FrontierState::kDone);
  EXPECT_EQ(rec->error_class, "robots");
  EXPECT_EQ(rec->error_message, "Disallow: /private/ (robots.txt line 2)");
  EXPECT_EQ(rec->fetched_at_ms, 1000);

  RobotsFetchOutcome down;
  down.status = 503;
  const RobotsEntry d = entry_for(down);
  auto retry = robots_block(open, d, 1000, seconds(2), 3);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->state, store::FrontierState::kQueued);
  EXPECT_EQ(retry->next_due_ms, 3000);
  EXPECT_EQ(retry->attempts, 1);
  EXPECT_EQ(retry->error_class, "robots");
  EXPECT_EQ(retry->error_message, "robots.txt unreachable: http 503");
  const FrontierItem last{"http://h/open", 1, 2};  // two attempts made, the third is the last
  auto failed = robots_block(last, d, 1000, seconds(2), 3);
  EXPECT_EQ(failed->state, store::FrontierState::kFailed);
  EXPECT_EQ(failed->attempts, 3);

  RobotsFetchOutcome none;
  none.error_class = "dns";
  none.error = "dns: no such host";
  const auto dns = robots_block(open, entry_for(none), 1000, seconds(1), 3);
  EXPECT_EQ(dns->error_class, "dns");
  EXPECT_EQ(dns->error_message, "robots.txt unreachable: dns: no such host");

  RobotsFetchOutcome missing;
  missing.status = 404;
  EXPECT_FALSE(robots_block(priv, entry_for(missing), 1000, seconds(1), 3).has_value());
}

}  // namespace
}  // namespace preheat::crawl
