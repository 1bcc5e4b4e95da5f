// Revisits (`preheat crawl --recrawl`): the conditional request for a URL the
// store already holds a page for, and what the answer means. Pure.
//
//  - The request carries If-None-Match (the stored ETag) and
//    If-Modified-Since (the stored Last-Modified), each when stored. A URL
//    whose stored fetch was redirected gets neither: its stored validators
//    are its final URL's (the fetcher does not send them to redirect targets
//    either: fetch/redirect_follower.h).
//  - A 304 to such a request, without a redirect, means "unchanged":
//    analyze_page writes a not_modified record (store/crawl_store.h: the
//    stored content, links and body stay; checked_at_ms moves).
//  - Every other answer is a fetch like any other; classify_revisit says
//    how it compares with what was stored, for the crawl's counters.
//
// Thread safety: pure.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "store/crawl_store.h"

namespace preheat::crawl {

struct PageAnalysis;
struct FrontierItem;

// The validators to send for `previous` (none when it has none).
std::vector<std::pair<std::string, std::string>> conditional_headers(const store::PreviousFetch& previous);

// True when a request for `item` is conditional (it has validators to send).
bool sends_validators(const FrontierItem& item);

enum class Revisit {
  kNone,         // not a revisit (a new URL), or a retry still to come
  kNotModified,  // 304 to a conditional request
  kSame,         // answered again with the same status and content (text hash; bytes when not parsed)
  kChanged,      // another status or content
  kGone,         // 404 or 410
  kFailed,       // no answer, a 5xx, or another fetch error
};
const char* to_string(Revisit r);

Revisit classify_revisit(const FrontierItem& item, const PageAnalysis& analysis);

}  // namespace preheat::crawl
