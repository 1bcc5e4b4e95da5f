// analyze_page: what one fetch means for the crawl. Pure (no I/O, no shared
// state): a FetchResult in, the records to store and the in-scope URLs it
// found out. The crawler runs it as CPU work (on a worker thread in parallel
// mode) and then decides, on the event loop, which candidates are new.
//
// Rules (docs/architecture.md, "Crawl"):
//  - Content belongs to the final URL. A fetch of A that was redirected to B
//    gives a record for A (status, final URL, the redirect chain, no content)
//    and, when B is fetchable and in scope, `content` for B (status, content,
//    links) that the crawler keeps only if B is not known yet; when B is out
//    of scope, or not fetchable, A's record is all there is.
//  - Except for a seed (depth 0): a seed that redirects to another site
//    (http://example.com/ -> https://www.example.com/) brings that site into
//    the scope, as a user who typed the seed expects. Its content and links
//    are taken with the scope of `scope_seeds` plus B, and `seed_redirect`
//    tells the crawler to widen its scope the same way.
//  - Links are extracted only from successful (2xx) HTML answers: an error
//    page's links are not the site's (wget does the same).
//  - HTML is text/html or application/xhtml+xml, or no Content-Type at all
//    with a body that starts (after whitespace) with '<'.
//  - Links resolve against <base href> (itself resolved against the final
//    URL) or the final URL; every link is recorded (LinkRecord), in scope or
//    not; a link that does not resolve keeps its raw href. Candidates are the
//    fetchable, in-scope links (depth + 1), once each, in document order.
//    rel=nofollow links are followed by default (wget and most site crawlers
//    do; the rel is recorded); with options.follow_rel_nofollow = false
//    (`--skip-rel-nofollow`) they are recorded but are not candidates.
//  - Page-level robots directives (crawl/robots_directives.h: X-Robots-Tag
//    for our agent, <meta name=robots>, <meta name=AGENT>) are stored on the
//    record that owns the content (PageRecord::robots) and, unless
//    options.robots_meta is false (`--ignore-robots-meta`, `--no-robots`),
//    obeyed: nofollow: every link is recorded, none is a candidate;
//    noindex: the text is not stored (title, description, content hash and
//    links are; the store keeps the page out of search); noarchive: the
//    response (body) is not kept.
//  - A 304 to a conditional request (item.previous, crawl/revisit.h) without
//    a redirect is a not_modified record: the stored content stays.
//  - With options.keep_bodies, the final response (request and response
//    header blocks, decoded body; moved, never copied) goes with the record
//    that owns the content: `content` when set, else `record`. Kept for
//    every HTTP answer (errors 4xx/5xx included), not for a retry, nor for a
//    transfer that failed mid-way (its body is cut).
//  - A retryable error with attempts left becomes a retry (state queued,
//    next due after the backoff); other errors are final: state failed when
//    no HTTP answer came (or a retryable one ran out of attempts), done when
//    the server answered (a 404 is a fact about the site, not a failure of
//    the crawler).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crawl/crawl_options.h"
#include "crawl/scope.h"
#include "fetch/response.h"
#include "store/crawl_store.h"

namespace preheat::crawl {

// A URL taken from the frontier to fetch.
struct FrontierItem {
  std::string url;
  int depth = 0;
  int attempts = 0;  // attempts made before this one
  // The URL's stored page (a recrawl): its validators are sent (crawl/revisit.h).
  std::optional<store::PreviousFetch> previous;
  // Handed out from the host's parked queue (crawl/frontier.h): it was
  // waiting longest, so it goes back to the front if it must wait again.
  bool parked = false;
};

struct Candidate {
  std::string url;
  int depth = 0;
};

struct PageAnalysis {
  store::PageRecord record;                  // for the requested URL
  std::optional<store::PageRecord> content;  // for the final URL after redirects
  std::vector<Candidate> candidates;         // from `content` when set, else from `record`
  bool retry = false;
  bool html = false;
  // Set when a seed redirected out of the scope: the final URL whose site
  // joins the scope (see above).
  std::optional<std::string> seed_redirect;
};

// `now_ms`: Unix time in ms (fetched_at, next due). `jitter` in [0, 1) spreads
// retries of many URLs over time (0 in tests).
// `scope` was made from `scope_seeds` and options.scope.
PageAnalysis analyze_page(fetch::FetchResult result, const FrontierItem& item, const Scope& scope,
                          const std::vector<std::string>& scope_seeds, const CrawlOptions& options,
                          std::int64_t now_ms, double jitter);

bool is_html(std::string_view content_type, std::string_view body);

// The delay before the next attempt when `attempts_made` (>= 1) were made:
// retry_base doubled per attempt, up to +50% by jitter, the server's
// Retry-After when longer, at most max_retry_delay.
Duration retry_delay(const CrawlOptions& o, int attempts_made, const std::optional<Duration>& retry_after,
                     double jitter);

// Moves the kept response (see keep_bodies above) from one record to the
// other: the crawler drops a redirect's `content` when its final URL is
// already known, and the response then stays with the requested URL's row.
void hand_over_body(store::PageRecord& from, store::PageRecord& to);

}  // namespace preheat::crawl
