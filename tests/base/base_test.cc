#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/execution_mode.h"
#include "base/markup_escape.h"
#include "base/percentiles.h"
#include "base/status.h"
#include "base/utf8.h"

namespace preheat {
namespace {

using namespace std::chrono_literals;

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status().ok());
  EXPECT_EQ(Status().to_string(), "ok");
  Status s = Status::invalid_argument("bad recipe");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "bad recipe");
  EXPECT_EQ(s.to_string(), "invalid argument: bad recipe");
  EXPECT_EQ(Status::io_error("x").to_string(), "io error: x");
  EXPECT_EQ(Status::cancelled("x").code(), Status::Code::kCancelled);
}

TEST(ResultTest, HoldsAValueOrAnError) {
  Result<int> good(42);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  EXPECT_TRUE(good.status().ok());
  Result<int> bad(Status::not_found("nope"));
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "nope");
  Result<std::string> moved(std::string("abc"));
  EXPECT_EQ(std::move(moved).value(), "abc");
}

TEST(ExecutionModeTest, RoundTrips) {
  for (ExecutionMode m : kAllModes) EXPECT_EQ(parse_execution_mode(to_string(m)), m);
  EXPECT_FALSE(parse_execution_mode("Async").has_value());
  EXPECT_FALSE(parse_execution_mode("").has_value());
}

TEST(PercentilesTest, NearestRank) {
  struct Case {
    std::vector<int> ms;
    int p50, p99, max;
  };
  const Case cases[] = {
      {{}, 0, 0, 0},
      {{5}, 5, 5, 5},
      {{1, 2}, 1, 2, 2},
      {{3, 1, 2}, 2, 3, 3},
      {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5, 10, 10},
  };
  for (const Case& c : cases) {
    std::vector<Duration> sample;
    for (int v : c.ms) sample.push_back(std::chrono::milliseconds(v));
    Percentiles p = percentiles(sample);
    EXPECT_EQ(p.count, c.ms.size());
    EXPECT_EQ(p.p50, std::chrono::milliseconds(c.p50));
    EXPECT_EQ(p.p99, std::chrono::milliseconds(c.p99));
    EXPECT_EQ(p.max, std::chrono::milliseconds(c.max));
  }
  // 1..1000: p99 is 990.
  std::vector<Duration> big;
  for (int i = 1000; i >= 1; --i) big.push_back(std::chrono::milliseconds(i));
  EXPECT_EQ(percentiles(big).p99, 990ms);
}

TEST(ManualClockTest, MovesOnlyWhenTold) {
  ManualClock clock;
  const TimePoint t0 = clock.now();
  EXPECT_EQ(clock.now(), t0);
  clock.advance(5ms);
  EXPECT_EQ(clock.now() - t0, 5ms);
  clock.set(t0 + 1s);
  EXPECT_EQ(clock.now() - t0, 1s);
  EXPECT_TRUE(clock.is_manual());
  EXPECT_FALSE(steady_clock().is_manual());
}

TEST(Utf8Test, LengthOfWellFormedSequencesAndZeroOtherwise) {
  struct Case {
    std::string bytes;
    std::size_t length;
  };
  const Case cases[] = {
      {"a", 1},
      {"\xC3\xA9", 2},                // é
      {"\xE2\x82\xAC", 3},            // €
      {"\xF0\x9F\x8E\x82", 4},        // 🎂
      {"\x80", 0},                    // stray continuation byte
      {"\xC0\xAF", 0},                // overlong
      {"\xE0\x80\xAF", 0},            // overlong
      {"\xED\xA0\x80", 0},            // surrogate
      {"\xF4\x90\x80\x80", 0},        // above U+10FFFF
      {"\xE2\x82", 0},                // truncated
      {"\xFF", 0},
  };
  for (const Case& c : cases) EXPECT_EQ(utf8_length(c.bytes, 0), c.length) << c.bytes;
}

TEST(MarkupEscapeTest, EscapesTheFiveCharacters) {
  EXPECT_EQ(markup_escape(R"(<a href="x">Tom & Jerry's</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(markup_escape("caf\xC3\xA9"), "caf\xC3\xA9");
  std::string out = "x";
  append_markup_escaped(out, "&");
  EXPECT_EQ(out, "x&amp;");
}

}  // namespace
}  // namespace preheat
