#include "cli/crawl_progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace preheat::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CrawlProgressTest, TheLineCountsPagesQueueAndRate) {
  crawl::CrawlCounters c;
  c.pages = 30;
  c.queued = 50;
  c.in_flight = 20;
  c.errors["http-4xx"] = 2;
  c.errors["stall"] = 1;
  EXPECT_EQ(format_progress(c, 2.0, 10), "[###-------] 30 done · 50 queued · 20 in flight · 15 pages/s · 3 errors");
  c.db_has_more = true;
  EXPECT_THAT(format_progress(c, 2.0, 10), HasSubstr("50+ queued"));
}

TEST(CrawlProgressTest, PolitenessTrapsAndSitemapsShowOnlyWhenTheyHappen) {
  crawl::CrawlCounters c;
  c.pages = 1;
  const std::string quiet = format_progress(c, 0.0, 4);
  EXPECT_THAT(quiet, Not(HasSubstr("sitemap")));
  EXPECT_THAT(quiet, Not(HasSubstr("traps")));
  EXPECT_THAT(quiet, Not(HasSubstr("paused")));
  c.parked = 7;
  c.hosts_paused = 1;
  c.traps["path-loop"] = 2;
  c.traps["calendar"] = 3;
  c.sitemaps = 2;
  c.sitemap_urls = 120;
  c.sitemap_added = 45;
  const std::string busy = format_progress(c, 0.0, 4);
  EXPECT_THAT(busy, HasSubstr(" · 7 waiting for their host · 1 hosts paused · 5 refused as traps"));
  EXPECT_THAT(busy, HasSubstr(" · 2 sitemaps added 45 of 120 URLs"));
  c.sitemaps = 1;
  EXPECT_THAT(format_progress(c, 0.0, 4), HasSubstr(" · 1 sitemap added 45 of 120 URLs"));
}

}  // namespace
}  // namespace preheat::cli
