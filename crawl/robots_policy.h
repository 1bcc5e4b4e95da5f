// What a crawler does with the answer to "GET /robots.txt" (RFC 9309 2.3.1),
// and a per-host cache of those decisions.
//
// decide_robots(outcome, now, agent, options) is pure: it maps the fetch
// outcome to a RobotsEntry:
//  - 2xx: the body is parsed (crawl/robots_txt.h) and its rules for `agent`
//    apply (kRules); the entry expires after cache_ttl (24 h).
//  - more redirects than max_redirects (5), a redirect loop, a 3xx the
//    fetcher did not follow, or a 4xx other than 429: the file is
//    "unavailable" and everything is allowed (kAllowAll) for cache_ttl.
//  - 5xx, 429, or no HTTP answer at all (dns, refused, timeout, tls, a reset
//    connection): the file is "unreachable" and everything is disallowed for
//    now (kDisallowAll); the entry expires at the retry time: now +
//    unreachable_retry, or later when the server sent Retry-After (capped at
//    cache_ttl; default 1 s: the crawler's own backoff spaces the retries).
//    429 counts as unreachable, not as a 4xx: the server is
//    asking us to slow down, not saying there is no file (Google does the
//    same).
//
// RobotsCache keeps one entry per site (whatever key the caller uses: the
// crawler uses scheme + host + port, RFC 9309 2.3) and forgets it when it
// expires, so the caller fetches the file again. Thread safety: RobotsCache is
// not synchronised; one owner (the crawl loop) uses it. RobotsEntry is a value.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "crawl/robots_txt.h"

namespace preheat::crawl {

struct RobotsOptions {
  Duration cache_ttl = std::chrono::hours(24);
  // How long an unreachable robots.txt blocks its site at least before it is
  // asked again (the crawler's URLs back off further, see robots_gate.h).
  Duration unreachable_retry = std::chrono::seconds(1);
  // Crawl-delay values above this are reduced to it (a site asking for an
  // hour between requests would never be crawled).
  Duration max_crawl_delay = std::chrono::seconds(30);
  // Redirects followed for robots.txt; more means "unavailable" (RFC 9309 2.3.1.2).
  int max_redirects = 5;
};

// What fetching /robots.txt gave. Fill it from the fetcher's result.
struct RobotsFetchOutcome {
  int status = 0;            // the final HTTP status; 0 when there was no HTTP answer
  std::string body;          // the body of a 2xx
  int redirects = 0;         // redirects followed
  bool redirect_failed = false;  // the fetcher stopped on a redirect loop or its own limit
  std::string error;         // why there was no answer ("dns: ...", "timeout"), for the reason
  std::string error_class;   // the fetcher's name for it ("dns", "refused"), when there was no answer
  std::optional<Duration> retry_after;  // the server's Retry-After, if any
};

enum class RobotsAccess { kRules, kAllowAll, kDisallowAll };
const char* to_string(RobotsAccess access);

struct RobotsEntry {
  RobotsAccess access = RobotsAccess::kAllowAll;
  RobotsRules rules;                  // for kRules: the rules for the crawler's agent
  std::vector<std::string> sitemaps;  // Sitemap: lines of a 2xx file
  TimePoint expires{};                // refetch after this; for kDisallowAll the retry time
  std::string reason;                 // "http 503", "http 404", "dns: ...", "3 rules"
  std::string error_class;            // kDisallowAll without an HTTP answer: outcome.error_class

  struct Verdict {
    bool allowed = true;
    bool retry_later = false;           // disallowed only until `expires` (unreachable file)
    const RobotsRule* rule = nullptr;   // the deciding rule, for kRules
  };
  // path_and_query as sent ("/a?b"). The rule points into this entry.
  Verdict check(std::string_view path_and_query) const;
};

RobotsEntry decide_robots(const RobotsFetchOutcome& outcome, TimePoint now, std::string_view agent,
                          const RobotsOptions& options);

// The Crawl-delay of an entry, capped at options.max_crawl_delay; nullopt
// when the file sets none (or is not a kRules entry).
std::optional<Duration> effective_crawl_delay(const RobotsEntry& entry, const RobotsOptions& options);

class RobotsCache {
 public:
  // REQUIRES: clock outlives the cache.
  explicit RobotsCache(const Clock& clock) : clock_(clock) {}

  // The live entry for site, or null when there is none or it expired (an
  // expired entry is dropped). The pointer stays valid until the next call
  // to put() or find() for the same site.
  const RobotsEntry* find(std::string_view site);
  const RobotsEntry& put(std::string site, RobotsEntry entry);
  // The entry for site, expired or not (null when none): for the caller that
  // has just put it, whatever its retry time. Does not drop anything.
  const RobotsEntry* get(std::string_view site) const;
  std::size_t size() const { return entries_.size(); }

 private:
  const Clock& clock_;
  std::unordered_map<std::string, RobotsEntry> entries_;
};

}  // namespace preheat::crawl
