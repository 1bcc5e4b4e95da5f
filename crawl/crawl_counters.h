// The running figures of a crawl, updated on the event loop after each page.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace preheat::crawl {

struct CrawlCounters {
  std::int64_t pages = 0;           // fetches finished this run (page rows written)
  std::int64_t pages_before = 0;    // page rows already in the database at the start
  std::int64_t ok = 0;              // 2xx and 3xx-free final answers
  std::int64_t retries = 0;         // failures that will be tried again
  std::int64_t queued = 0;          // frontier URLs in memory, not yet started
  std::int64_t in_flight = 0;       // being fetched or processed
  std::int64_t known = 0;           // URLs in the seen-set (in scope, ever queued)
  std::int64_t bytes = 0;           // decoded body bytes
  std::int64_t wire_bytes = 0;
  std::int64_t links = 0;           // links recorded
  std::map<std::string, std::int64_t> errors;  // error class -> pages (final failures)
  // Trap rule (crawl/trap_guard.h) -> distinct URLs refused this run; the
  // first ones per host and rule also have a page row (errors["trap"]).
  std::map<std::string, std::int64_t> traps;
  std::int64_t parked = 0;          // URLs waiting for their host (politeness)
  std::int64_t hosts_paused = 0;    // hosts paused now (429/503 Retry-After, error budget)
  std::int64_t hosts_given_up = 0;  // hosts given up (error budget spent)
  std::int64_t sitemaps = 0;         // sitemap files read (page rows written for them)
  std::int64_t sitemap_urls = 0;     // URLs they listed (on their site, deduplicated per file)
  std::int64_t sitemap_added = 0;    // of those, new to the crawl and in scope: added to the frontier
  bool db_has_more = false;         // more queued URLs wait in the database
  // Revisits: fetches of URLs that already had a page row (a recrawl; see
  // crawl/revisit.h), by outcome. revisited is their sum.
  std::int64_t revisited = 0;
  std::int64_t not_modified = 0;    // 304 to a conditional request: unchanged
  std::int64_t same = 0;            // answered again, same status and content
  std::int64_t changed = 0;         // another status or content: replaced
  std::int64_t gone = 0;            // 404 or 410
  std::int64_t revisit_failed = 0;  // no answer, a 5xx, another error
  std::int64_t requeued = 0;        // rows a recrawl pass turned back into queued (when it began)
  bool recrawl_resumed = false;     // this run continued an open recrawl pass
};

}  // namespace preheat::crawl
