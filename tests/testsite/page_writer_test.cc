// Link spelling: relative references and every spelling of a link resolve to
// the same URL (checked with Boost.URL, after the WHATWG preprocessing).
#include "testsite/page_writer.h"

#include <gtest/gtest.h>

#include "tests/testsite/html_links.h"

namespace preheat::testsite {
namespace {

TEST(PageWriterTest, DirectoryOf) {
  const std::pair<std::string, std::string> cases[] = {
      {"/", "/"},
      {"/p/5", "/p/"},
      {"/d/s1/t0/15", "/d/s1/t0/"},
      {"/list?sort=asc&page=3", "/"},
      {"/a/b/?x=/y", "/a/b/"},
      {"/p/5#a/b", "/p/"},
  };
  for (const auto& [target, dir] : cases) EXPECT_EQ(directory_of(target), dir) << target;
}

TEST(PageWriterTest, RelativeReferences) {
  struct Case {
    std::string from_dir;
    std::string target;
    std::string expected;
  };
  const Case cases[] = {
      {"/", "/", "./"},
      {"/", "/p/5", "p/5"},
      {"/p/", "/p/7", "7"},
      {"/p/", "/", "../"},
      {"/d/s1/t0/", "/p/5", "../../../p/5"},
      {"/d/s1/t0/", "/d/s1/t1/35", "../t1/35"},
      {"/d/s1/t0/", "/d/s1/t0/15", "15"},
      {"/p/", "/list?sort=asc&page=3", "../list?sort=asc&page=3"},
      {"/", "/list?sort=asc&page=3", "list?sort=asc&page=3"},
      {"/p/", "/d/s0/t0/", "../d/s0/t0/"},
      {"/d/s0/t0/", "/d/s0/t0/", "./"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(relative_reference(c.from_dir, c.target), c.expected) << c.from_dir << " -> " << c.target;
    const std::string base = "http://h:1" + c.from_dir + "page";
    EXPECT_EQ(testing::resolve_href(base, c.expected), "http://h:1" + c.target) << c.expected;
  }
}

TEST(PageWriterTest, EverySpellingResolvesToTheTarget) {
  const std::string targets[] = {"/", "/p/5", "/list?sort=asc&page=13", "/d/s2/t1/25", "/p/5#top"};
  const std::string dirs[] = {"/", "/p/", "/d/s0/t1/"};
  for (const std::string host : {"127.0.0.1:8080", "LocalHost:8080", "[::1]:9"}) {
    std::string origin = "http://" + testing::lower_ascii(host);
    for (const std::string& dir : dirs) {
      for (const std::string& target : targets) {
        Rng rng(hash_bytes(42, host + dir + target));
        for (int i = 0; i < 200; ++i) {
          const std::string href = testing::decode_entities(spell_href(target, dir, host, rng));
          const std::string expected = origin + target.substr(0, target.find('#'));
          EXPECT_EQ(testing::resolve_href(origin + dir + "x", href), expected) << "'" << href << "' on " << dir;
        }
      }
    }
  }
}

TEST(PageWriterTest, PagesArePaddedToTheirSize) {
  for (std::size_t bytes : {0, 500, 4096, 65536}) {
    PageSpec spec;
    spec.path = "/p/1";
    spec.title = "T";
    spec.links = {"/", "/p/2"};
    spec.page_bytes = bytes;
    Rng rng(1);
    const std::string page = write_page(spec, "h", rng);
    if (bytes > 1000) {
      EXPECT_NEAR(static_cast<double>(page.size()), static_cast<double>(bytes), 100.0) << bytes;
    }
    EXPECT_EQ(page.substr(page.size() - 8), "</html>\n");
  }
}

}  // namespace
}  // namespace preheat::testsite
