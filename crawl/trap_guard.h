// TrapGuard: refuses the links that look like crawler traps, and says why.
//
// A trap is a part of a site that makes up new URLs for ever: a calendar whose
// every day links to the next one, a relative link that grows the path at each
// hop (/foo/ -> /foo/foo/ -> /foo/foo/foo/), a session id or a filter that
// makes every URL new. The guard is asked about every candidate link that is
// new to the crawl (crawl/crawler.cc, absorb), after the scope said yes and
// before the URL joins the frontier. Seeds are never asked about.
//
// Rules, in this order; the first one that fires is the reason (its name is
// the start of the message, which a page row keeps as its error_message):
//  url-length        the normalised URL is longer than max_url_length bytes
//                    (2048: the sitemaps protocol's limit, below the 2083 of
//                    old browsers; a real page's links are far shorter and a
//                    URL that keeps growing reaches it).
//                    "url-length: 2049 bytes (limit 2048)"
//  path-loop         a run of 1 to 8 path segments appears more than
//                    max_path_repeats times in a row (default 2): /foo/foo/foo/
//                    and /a/b/a/b/a/b are traps, /foo/foo/ and /a/b/c/a are not.
//                    The relative-link loop. "path-loop: 'a/b' 3 times in a
//                    row (limit 2)"
//  path-repeats      one path segment appears more than max_segment_repeats
//                    times anywhere in the path (default 4: /x/a/x/b/x/c/x/d/x
//                    is a trap, /api/v1/users/1/posts/1/comments/1 is not).
//                    "path-repeats: segment 'x' 5 times (limit 4)"
//  calendar          a date in the URL lies more than max_future_days (365)
//                    after the day the crawl started: calendars run forward
//                    for ever, real pages are rarely dated a year ahead.
//                    "calendar: 2027-11-28 is 366 days after the crawl started
//                    (2026-11-27; limit 365)". A month (2027-11) counts from
//                    its first day. Past dates are never refused by this rule:
//                    archives go back decades.
//  calendar-pattern  the URL is calendar-like (below) and its host already
//                    has max_pages_per_date_pattern (1000) URLs of the same
//                    date pattern: the URL with its date replaced by {date},
//                    {month} (or {year}/{month}/{day} for query keys).
//                    Ends a calendar that runs backwards, or forwards from
//                    far in the past, after 1000 of its pages (2.7 years of
//                    days, 83 years of months). "calendar-pattern: 1000 URLs
//                    like http://h/calendar/{date} already (limit 1000)"
//  host-budget       the URL's host (scheme://host[:port]) already has
//                    max_pages_per_host URLs (default: no limit).
//                    "host-budget: 1000 URLs of http://h:8080 already (limit 1000)"
//
// Dates. In the path: YYYY-MM-DD, YYYY_MM_DD, YYYY.MM.DD (day), YYYY-MM
// (month) inside a segment; /YYYY/MM/DD/ and /YYYY/MM/ as whole segments;
// YYYYMMDD as a whole segment (an extension like .html aside). In the query:
// the same forms in a value (date=2024-05-17, d=20240517), and a year=YYYY
// with a month=M (keys year|yr|y, month|mon|mo|m, day|d|dd). A year is 4
// digits 1000..9999 (1900..2199 for YYYYMMDD: an 8-digit number is more often
// an id), months 1..12 (one or two digits), days real (leap years counted):
// 9999-99-99 and 2023-02-29 are no dates. A run of digits is read only from
// its start (12024-05-17 is no date).
// Calendar-like: a date in the query, or in the last path segment (a trailing
// slash aside) with no letters beside it but an extension (/calendar/2024-01-01,
// /day/20240517.html, /archive/2024/05/); a blog post /2024/05/17/my-post/ is
// not (its pattern would be unique: nothing to count, nothing to store).
//
// Budgets count the URLs the crawl knows: the seeds, every frontier row of the
// database at start (a resumed crawl keeps its counts; an earlier run's trap
// rows refused by a rule without counts are not counted, as they were not
// before it stopped: count_known), every admitted link, a redirect's final URL.
//
// Refused URLs are remembered (8 bytes each, crawl/seen_set.h): a trap met
// again is neither counted nor recorded again. The first max_rows_per_rule
// (100) refused URLs per host and rule are marked `record`: the crawler writes
// them a page row (state done, status 0, error_class "trap", the message), so
// the database shows which URLs were refused and why without a trap writing
// a row per link; the crawl's counters have every refusal.
//
// Thread safety: check_url() and read_url_dates() are pure. A TrapGuard is not
// thread-safe: the crawler uses it on the event loop only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/civil_date.h"
#include "crawl/seen_set.h"
#include "store/crawl_store.h"

namespace preheat::crawl {

inline constexpr std::string_view kTrapErrorClass = "trap";

// Every limit: -1 (any negative) means no limit. The two repeat limits count
// appearances, so below 1 they would refuse every path: 0 is off too.
struct TrapOptions {
  std::int64_t max_url_length = 2048;              // bytes of the normalised URL
  int max_path_repeats = 2;                        // appearances of a run of segments, in a row
  int max_segment_repeats = 4;                     // appearances of one segment, anywhere in the path
  std::int64_t max_future_days = 365;              // after crawl_day
  std::int64_t max_pages_per_date_pattern = 1000;  // per host and date pattern
  std::int64_t max_pages_per_host = -1;
  std::int64_t max_rows_per_rule = 100;  // page rows per host and rule
  // The day the calendar rule counts from, in days since 1970-01-01 (UTC);
  // none: the day the crawl starts (tests pin it).
  std::optional<std::int64_t> crawl_day;
};

struct TrapRefusal {
  std::string rule;     // "url-length", "path-loop", ... (see above)
  std::string message;  // "<rule>: why"
  bool first = true;    // false: this URL was refused before (skip it silently)
  bool record = false;  // write it a page row (the first ones per host and rule)
};

// The rules that need no counts (url-length, path-loop, path-repeats,
// calendar), for a normalised URL. `crawl_day` as TrapOptions::crawl_day.
std::optional<TrapRefusal> check_url(std::string_view url, const TrapOptions& options, std::int64_t crawl_day);

// The dates of a URL as the calendar rules read them (see above).
struct UrlDate {
  CivilDate date;  // a month: its first day
  bool month_only = false;
};
struct DatedUrl {
  std::vector<UrlDate> dates;  // path ones first; empty: no date
  std::string pattern;         // the URL with its dates replaced; empty when no date
  bool calendar_like = false;
};
DatedUrl read_url_dates(std::string_view url);

// The page row of a refused URL: state done, status 0, no attempt made,
// error_class "trap", error_message the refusal's message.
store::PageRecord trap_record(std::string_view url, int depth, const TrapRefusal& refusal, std::int64_t now_ms);

class TrapGuard {
 public:
  TrapGuard(const TrapOptions& options, std::int64_t crawl_day);

  // A URL the crawl knows without asking (see "Budgets" above).
  void count(std::string_view url);
  // A URL of the database at start (a resumed crawl). One that the rules
  // without counts refuse is an earlier run's trap row: it is remembered as
  // refused and fills its rule's row cap, but is not counted toward the
  // budgets, since it was not counted before the crawl stopped either; so a
  // resumed crawl admits and records what an uninterrupted one would. Any
  // other URL is count()ed.
  void count_known(std::string_view url);
  // A URL new to the crawl: nothing when it may join the frontier (it is
  // then counted), or why not.
  std::optional<TrapRefusal> check(std::string_view url);

  std::int64_t crawl_day() const { return crawl_day_; }

 private:
  // The host's count, and the date pattern's when the URL is calendar-like.
  void count(std::string_view host, const DatedUrl& dated);
  std::optional<TrapRefusal> check_budgets(std::string_view host, const DatedUrl& dated) const;

  TrapOptions options_;
  std::int64_t crawl_day_;
  std::unordered_map<std::string, std::int64_t> per_host_;
  std::unordered_map<std::uint64_t, std::int64_t> per_pattern_;  // hash of the pattern (it names its host)
  std::map<std::string, std::int64_t> rows_;                     // "host rule" -> rows marked
  SeenSet refused_;
};

}  // namespace preheat::crawl
