#include "crawl/robots_txt.h"

#include <gtest/gtest.h>

#include <string>

namespace preheat::crawl {
namespace {

bool allowed(std::string_view body, std::string_view agent, std::string_view path) {
  return RobotsTxt::parse(body).rules_for(agent).allowed(path);
}

TEST(RobotsTxtTest, ProductTokens) {
  EXPECT_EQ(robots_product_token("preheat/0.1 (+https://example.com/bot)"), "preheat");
  EXPECT_EQ(robots_product_token("  Googlebot-News"), "googlebot-news");
  EXPECT_EQ(robots_product_token("Foo_Bot v2"), "foo_bot");
  EXPECT_EQ(robots_product_token("*"), "*");
  EXPECT_EQ(robots_product_token("* and more"), "*");
  EXPECT_EQ(robots_product_token("/bin"), "");
  EXPECT_EQ(robots_product_token(""), "");
}

TEST(RobotsTxtTest, SelectsTheGroupNamingTheAgentCaseInsensitively) {
  const char* body =
      "User-agent: *\n"
      "Disallow: /\n"
      "\n"
      "User-agent: FooBot\n"
      "Disallow: /private\n";
  EXPECT_TRUE(allowed(body, "foobot", "/public"));
  EXPECT_TRUE(allowed(body, "FOOBOT/1.0", "/public"));
  EXPECT_FALSE(allowed(body, "foobot", "/private/x"));
  EXPECT_FALSE(allowed(body, "other", "/public"));
  // A longer or shorter name is another crawler.
  EXPECT_FALSE(allowed(body, "foobot-news", "/public"));
  EXPECT_FALSE(allowed(body, "foo", "/public"));
}

TEST(RobotsTxtTest, GroupsNamingTheSameAgentMerge) {
  const char* body =
      "User-agent: a\nDisallow: /x\n"
      "User-agent: b\nDisallow: /y\n"
      "User-agent: A\nDisallow: /z\n";
  const RobotsRules r = RobotsTxt::parse(body).rules_for("a");
  EXPECT_FALSE(r.allowed("/x"));
  EXPECT_FALSE(r.allowed("/z"));
  EXPECT_TRUE(r.allowed("/y"));
  EXPECT_EQ(r.rules().size(), 2u);
}

TEST(RobotsTxtTest, ConsecutiveUserAgentLinesShareAGroup) {
  const char* body =
      "User-agent: a\n"
      "\n"
      "# comment\n"
      "User-agent: b\n"
      "Sitemap: http://h/s.xml\n"
      "User-agent: c\n"
      "Disallow: /\n";
  for (const char* agent : {"a", "b", "c"}) EXPECT_FALSE(allowed(body, agent, "/p")) << agent;
  EXPECT_TRUE(allowed(body, "d", "/p"));
}

TEST(RobotsTxtTest, RulesBeforeAnyUserAgentAreIgnored) {
  const char* body = "Disallow: /\nUser-agent: a\nDisallow: /x\n";
  EXPECT_TRUE(allowed(body, "b", "/p"));
  EXPECT_TRUE(allowed(body, "a", "/p"));
  EXPECT_FALSE(allowed(body, "a", "/x"));
}

TEST(RobotsTxtTest, NoGroupForTheAgentAndNoStarAllowsAll) {
  EXPECT_TRUE(allowed("User-agent: a\nDisallow: /\n", "b", "/"));
  EXPECT_TRUE(allowed("", "b", "/"));
  EXPECT_TRUE(RobotsTxt().rules_for("x").allowed("/anything"));
}

TEST(RobotsTxtTest, LongestMatchWinsAndAllowWinsATie) {
  const char* body =
      "User-agent: *\n"
      "Disallow: /a\n"
      "Allow: /a/b\n"
      "Disallow: /a/b/c\n"
      "Allow: /same\n"
      "Disallow: /same\n"
      "Disallow: /*.gif$\n"
      "Allow: /img/*.gif$\n";
  const RobotsRules r = RobotsTxt::parse(body).rules_for("x");
  EXPECT_FALSE(r.allowed("/a"));
  EXPECT_TRUE(r.allowed("/a/b"));
  EXPECT_FALSE(r.allowed("/a/b/c/d"));
  EXPECT_TRUE(r.allowed("/same/thing"));
  EXPECT_FALSE(r.allowed("/x.gif"));
  EXPECT_TRUE(r.allowed("/img/x.gif"));
  const RobotsRules::Verdict v = r.check("/a/b/c");
  ASSERT_NE(v.rule, nullptr);
  EXPECT_EQ(v.rule->line, 4);
  EXPECT_EQ(v.rule->pattern.text(), "/a/b/c");
  EXPECT_EQ(r.check("/zzz").rule, nullptr);
}

TEST(RobotsTxtTest, EmptyDisallowAllowsEverything) {
  EXPECT_TRUE(allowed("User-agent: *\nDisallow:\n", "x", "/p"));
  EXPECT_TRUE(allowed("User-agent: *\nDisallow: # nothing\n", "x", "/p"));
  EXPECT_TRUE(RobotsTxt::parse("User-agent: *\nDisallow:\n").rules_for("x").rules().empty());
}

TEST(RobotsTxtTest, RobotsTxtItselfIsAlwaysAllowed) {
  const RobotsRules r = RobotsTxt::parse("User-agent: *\nDisallow: /\n").rules_for("x");
  EXPECT_TRUE(r.allowed("/robots.txt"));
  EXPECT_FALSE(r.allowed("/robots.txt?x"));
  EXPECT_FALSE(r.allowed("/"));
}

TEST(RobotsTxtTest, PercentEncodingIsEquivalent) {
  const char* body =
      "User-agent: *\n"
      "Disallow: /foo/bar/\xE3\x83\x84\n"
      "Disallow: /%7euser\n"
      "Disallow: /a%2fb\n";
  const RobotsRules r = RobotsTxt::parse(body).rules_for("x");
  EXPECT_FALSE(r.allowed("/foo/bar/%E3%83%84"));
  EXPECT_FALSE(r.allowed("/foo/bar/%e3%83%84"));
  EXPECT_FALSE(r.allowed("/~user/x"));
  EXPECT_FALSE(r.allowed("/%7Euser"));
  EXPECT_FALSE(r.allowed("/a%2Fb"));
  EXPECT_TRUE(r.allowed("/a/b"));  // %2F is not '/'
}

TEST(RobotsTxtTest, LineEndsBomCommentsAndGarbage) {
  const std::string bom = "\xEF\xBB\xBF";
  EXPECT_FALSE(allowed(bom + "User-agent: *\nDisallow: /x\n", "a", "/x"));
  EXPECT_FALSE(allowed("User-agent: *\rDisallow: /x\r", "a", "/x"));
  EXPECT_FALSE(allowed("User-agent: *\r\nDisallow: /x\r\n", "a", "/x"));
  EXPECT_FALSE(allowed("  USER-AGENT  :  *  # all\n\tdisallow:\t/x # no x\n", "a", "/x"));
  const char* garbage =
      "<html><body>Not a robots file</body></html>\n"
      "User-agent *\n"  // no colon: ignored
      "Disalow: /typo\n"
      "User-agent: *\n"
      "Unknown: thing\n"
      "Disallow: /x\n";
  EXPECT_FALSE(allowed(garbage, "a", "/x"));
  EXPECT_TRUE(allowed(garbage, "a", "/typo"));
  // A rule line per group line numbers counts CRLF once.
  const RobotsTxt crlf = RobotsTxt::parse("User-agent: *\r\n\r\nDisallow: /x\r\n");
  EXPECT_EQ(crlf.groups().at(0).rules.at(0).line, 3);
}

TEST(RobotsTxtTest, OnlyTheFirst500KiBAreParsed) {
  std::string body = "User-agent: *\nDisallow: /early\n";
  const std::size_t cut_line_start = RobotsTxt::kMaxBytes - 10;  // the next line straddles the limit
  while (body.size() + 40 < cut_line_start) body += "# padding padding padding padding\n";
  body += "#" + std::string(cut_line_start - body.size() - 2, 'x') + "\n";
  ASSERT_EQ(body.size(), cut_line_start);
  body += "Disallow: /cut-in-the-middle-of-this-long-line\n";
  body += "Disallow: /late\n";
  const RobotsTxt txt = RobotsTxt::parse(body);
  EXPECT_TRUE(txt.truncated());
  const RobotsRules r = txt.rules_for("a");
  EXPECT_FALSE(r.allowed("/early"));
  EXPECT_TRUE(r.allowed("/late"));
  // The line the limit cuts is dropped whole, not read as a shorter rule.
  EXPECT_TRUE(r.allowed("/cut"));
  EXPECT_EQ(r.rules().size(), 1u);
  EXPECT_FALSE(RobotsTxt::parse("User-agent: *\nDisallow: /x\n").truncated());
}

TEST(RobotsTxtTest, CrawlDelayPerGroup) {
  const char* body =
      "User-agent: *\nCrawl-delay: 10\n"
      "User-agent: fast\nCrawl-delay: 0.5\nDisallow: /x\n"
      "User-agent: none\nDisallow: /y\n"
      "User-agent: twice\nCrawl-delay: 2\nCrawl-delay: 7\nCrawl-delay: 3\n"
      "User-agent: bad\nCrawl-delay: -1\nCrawl-delay: 1e3\nCrawl-delay: 0x10\nCrawl-delay: 5s\nCrawl-delay:\n";
  const RobotsTxt txt = RobotsTxt::parse(body);
  EXPECT_EQ(txt.rules_for("other").crawl_delay(), 10.0);
  EXPECT_EQ(txt.rules_for("fast").crawl_delay(), 0.5);
  EXPECT_EQ(txt.rules_for("none").crawl_delay(), std::nullopt);  // its own group has none
  EXPECT_EQ(txt.rules_for("twice").crawl_delay(), 7.0);
  EXPECT_EQ(txt.rules_for("bad").crawl_delay(), std::nullopt);
  // A crawl-delay line ends the agent list like a rule does.
  EXPECT_TRUE(txt.rules_for("fast").allowed("/y"));
}

TEST(RobotsTxtTest, SitemapsAreGlobalInAnyPosition) {
  const char* body =
      "Sitemap: http://h/one.xml\n"
      "User-agent: a\n"
      "sitemap:   http://h/two.xml  # comment\n"
      "Disallow: /\n"
      "Sitemap:\n"
      "SITEMAP: http://h/three.xml\n";
  const RobotsTxt txt = RobotsTxt::parse(body);
  const std::vector<std::string> want = {"http://h/one.xml", "http://h/two.xml", "http://h/three.xml"};
  EXPECT_EQ(txt.sitemaps(), want);
  EXPECT_FALSE(txt.rules_for("a").allowed("/"));  // the sitemap line did not split the group
}

TEST(RobotsTxtTest, UserAgentValuesWithoutATokenNameNobody) {
  const char* body = "User-agent: /bin\nDisallow: /\nUser-agent: *\nDisallow: /x\n";
  EXPECT_TRUE(allowed(body, "bin", "/p"));
  EXPECT_FALSE(allowed(body, "bin", "/x"));
  EXPECT_FALSE(allowed("User-agent: Foo Bar\nDisallow: /\n", "foo", "/p"));
}

}  // namespace
}  // namespace preheat::crawl
