// The trap guard's rules one by one (crawl/trap_guard.h), with the edges a
// real site has: long legitimate URLs, paths that repeat a name without a
// loop, blog archives, things that look like dates and are not.
#include "crawl/trap_guard.h"

#include <gtest/gtest.h>

namespace preheat::crawl {
namespace {

// 2026-11-27, as days since 1970-01-01.
const std::int64_t kDay = CivilDate{2026, 11, 27}.days_since_epoch();

std::string rule_of(std::string_view url, const TrapOptions& o = {}) {
  std::optional<TrapRefusal> r = check_url(url, o, kDay);
  return r ? r->rule : "";
}

std::string message_of(std::string_view url, const TrapOptions& o = {}) {
  std::optional<TrapRefusal> r = check_url(url, o, kDay);
  return r ? r->message : "";
}

TEST(TrapGuardTest, UrlLengthCountsBytesAndTheLimitItselfIsAllowed) {
  const std::string base = "http://h.test/search?q=";
  const std::string at_limit = base + std::string(2048 - base.size(), 'a');
  ASSERT_EQ(at_limit.size(), 2048u);
  EXPECT_EQ(rule_of(at_limit), "");  // a long query just at the limit is fine
  EXPECT_EQ(message_of(at_limit + "b"), "url-length: 2049 bytes (limit 2048)");
  TrapOptions o;
  o.max_url_length = 29;
  EXPECT_EQ(message_of("http://h.test/0123456789abcdef", o), "url-length: 30 bytes (limit 29)");
  o.max_url_length = -1;
  EXPECT_EQ(rule_of(at_limit + std::string(100000, 'b'), o), "");
}

TEST(TrapGuardTest, PathLoopIsARunOfSegmentsThreeTimesInARow) {
  struct Case {
    const char* url;
    const char* message;  // "" when not a trap
  } cases[] = {
      {"http://h.test/foo/foo/foo/", "path-loop: 'foo' 3 times in a row (limit 2)"},
      {"http://h.test/x/foo/foo/foo/foo/y", "path-loop: 'foo' 4 times in a row (limit 2)"},
      {"http://h.test/a/b/a/b/a/b", "path-loop: 'a/b' 3 times in a row (limit 2)"},
      {"http://h.test/p/a/b/c/a/b/c/a/b/c/q.html", "path-loop: 'a/b/c' 3 times in a row (limit 2)"},
      {"http://h.test/foo/foo/", ""},  // twice is a real path (/news/news/)
      {"http://h.test/a/b/a/b/", ""},
      {"http://h.test/a/b/c/a", ""},           // a name again, no loop
      {"http://h.test/foo/foo/foo.html", ""},  // the last one is another name
      {"http://h.test/?a=/foo/foo/foo", ""},   // the query is not the path
  };
  for (const Case& c : cases) EXPECT_EQ(message_of(c.url), c.message) << c.url;
  TrapOptions o;
  o.max_path_repeats = 1;
  EXPECT_EQ(rule_of("http://h.test/foo/foo/", o), "path-loop");
  for (int off : {-1, 0}) {
    o.max_path_repeats = off;
    EXPECT_EQ(rule_of("http://h.test/foo/foo/foo/foo/", o), "") << off;
  }
}

TEST(TrapGuardTest, PathRepeatsCountsOneSegmentAnywhere) {
  EXPECT_EQ(message_of("http://h.test/x/a/x/b/x/c/x/d/x"), "path-repeats: segment 'x' 5 times (limit 4)");
  EXPECT_EQ(rule_of("http://h.test/x/a/x/b/x/c/x/d"), "");                    // four times: allowed
  EXPECT_EQ(rule_of("http://h.test/api/v1/users/1/posts/1/comments/1"), "");  // a REST path
  TrapOptions o;
  o.max_segment_repeats = 1;
  EXPECT_EQ(message_of("http://h.test/x/a/x", o), "path-repeats: segment 'x' 2 times (limit 1)");
  for (int off : {-1, 0}) {
    o.max_segment_repeats = off;
    EXPECT_EQ(rule_of("http://h.test/x/a/x/b/x/c/x/d/x", o), "") << off;
  }
}

TEST(TrapGuardTest, DatesAreReadInThePathAndTheQuery) {
  struct Case {
    const char* url;
    const char* pattern;  // "" when no date
    bool calendar_like;
  } cases[] = {
      {"http://h.test/calendar/2024-01-01", "http://h.test/calendar/{date}", true},
      {"http://h.test/day/2024_02_29.html", "http://h.test/day/{date}.html", true},
      {"http://h.test/day/2024.5.7/", "http://h.test/day/{date}/", true},
      {"http://h.test/events/month/2024-05/", "http://h.test/events/month/{month}/", true},
      {"http://h.test/archive/2024/05/", "http://h.test/archive/{month}/", true},
      {"http://h.test/2024/05/17/", "http://h.test/{date}/", true},
      {"http://h.test/2024/05/17/my-post/", "http://h.test/{date}/my-post/", false},  // a blog post
      {"http://h.test/news/2024-05-17-election.html", "http://h.test/news/{date}-election.html", false},
      {"http://h.test/day/20240517", "http://h.test/day/{date}", true},
      {"http://h.test/day/20240517.php", "http://h.test/day/{date}.php", true},
      {"http://h.test/cal?date=2024-05-17&view=day", "http://h.test/cal?date={date}&view=day", true},
      {"http://h.test/cal?d=20240517", "http://h.test/cal?d={date}", true},
      {"http://h.test/cal.php?year=2024&month=5", "http://h.test/cal.php?year={year}&month={month}", true},
      {"http://h.test/cal.php?Y=2024&m=05&d=31", "http://h.test/cal.php?Y={year}&m={month}&d={day}", true},
      // Not dates.
      {"http://h.test/calendar/9999-99-99", "", false},
      {"http://h.test/calendar/2023-02-29", "", false},  // not a leap year
      {"http://h.test/calendar/2024-13-01", "", false},
      {"http://h.test/calendar/12024-05-17", "", false},    // a digit run is read from its start
      {"http://h.test/item/12345678", "", false},           // month 56
      {"http://h.test/item/30001231", "", false},           // an 8-digit id past 2199
      {"http://h.test/img/photo_20240517.jpg", "", false},  // 8 digits inside a name: not read
      {"http://h.test/img/1024/768/", "", false},
      {"http://h.test/v/0999-01-01", "", false},       // years start at 1000
      {"http://h.test/cal.php?year=2024", "", false},  // a year alone
      {"http://h.test/cal.php?month=5&day=3", "", false},
      {"http://h.test/release/1.2.3", "", false},
  };
  for (const Case& c : cases) {
    const DatedUrl d = read_url_dates(c.url);
    EXPECT_EQ(d.pattern, c.pattern) << c.url;
    EXPECT_EQ(d.calendar_like, c.calendar_like) << c.url;
    EXPECT_EQ(d.dates.empty(), std::string_view(c.pattern).empty()) << c.url;
  }
  const DatedUrl q = read_url_dates("http://h.test/cal.php?y=2024&m=2&d=30");  // no 30 February: the month
  ASSERT_EQ(q.dates.size(), 1u);
  EXPECT_TRUE(q.dates[0].month_only);
  EXPECT_EQ(q.pattern, "http://h.test/cal.php?y={year}&m={month}&d=30");
  const DatedUrl day = read_url_dates("http://h.test/2024/02/29/");
  ASSERT_EQ(day.dates.size(), 1u);
  EXPECT_EQ(day.dates[0].date, (CivilDate{2024, 2, 29}));
  EXPECT_FALSE(day.dates[0].month_only);
}

TEST(TrapGuardTest, CalendarRefusesDatesMoreThanAYearAheadNeverPastOnes) {
  EXPECT_EQ(rule_of("http://h.test/calendar/2027-11-27"), "");  // 365 days ahead: allowed
  EXPECT_EQ(message_of("http://h.test/calendar/2027-11-28"),
            "calendar: 2027-11-28 is 366 days after the crawl started (2026-11-27; limit 365)");
  EXPECT_EQ(rule_of("http://h.test/2027/11/"), "");  // a month counts from its first day
  EXPECT_EQ(message_of("http://h.test/2027/12/"),
            "calendar: 2027-12 is 369 days after the crawl started (2026-11-27; limit 365)");
  EXPECT_EQ(rule_of("http://h.test/cal?year=2031&month=1"), "calendar");
  EXPECT_EQ(rule_of("http://h.test/2031/01/01/a-post-planned-ahead/"), "calendar");  // any date counts
  // Archives: decades back are fine.
  EXPECT_EQ(rule_of("http://h.test/2024/05/"), "");
  EXPECT_EQ(rule_of("http://h.test/archive/1851/09/18/"), "");
  EXPECT_EQ(rule_of("http://h.test/calendar/1000-01-01"), "");
  TrapOptions o;
  o.max_future_days = 0;
  EXPECT_EQ(rule_of("http://h.test/calendar/2026-11-27", o), "");
  EXPECT_EQ(rule_of("http://h.test/calendar/2026-11-28", o), "calendar");
  o.max_future_days = -1;
  EXPECT_EQ(rule_of("http://h.test/calendar/9999-12-31", o), "");
}

TEST(TrapGuardTest, RulesApplyInOrder) {
  EXPECT_EQ(rule_of("http://h.test/foo/foo/foo/2099-01-01"), "path-loop");
  EXPECT_EQ(rule_of("http://h.test/x/a/x/b/x/c/x/d/x/2099-01-01"), "path-repeats");
}

TEST(TrapGuardTest, DatePatternBudgetEndsACalendarButNotBlogPosts) {
  TrapOptions o;
  o.max_pages_per_date_pattern = 3;
  TrapGuard g(o, kDay);
  g.count("http://h.test/calendar/2020-01-01");  // known at start
  EXPECT_FALSE(g.check("http://h.test/calendar/2020-01-02"));
  EXPECT_FALSE(g.check("http://h.test/calendar/2020-01-03"));
  std::optional<TrapRefusal> r = g.check("http://h.test/calendar/2020-01-04");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "calendar-pattern");
  EXPECT_EQ(r->message, "calendar-pattern: 3 URLs like http://h.test/calendar/{date} already (limit 3)");
  EXPECT_TRUE(r->first);
  EXPECT_TRUE(r->record);
  // Met again: still refused, not new.
  r = g.check("http://h.test/calendar/2020-01-04");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->first);
  EXPECT_FALSE(r->record);
  // Another pattern, another host, and blog posts (unique patterns) go on.
  EXPECT_FALSE(g.check("http://h.test/calendar/month/2020-01"));
  EXPECT_FALSE(g.check("http://other.test/calendar/2020-01-04"));
  for (int d = 1; d <= 28; ++d) {
    const std::string post = "http://h.test/2020/02/" + std::to_string(d) + "/post-" + std::to_string(d);
    EXPECT_FALSE(g.check(post)) << post;
  }
}

TEST(TrapGuardTest, HostBudgetCountsKnownAndAdmittedUrlsPerHost) {
  TrapOptions o;
  o.max_pages_per_host = 3;
  TrapGuard g(o, kDay);
  g.count("http://a.test/");
  EXPECT_FALSE(g.check("http://a.test/1"));
  EXPECT_FALSE(g.check("http://a.test/2"));
  std::optional<TrapRefusal> r = g.check("http://a.test/3");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message, "host-budget: 3 URLs of http://a.test already (limit 3)");
  // Each host has its own budget; scheme and port make another host.
  EXPECT_FALSE(g.check("http://b.test/1"));
  EXPECT_FALSE(g.check("https://a.test/1"));
  EXPECT_FALSE(g.check("http://a.test:8080/1"));
  // Static rules come first.
  r = g.check("http://a.test/foo/foo/foo/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "path-loop");
}

// A resumed crawl reads the database's URLs back: an earlier run's trap rows
// (refused by a rule without counts) neither use the host budget nor get a
// second row, so the resumed crawl admits and records what an uninterrupted
// one would.
TEST(TrapGuardTest, AResumedCrawlsTrapRowsUseNoBudgetAndFillTheirRowCap) {
  TrapOptions o;
  o.max_pages_per_host = 2;
  o.max_rows_per_rule = 2;
  TrapGuard g(o, kDay);
  g.count_known("http://a.test/");                      // a page
  g.count_known("http://a.test/foo/foo/foo/");          // trap rows of path-loop
  g.count_known("http://a.test/bar/bar/bar/");
  EXPECT_FALSE(g.check("http://a.test/1")) << "the trap rows used the host budget";
  std::optional<TrapRefusal> r = g.check("http://a.test/2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "host-budget");
  // The trap rows met again are known refusals; a new path-loop URL is
  // refused without a row, the cap of 2 rows being full already.
  r = g.check("http://a.test/foo/foo/foo/");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->first);
  r = g.check("http://a.test/baz/baz/baz/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule, "path-loop");
  EXPECT_TRUE(r->first);
  EXPECT_FALSE(r->record);
  // count() (a seed, a redirect's target) counts whatever the URL.
  TrapGuard h(o, kDay);
  h.count("http://a.test/foo/foo/foo/");
  h.count("http://a.test/");
  EXPECT_TRUE(h.check("http://a.test/1"));
}

TEST(TrapGuardTest, OnlyTheFirstRefusalsPerHostAndRuleAreRecorded) {
  TrapOptions o;
  o.max_pages_per_host = 0;
  o.max_rows_per_rule = 2;
  TrapGuard g(o, kDay);
  std::vector<bool> recorded;
  for (int i = 0; i < 4; ++i) recorded.push_back(g.check("http://a.test/" + std::to_string(i))->record);
  EXPECT_EQ(recorded, (std::vector<bool>{true, true, false, false}));
  EXPECT_TRUE(g.check("http://b.test/x")->record);       // another host
  EXPECT_TRUE(g.check("http://a.test/f/f/f/")->record);  // another rule
  o.max_rows_per_rule = -1;
  TrapGuard all(o, kDay);
  for (int i = 0; i < 200; ++i) EXPECT_TRUE(all.check("http://a.test/" + std::to_string(i))->record);
}

TEST(TrapGuardTest, TrapRecordIsADonePageWithoutAFetch) {
  const TrapRefusal r{"calendar", "calendar: 2099-01-01 is ...", true, true};
  const store::PageRecord p = trap_record("http://h.test/calendar/2099-01-01", 7, r, 1234);
  EXPECT_EQ(p.url, "http://h.test/calendar/2099-01-01");
  EXPECT_EQ(p.final_url, p.url);
  EXPECT_EQ(p.depth, 7);
  EXPECT_EQ(p.status, 0);
  EXPECT_EQ(p.attempts, 0);
  EXPECT_EQ(p.state, store::FrontierState::kDone);
  EXPECT_EQ(p.error_class, "trap");
  EXPECT_EQ(p.error_message, r.message);
  EXPECT_EQ(p.fetched_at_ms, 1234);
}

}  // namespace
}  // namespace preheat::crawl
