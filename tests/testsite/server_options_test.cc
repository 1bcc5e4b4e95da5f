#include "testsite/server_options.h"

#include <set>

#include <gtest/gtest.h>

namespace preheat::testsite {
namespace {

using std::chrono::milliseconds;

TEST(ServerOptionsTest, Latency) {
  struct Case {
    std::string text;
    int base;
    int jitter;
  };
  const Case good[] = {{"0", 0, 0}, {"50", 50, 0}, {"50:10", 50, 10}, {"0:5", 0, 5}, {"3600000", 3600000, 0}};
  for (const Case& c : good) {
    auto l = parse_latency(c.text);
    ASSERT_TRUE(l.ok()) << c.text;
    EXPECT_EQ(l->base, milliseconds(c.base));
    EXPECT_EQ(l->jitter, milliseconds(c.jitter));
  }
  for (std::string_view bad : {"", "abc", "50:", ":10", "-5", "50:10:1", "1.5", "3600001"}) {
    auto l = parse_latency(bad);
    ASSERT_FALSE(l.ok()) << bad;
    EXPECT_NE(l.status().message().find("MS:JITTER"), std::string::npos);
  }
}

TEST(ServerOptionsTest, DelaysAreDeterministicAndWithinTheJitter) {
  const Latency fixed{milliseconds(50), milliseconds(0)};
  EXPECT_EQ(delay_for(fixed, 1, "/p/1"), milliseconds(50));
  const Latency jittery{milliseconds(50), milliseconds(10)};
  std::set<long> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string target = "/p/" + std::to_string(i);
    const milliseconds d = delay_for(jittery, 7, target);
    EXPECT_EQ(d, delay_for(jittery, 7, target));
    EXPECT_GE(d, milliseconds(40));
    EXPECT_LE(d, milliseconds(60));
    seen.insert(d.count());
  }
  EXPECT_EQ(seen.size(), 21u);  // every value in [40, 60] occurs
  const Latency wide{milliseconds(5), milliseconds(20)};
  for (int i = 0; i < 100; ++i) EXPECT_GE(delay_for(wide, 1, std::to_string(i)), milliseconds(0));
}

}  // namespace
}  // namespace preheat::testsite
