#include "crawl/host_politeness.h"

#include <gtest/gtest.h>

namespace preheat::crawl {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kA = "http://a:1";
constexpr std::string_view kB = "http://b:2";

HostOutcome ok(Duration elapsed = milliseconds(10)) { return HostOutcome{false, 200, std::nullopt, elapsed, ""}; }
HostOutcome fail() { return HostOutcome{true, 0, std::nullopt, Duration{0}, "refused"}; }

TEST(HostPoliteness, UnknownHostIsReadyAtOnce) {
  ManualClock clock(TimePoint(seconds(100)));
  HostPoliteness p(clock, PolitenessOptions{});
  EXPECT_TRUE(p.ready(kA));
  EXPECT_EQ(p.given_up(kA), nullptr);
}

TEST(HostPoliteness, MinDelaySpacesStartsPerHostOnly) {
  ManualClock clock(TimePoint(seconds(100)));
  HostPoliteness p(clock, PolitenessOptions{.min_delay = milliseconds(200)});
  p.start(kA);
  EXPECT_FALSE(p.ready(kA));
  EXPECT_TRUE(p.ready(kB));  // another host is not slowed down
  EXPECT_EQ(p.ready_at(kA), clock.now() + milliseconds(200));
  clock.advance(milliseconds(199));
  EXPECT_FALSE(p.ready(kA));
  clock.advance(milliseconds(1));
  EXPECT_TRUE(p.ready(kA));
}

TEST(HostPoliteness, CrawlDelayIsCappedAndWinsOverASmallerMinDelay) {
  ManualClock clock(TimePoint(seconds(100)));
  HostPoliteness p(clock, PolitenessOptions{.min_delay = milliseconds(100), .max_crawl_delay = seconds(2)});
  p.set_crawl_delay(kA, seconds(1));
  EXPECT_EQ(p.delay(kA), seconds(1));
  p.set_crawl_delay(kA, seconds(60));
  EXPECT_EQ(p.delay(kA), seconds(2));
  EXPECT_EQ(p.delay(kB), milliseconds(100));
}

TEST(HostPoliteness, InFlightCapMakesTheHostWaitForAFinish) {
  ManualClock clock(TimePoint(seconds(100)));
  HostPoliteness p(clock, PolitenessOptions{.max_in_flight = 2});
  p.start(kA);
  EXPECT_TRUE(p.ready(kA));
  p.start(kA);
  EXPECT_EQ(p.ready_at(kA), TimePoint::max());
  p.finish(kA, ok());
  EXPECT_TRUE(p.ready(kA));
}

TEST(HostPoliteness, AdaptiveDelayFollowsResponseTime) {
  ManualClock clock(TimePoint(seconds(100)));
  HostPoliteness p(clock, PolitenessOptions{.max_crawl_delay = seconds(3), .adaptive_factor = 2.0});
  p.start(kA);
  p.finish(kA, ok(milliseconds(500)));
  EXPECT_EQ(p.delay(kA), seconds(1));
  p.start(kA);
  p.finish(kA, ok(seconds(10)));  // average 0.3*10 + 0.7*0.5 = 3.35 s, x2, capped at 3 s
  EXPECT_EQ(p.delay(kA), seconds(3));
}

TEST(HostPoliteness, AdaptiveDelayOffByDefault) {
  ManualClock clock(TimePoint(seconds(100)));
  HostPoliteness p(clock, PolitenessOptions{});
  p.start(kA);
  p.finish(kA, ok(seconds(5)));
  EXPECT_EQ(p.delay(kA), Duration{0});
}

TEST(HostPoliteness, RetryAfterOn429PausesOnlyThatHost) {
  ManualClock clock(TimePoint(seconds(100)));
  HostPoliteness p(clock, PolitenessOptions{});
  p.start(kA);
  p.start(kB);
  p.finish(kA, HostOutcome{true, 429, seconds(2), milliseconds(1), "http-4xx"});
  p.finish(kB, ok());
  EXPECT_TRUE(p.paused(kA));
  EXPECT_EQ(p.ready_at(kA), clock.now() + seconds(2));
  EXPECT_TRUE(p.ready(kB));
  EXPECT_EQ(p.paused_count(), 1u);
  clock.advance(seconds(2));
  EXPECT_TRUE(p.ready(kA));
  EXPECT_EQ(p.paused_count(), 0u);
}

TEST(HostPoliteness, RetryAfterOn503PausesAndIsCapped) {
  ManualClock clock(TimePoint(seconds(100)));
  HostPoliteness p(clock, PolitenessOptions{.max_pause = seconds(30)});
  p.start(kA);
  p.finish(kA, HostOutcome{true, 503, std::chrono::hours(5), milliseconds(1), "http-5xx"});
  EXPECT_EQ(p.ready_at(kA), clock.now() + seconds(30));
}

TEST(HostPoliteness, ErrorBudgetPausesDoublingThenGivesUp) {
  ManualClock clock(TimePoint(seconds(100)));
  HostPoliteness p(clock, PolitenessOptions{.failures_to_pause = 2, .first_pause = seconds(1), .max_pauses = 2});
  auto fail_n = [&](int n) {
    for (int i = 0; i < n; ++i) {
      p.start(kA);
      p.finish(kA, fail());
    }
  };
  fail_n(1);
  EXPECT_TRUE(p.ready(kA));
  fail_n(1);  // 2 in a row: first pause, 1 s
  EXPECT_EQ(p.ready_at(kA), clock.now() + seconds(1));
  clock.advance(seconds(1));
  fail_n(2);  // second pause, 2 s
  EXPECT_EQ(p.ready_at(kA), clock.now() + seconds(2));
  clock.advance(seconds(2));
  fail_n(1);
  EXPECT_EQ(p.given_up(kA), nullptr);
  fail_n(1);  // budget spent after 2 pauses
  ASSERT_NE(p.given_up(kA), nullptr);
  EXPECT_NE(p.given_up(kA)->find("refused"), std::string::npos);
  EXPECT_EQ(p.ready_at(kA), TimePoint::max());
  EXPECT_EQ(p.given_up_count(), 1u);
  EXPECT_TRUE(p.ready(kB));
}

TEST(HostPoliteness, SuccessResetsTheErrorBudget) {
  ManualClock clock(TimePoint(seconds(100)));
  HostPoliteness p(clock, PolitenessOptions{.failures_to_pause = 2, .first_pause = seconds(1), .max_pauses = 0});
  p.start(kA);
  p.finish(kA, fail());
  p.start(kA);
  p.finish(kA, ok());
  p.start(kA);
  p.finish(kA, fail());
  EXPECT_EQ(p.given_up(kA), nullptr);
  p.start(kA);
  p.finish(kA, fail());
  EXPECT_NE(p.given_up(kA), nullptr);
  const std::vector<HostState> states = p.states();
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].requests, 4);
  EXPECT_EQ(states[0].errors, 3);
}

}  // namespace
}  // namespace preheat::crawl
