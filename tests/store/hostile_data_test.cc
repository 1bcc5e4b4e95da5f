// Data that would break string-built SQL, or a careless text layer, round-trips
// byte for byte (every value reaches SQLite as a bound parameter).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/crawl_store.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/support.h"

namespace preheat::store {
namespace {

using namespace preheat::store::testing;
using preheat::testing::TempDir;

// Every byte value but NUL, including invalid UTF-8 sequences.
std::string all_bytes() {
  std::string s;
  for (int b = 1; b < 256; ++b) s.push_back(static_cast<char>(b));
  return s;
}

TEST(HostileDataTest, RoundTripsExactly) {
  TempDir dir;
  auto store = open_store((dir / "crawl.db").string());
  ASSERT_TRUE(store);

  const std::string quotes = "https://a.test/it's \"quoted\"; DROP TABLE pages; --";
  const std::string injection = "x'); DELETE FROM urls; --";
  const std::string unicode =
      "https://a.test/\xC3\xA9t\xC3\xA9/\xF0\x9F\x98\x80/\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D?q=%00";
  std::string megabyte;
  while (megabyte.size() < (1u << 20)) megabyte += "lorem ipsum 'dolor' \"sit\" \xE2\x80\x94 amet\n";

  PageRecord p = page(quotes);
  p.final_url = unicode;
  p.title = injection;
  p.description = all_bytes();
  p.text = megabyte;
  p.canonical = "";
  p.language = "'";
  p.content_type = "text/html; charset=\"utf-8\"";
  p.etag = "W/\"\\\"\"";
  p.error_message = "\t\r\n";
  p.links = {LinkRecord{"", "", "", ""}, LinkRecord{injection, all_bytes(), "no'follow", "a"},
             LinkRecord{unicode, "\xF0\x9F\x98\x80", "", "area"}};
  p.redirects = {RedirectRecord{quotes, unicode, 308}};
  p.discovered = {new_url(injection, 1), new_url("", 1)};
  ASSERT_TRUE(store->write(pages({p})).ok());

  const std::optional<PageRecord> got = *store->find_page(quotes);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->url, quotes);
  EXPECT_EQ(got->final_url, unicode);
  EXPECT_EQ(got->title, injection);
  EXPECT_EQ(got->description, all_bytes());
  EXPECT_EQ(got->text.size(), megabyte.size());
  EXPECT_TRUE(got->text == megabyte);
  EXPECT_EQ(got->canonical, "");
  EXPECT_EQ(got->language, "'");
  EXPECT_EQ(got->content_type, p.content_type);
  EXPECT_EQ(got->etag, p.etag);
  EXPECT_EQ(got->error_message, "\t\r\n");
  ASSERT_EQ(got->links.size(), 3u);
  EXPECT_EQ(got->links[0].to_url, "");
  EXPECT_EQ(got->links[0].tag, "");
  EXPECT_EQ(got->links[1].to_url, injection);
  EXPECT_EQ(got->links[1].anchor, all_bytes());
  EXPECT_EQ(got->links[1].rel, "no'follow");
  EXPECT_EQ(got->links[2].anchor, "\xF0\x9F\x98\x80");
  ASSERT_EQ(got->redirects.size(), 1u);
  EXPECT_EQ(got->redirects[0].from_url, quotes);
  EXPECT_EQ(got->redirects[0].to_url, unicode);

  EXPECT_EQ(*store->page_urls(std::nullopt), std::vector<std::string>{quotes});
  std::vector<std::string> expected_frontier = {quotes, injection, ""};
  std::sort(expected_frontier.begin(), expected_frontier.end());
  EXPECT_EQ(frontier_urls(*store), expected_frontier);
  EXPECT_EQ(store->stats()->urls, 4);  // quotes, unicode, "", injection
  EXPECT_TRUE(*store->find_page(injection) == std::nullopt);
}

TEST(HostileDataTest, RunTextsRoundTripThroughTheRunsTable) {
  TempDir dir;
  auto store = open_store((dir / "crawl.db").string());
  ASSERT_TRUE(store);
  const Result<std::int64_t> run = store->begin_run(RunInfo{1, "async'", all_bytes(), "--seed 'x'; --"});
  ASSERT_TRUE(run.ok()) << run.status().to_string();
  EXPECT_TRUE(store->end_run(*run, RunEnd{2, 0, 0, 0, "'); DROP TABLE runs; --"}).ok());
  EXPECT_EQ(store->stats()->runs, 1);
}

}  // namespace
}  // namespace preheat::store
