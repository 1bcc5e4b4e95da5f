#include "crawl/robots_policy.h"

#include <gtest/gtest.h>

namespace preheat::crawl {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kNow = TimePoint(hours(1000));

RobotsFetchOutcome answer(int status, std::string body = "") {
  RobotsFetchOutcome o;
  o.status = status;
  o.body = std::move(body);
  return o;
}

TEST(RobotsPolicyTest, A2xxAppliesTheFilesRulesForOneDay) {
  RobotsFetchOutcome o = answer(200,
                                "User-agent: preheat\nDisallow: /private\nCrawl-delay: 2\n"
                                "User-agent: *\nDisallow: /\nSitemap: http://h/s.xml\n");
  const RobotsEntry e = decide_robots(o, kNow, "preheat/0.1", RobotsOptions{});
  EXPECT_EQ(e.access, RobotsAccess::kRules);
  EXPECT_EQ(e.expires, kNow + hours(24));
  EXPECT_TRUE(e.check("/public").allowed);
  const RobotsEntry::Verdict v = e.check("/private/x");
  EXPECT_FALSE(v.allowed);
  EXPECT_FALSE(v.retry_later);
  ASSERT_NE(v.rule, nullptr);
  EXPECT_EQ(v.rule->line, 2);
  EXPECT_EQ(e.sitemaps, std::vector<std::string>{"http://h/s.xml"});
  EXPECT_EQ(effective_crawl_delay(e, RobotsOptions{}), seconds(2));
  EXPECT_EQ(e.reason, "http 200: 1 rules");
}

TEST(RobotsPolicyTest, A4xxMeansAllowAll) {
  for (int status : {400, 401, 403, 404, 410, 451}) {
    const RobotsEntry e = decide_robots(answer(status), kNow, "preheat", RobotsOptions{});
    EXPECT_EQ(e.access, RobotsAccess::kAllowAll) << status;
    EXPECT_TRUE(e.check("/anything").allowed) << status;
    EXPECT_EQ(e.expires, kNow + hours(24)) << status;
    EXPECT_EQ(e.reason, "unavailable: http " + std::to_string(status));
  }
}

TEST(RobotsPolicyTest, A5xxOr429MeansDisallowAllUntilTheRetryTime) {
  for (int status : {429, 500, 502, 503, 504}) {
    const RobotsEntry e = decide_robots(answer(status), kNow, "preheat", RobotsOptions{});
    EXPECT_EQ(e.access, RobotsAccess::kDisallowAll) << status;
    const RobotsEntry::Verdict v = e.check("/anything");
    EXPECT_FALSE(v.allowed);
    EXPECT_TRUE(v.retry_later);
    EXPECT_EQ(e.check("/robots.txt").allowed, false);  // nothing is fetched from an unreachable site
    EXPECT_EQ(e.expires, kNow + seconds(1)) << status;
  }
}

TEST(RobotsPolicyTest, RetryAfterPostponesTheRetryButNotBeyondTheCacheLifetime) {
  RobotsFetchOutcome o = answer(503);
  o.retry_after = minutes(30);
  EXPECT_EQ(decide_robots(o, kNow, "p", RobotsOptions{}).expires, kNow + minutes(30));
  RobotsOptions slow;
  slow.unreachable_retry = minutes(5);
  o.retry_after = seconds(1);  // shorter than our own retry delay: ours counts
  EXPECT_EQ(decide_robots(o, kNow, "p", slow).expires, kNow + minutes(5));
  o.retry_after = hours(24 * 365);
  EXPECT_EQ(decide_robots(o, kNow, "p", RobotsOptions{}).expires, kNow + hours(24));
}

TEST(RobotsPolicyTest, NoAnswerMeansUnreachable) {
  RobotsFetchOutcome o;
  o.error = "dns: could not resolve h";
  RobotsOptions opts;
  opts.unreachable_retry = seconds(42);
  const RobotsEntry e = decide_robots(o, kNow, "p", opts);
  EXPECT_EQ(e.access, RobotsAccess::kDisallowAll);
  EXPECT_EQ(e.expires, kNow + seconds(42));
  EXPECT_EQ(e.reason, "unreachable: dns: could not resolve h");
  EXPECT_EQ(e.error_class, "");  // the caller did not name one
  o.error_class = "dns";
  EXPECT_EQ(decide_robots(o, kNow, "p", opts).error_class, "dns");
  EXPECT_EQ(decide_robots(answer(503), kNow, "p", opts).error_class, "");
  EXPECT_EQ(decide_robots(RobotsFetchOutcome{}, kNow, "p", opts).reason, "unreachable: no answer");
}

TEST(RobotsPolicyTest, RedirectsUpToFiveAreFollowedMoreMeanUnavailable) {
  RobotsFetchOutcome o = answer(200, "User-agent: *\nDisallow: /\n");
  o.redirects = 5;
  EXPECT_EQ(decide_robots(o, kNow, "p", RobotsOptions{}).access, RobotsAccess::kRules);
  o.redirects = 6;
  EXPECT_EQ(decide_robots(o, kNow, "p", RobotsOptions{}).access, RobotsAccess::kAllowAll);
  RobotsFetchOutcome loop;
  loop.redirect_failed = true;
  loop.error = "redirect-loop";
  const RobotsEntry e = decide_robots(loop, kNow, "p", RobotsOptions{});
  EXPECT_EQ(e.access, RobotsAccess::kAllowAll);
  EXPECT_EQ(e.reason, "unavailable: more than 5 redirects or a redirect loop");
  // An unfollowed 3xx (no Location) is unavailable too.
  EXPECT_EQ(decide_robots(answer(304), kNow, "p", RobotsOptions{}).access, RobotsAccess::kAllowAll);
  // 1xx as a final status is no answer we can use.
  EXPECT_EQ(decide_robots(answer(101), kNow, "p", RobotsOptions{}).access, RobotsAccess::kDisallowAll);
}

TEST(RobotsPolicyTest, CrawlDelayIsCapped) {
  RobotsOptions opts;
  opts.max_crawl_delay = seconds(10);
  auto delay = [&](const std::string& value) {
    const std::string body = "User-agent: *\nCrawl-delay: " + value + "\n";
    return effective_crawl_delay(decide_robots(answer(200, body), kNow, "p", opts), opts);
  };
  EXPECT_EQ(delay("0.25"), milliseconds(250));
  EXPECT_EQ(delay("10"), seconds(10));
  EXPECT_EQ(delay("3600"), seconds(10));
  EXPECT_EQ(delay("1" + std::string(400, '0')).value(), seconds(10));  // 1e400: no overflow
  EXPECT_EQ(delay("x"), std::nullopt);
  EXPECT_EQ(effective_crawl_delay(decide_robots(answer(404), kNow, "p", opts), opts), std::nullopt);
}

TEST(RobotsPolicyTest, TheCacheForgetsEntriesWhenTheyExpire) {
  ManualClock clock(kNow);
  RobotsCache cache(clock);
  EXPECT_EQ(cache.find("http://h"), nullptr);
  cache.put("http://h", decide_robots(answer(404), clock.now(), "p", RobotsOptions{}));
  cache.put("http://down", decide_robots(answer(503), clock.now(), "p", RobotsOptions{}));
  ASSERT_NE(cache.find("http://h"), nullptr);
  EXPECT_EQ(cache.find("http://h")->access, RobotsAccess::kAllowAll);
  EXPECT_EQ(cache.find("https://h"), nullptr);  // another scheme is another file

  clock.advance(seconds(1) - milliseconds(1));
  ASSERT_NE(cache.find("http://down"), nullptr);
  EXPECT_TRUE(cache.find("http://down")->check("/").retry_later);
  clock.advance(milliseconds(1));  // the retry time has come: fetch again
  EXPECT_EQ(cache.find("http://down"), nullptr);
  EXPECT_EQ(cache.size(), 1u);

  clock.advance(hours(24));
  EXPECT_EQ(cache.find("http://h"), nullptr);
  EXPECT_EQ(cache.size(), 0u);

  // put() replaces an entry.
  cache.put("http://h", decide_robots(answer(503), clock.now(), "p", RobotsOptions{}));
  const RobotsEntry& fresh = cache.put("http://h", decide_robots(answer(404), clock.now(), "p", RobotsOptions{}));
  EXPECT_EQ(fresh.access, RobotsAccess::kAllowAll);
  EXPECT_EQ(cache.size(), 1u);
}

}  // namespace
}  // namespace preheat::crawl
