// The crawler's side of robots.txt: plain functions between the fetcher, the
// robots policy (crawl/robots_policy.h) and the store, so that the crawl
// loop's coroutines only move data between them.
//
// - robots_site(url): the key robots.txt applies to (RFC 9309 2.3: scheme,
//   host and port): "http://h:8080/a?b" -> "http://h:8080".
// - robots_outcome(result): a fetch of /robots.txt as the policy sees it.
// - robots_block(...): the page record for a frontier URL robots.txt keeps
//   the crawler from fetching, or nothing when it may be fetched:
//     * disallowed by a rule: state done, status 0, error_class "robots",
//       error_message naming the rule ("Disallow: /private/ (robots.txt line
//       3)"); the URL is not fetched, its row says why;
//     * robots.txt unreachable (5xx, 429, no answer): a retry after
//       `retry_in` (the caller's backoff, at least until the entry's retry
//       time, so the retry asks for robots.txt again), counted as an attempt
//       like any retryable error; after max_attempts the URL is failed (so a
//       crawl of a site whose robots.txt stays down ends, with the reason
//       recorded). error_class "robots" after a 5xx or 429; the fetch error
//       ("refused", "dns", "timeout") when there was no answer at all: the
//       site is down, the URL could not have been fetched either.
//
// Pure, thread safe (no shared state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crawl/page_analysis.h"
#include "crawl/robots_policy.h"
#include "fetch/response.h"
#include "store/crawl_store.h"

namespace preheat::crawl {

inline constexpr std::string_view kRobotsErrorClass = "robots";

// REQUIRES: url is normalised and fetchable (http/https with a host).
std::string robots_site(std::string_view url);
// The path and query of a normalised URL ("/" when it has none).
std::string robots_path(std::string_view url);

RobotsFetchOutcome robots_outcome(const fetch::FetchResult& result);

// `retry_in`: when to try again, for an unreachable file.
std::optional<store::PageRecord> robots_block(const FrontierItem& item, const RobotsEntry& entry,
                                              std::int64_t now_ms, Duration retry_in, int max_attempts);

}  // namespace preheat::crawl
