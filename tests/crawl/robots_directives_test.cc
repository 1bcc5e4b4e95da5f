// Page-level robots directives: X-Robots-Tag (with agent prefixes, several
// headers, valued directives that are not agents) and meta tokens.
#include "crawl/robots_directives.h"

#include <gtest/gtest.h>

namespace preheat::crawl {
namespace {

RobotsDirectives header(std::string_view value, std::string_view agent = "preheat") {
  RobotsDirectives d;
  add_header_directives(d, value, agent);
  return d;
}

TEST(RobotsDirectivesTest, HeaderTable) {
  const struct {
    std::string_view value;
    std::string_view expected;
  } cases[] = {
      {"", ""},
      {"noindex", "noindex"},
      {"NOINDEX, NoFollow", "noindex,nofollow"},
      {"none", "noindex,nofollow"},
      {"all", ""},
      {"index, follow", ""},
      {"noarchive", "noarchive"},
      {"nocache", "noarchive"},                        // Bing's synonym
      {"nosnippet, notranslate, noimageindex", ""},   // understood by others, nothing for preheat
      {"  noindex  ,  ", "noindex"},
      {"noindex,,nofollow", "noindex,nofollow"},
      // An agent prefix scopes the rest of that header.
      {"googlebot: noindex", ""},
      {"googlebot: noindex, nofollow", ""},
      {"preheat: noindex", "noindex"},
      {"PreHeat: nofollow", "nofollow"},
      {"googlebot: noindex, preheat: nofollow", "nofollow"},
      {"preheat: nofollow, googlebot: noindex", "nofollow"},
      {"noarchive, googlebot: noindex", "noarchive"},  // before any agent: everyone
      // Valued directives are not agents (and are ignored).
      {"unavailable_after: 25 Jun 2010 15:00:00 PST, noindex", "noindex"},
      {"unavailable_after: Friday, 25-Jun-10 15:00:00 PST, nofollow", "nofollow"},
      {"max-snippet: 20, max-image-preview: large, noindex", "noindex"},
      {"googlebot: max-snippet: 20, noindex", ""},     // still googlebot's
      // A colon after something that is not a product token: not understood.
      {"some bot: noindex", ""},
      {"garbage, more garbage", ""},
      // "index" never undoes a restriction: the most restrictive wins.
      {"noindex, index", "noindex"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(header(c.value).to_string(), c.expected) << "X-Robots-Tag: " << c.value;
  }
}

TEST(RobotsDirectivesTest, EachHeaderStartsWithEveryAgent) {
  // Several headers are joined with '\n' by the fetcher; an agent named in
  // one does not carry over to the next.
  EXPECT_EQ(header("googlebot: noindex\nnofollow").to_string(), "nofollow");
  EXPECT_EQ(header("googlebot: nofollow\notherbot: noindex, nofollow").to_string(), "");
  EXPECT_EQ(header("googlebot: nofollow\npreheat: noindex").to_string(), "noindex");
  EXPECT_EQ(header("noarchive\n\npreheat: none").to_string(), "noindex,nofollow,noarchive");
}

TEST(RobotsDirectivesTest, TheAgentIsOurs) {
  EXPECT_EQ(header("mybot: noindex", "mybot").to_string(), "noindex");
  EXPECT_EQ(header("preheat: noindex", "mybot").to_string(), "");
}

TEST(RobotsDirectivesTest, MetaTokensAndTheCombination) {
  RobotsDirectives d;
  add_meta_directives(d, {"index", "nofollow"});
  EXPECT_EQ(d.to_string(), "nofollow");
  add_meta_directives(d, {"none"});
  EXPECT_EQ(d.to_string(), "noindex,nofollow");

  // Header for another agent, meta robots for all, meta preheat for us.
  const RobotsDirectives all = robots_directives("googlebot: noarchive", {"nofollow"}, {"noindex"}, "preheat");
  EXPECT_TRUE(all.noindex);
  EXPECT_TRUE(all.nofollow);
  EXPECT_FALSE(all.noarchive);
  EXPECT_FALSE(robots_directives("", {}, {}, "preheat").any());
}

TEST(RobotsDirectivesTest, StoredFormRoundTrips) {
  for (int bits = 0; bits < 8; ++bits) {
    RobotsDirectives d;
    d.noindex = (bits & 1) != 0;
    d.nofollow = (bits & 2) != 0;
    d.noarchive = (bits & 4) != 0;
    EXPECT_EQ(parse_stored_directives(d.to_string()), d) << d.to_string();
  }
  EXPECT_EQ(parse_stored_directives("nofollow,whatever").to_string(), "nofollow");
}

}  // namespace
}  // namespace preheat::crawl
