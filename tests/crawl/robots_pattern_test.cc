#include "crawl/robots_pattern.h"

#include <gtest/gtest.h>

#include <string>

namespace preheat::crawl {
namespace {

TEST(RobotsPatternTest, NormalisesPercentEncodingLikeRfc9309) {
  struct Case {
    const char* in;
    const char* want;
  };
  const Case cases[] = {
      {"/foo/bar?baz=quz", "/foo/bar?baz=quz"},
      {"/foo/bar/\xE3\x83\x84", "/foo/bar/%E3%83%84"},  // RFC 9309 2.2.2 examples
      {"/foo/bar/%e3%83%84", "/foo/bar/%E3%83%84"},
      {"/foo/bar/%62%61%7A", "/foo/bar/baz"},
      {"/a%2fb", "/a%2Fb"},      // a reserved character stays encoded
      {"/a%7e%2D%2e%5f", "/a~-._"},  // unreserved ones are decoded
      {"/a b\"<>", "/a%20b%22%3C%3E"},
      {"/a|b^c[d]\\e`{}", "/a%7Cb%5Ec%5Bd%5D%5Ce%60%7B%7D"},
      {"/100%", "/100%25"},  // a lone '%' is encoded
      {"/%zz", "/%25zz"},
      {"/a*b$c$", "/a%2Ab%24c%24"},  // in a URL '*' and '$' are literal
      {"/x:@!&'()+,;=", "/x:@!&'()+,;="},
  };
  for (const Case& c : cases) EXPECT_EQ(normalize_robots_path(c.in), c.want) << c.in;
}

TEST(RobotsPatternTest, WildcardAndAnchorStaySpecialOnlyInPatterns) {
  EXPECT_EQ(RobotsPattern("/a*b$").text(), "/a*b$");
  EXPECT_EQ(RobotsPattern("/a$b").text(), "/a%24b");  // '$' inside: literal
  EXPECT_EQ(RobotsPattern("/a%2A").text(), "/a%2A");  // an escaped '*' is literal
  EXPECT_EQ(RobotsPattern("/%7Ea").length(), 3u);     // specificity counts normalised octets
}

TEST(RobotsPatternTest, MatchesLikeTheRfcTable) {
  struct Case {
    const char* pattern;
    const char* path;
    bool match;
  };
  const Case cases[] = {
      {"/", "/anything", true},
      {"/fish", "/fish", true},
      {"/fish", "/fish.html", true},
      {"/fish", "/fish/salmon.html", true},
      {"/fish", "/Fish.asp", false},  // case-sensitive
      {"/fish", "/catfish", false},
      {"/fish*", "/fishheads/yummy.html", true},
      {"/*.php", "/index.php", true},
      {"/*.php", "/folder/filename.php?parameters", true},
      {"/*.php", "/windows.PHP", false},
      {"/*.php$", "/filename.php", true},
      {"/*.php$", "/filename.php?parameters", false},
      {"/*.php$", "/filename.php5", false},
      {"/fish*.php", "/fishheads/catfish.php?parameters", true},
      {"/fish*.php", "/Fish.PHP", false},
      {"/this/path/exactly$", "/this/path/exactly", true},
      {"/this/path/exactly$", "/this/path/exactly/", false},
      {"*", "/x", true},
      {"*$", "/x", true},
      {"/a*", "/a", true},
      {"/a*$", "/a", true},
      {"/a*b*c$", "/abc", true},
      {"/a*bc$", "/abc", true},
      {"/a*abc$", "/abc", false},  // the suffix may not overlap the prefix
      {"/a*b*b$", "/ab", false},
      {"/ab*ab*ab", "/ababab", true},
      {"/ab*ab*ab", "/abab", false},
      {"fish", "/fish", false},  // not starting with '/' or '*': matches nothing
      {"/path/file-with-a-%2A.html", "/path/file-with-a-%2A.html", true},
      {"/path/foo-%24", "/path/foo-%24", true},
      {"/path/foo-%24", "/path/foo-", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RobotsPattern(c.pattern).matches(normalize_robots_path(c.path)), c.match)
        << c.pattern << " vs " << c.path;
  }
}

TEST(RobotsPatternTest, LiteralStarAndDollarInUrlsMatchTheirEscapes) {
  // RFC 9309 2.2.3: "/path/file-with-a-%2A.html" matches ".../file-with-a-*.html".
  EXPECT_TRUE(RobotsPattern("/path/file-with-a-%2A.html").matches(normalize_robots_path("/path/file-with-a-*.html")));
  EXPECT_TRUE(RobotsPattern("/path/foo-%24").matches(normalize_robots_path("/path/foo-$")));
  EXPECT_TRUE(RobotsPattern("/a$b").matches(normalize_robots_path("/a$b")));
}

// Hostile patterns: the work is bounded by the input sizes, counted, not timed.
TEST(RobotsPatternTest, HostilePatternsTakeLinearSteps) {
  std::string pattern = "/";
  for (int i = 0; i < 2000; ++i) pattern += "*a";
  pattern += "*b$";
  const std::string path = "/" + std::string(100000, 'a');
  RobotsPattern::Stats stats;
  EXPECT_FALSE(RobotsPattern(pattern).matches(path, &stats));
  EXPECT_LE(stats.steps, 3 * (pattern.size() + path.size()) + 2);

  // A needle with a long self-overlap against a text that almost matches it
  // everywhere: naive search would be quadratic.
  const std::string needle = std::string(5000, 'a') + "b";
  const std::string pattern2 = "/*" + needle + "*" + needle;
  RobotsPattern::Stats stats2;
  EXPECT_FALSE(RobotsPattern(pattern2).matches(path, &stats2));
  EXPECT_LE(stats2.steps, 3 * (pattern2.size() + path.size()) + 2);

  RobotsPattern::Stats stats3;
  const std::string hit = "/" + std::string(50000, 'a') + "b" + std::string(50000, 'a') + "b";
  EXPECT_TRUE(RobotsPattern("/*" + needle + "*" + needle + "$").matches(hit, &stats3));
  EXPECT_LE(stats3.steps, 3 * (2 * needle.size() + 4 + hit.size()) + 2);
}

}  // namespace
}  // namespace preheat::crawl
