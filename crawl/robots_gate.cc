#include "crawl/robots_gate.h"

#include <algorithm>

namespace preheat::crawl {

std::string robots_site(std::string_view url) {
  const std::size_t authority = url.find("://");
  if (authority == std::string_view::npos) return std::string(url);
  const std::size_t end = url.find_first_of("/?", authority + 3);
  return std::string(url.substr(0, end));
}

std::string robots_path(std::string_view url) {
  const std::size_t site = robots_site(url).size();
  if (site >= url.size()) return "/";
  std::string path(url.substr(site));
  if (path.front() == '?') path.insert(0, "/");
  return path;
}

RobotsFetchOutcome robots_outcome(const fetch::FetchResult& result) {
  RobotsFetchOutcome o;
  o.status = result.response.status;
  o.redirects = static_cast<int>(result.response.redirects.size());
  if (o.status >= 200 && o.status < 300) o.body = result.response.body;
  if (result.error) {
    const fetch::FetchError& e = *result.error;
    o.error_class = std::string(fetch::to_string(e.kind));
    o.error = o.error_class + (e.message.empty() ? "" : ": " + e.message);
    o.retry_after = e.retry_after;
    o.redirect_failed =
        e.kind == fetch::FetchErrorKind::kTooManyRedirects || e.kind == fetch::FetchErrorKind::kRedirectLoop;
    // A body over the fetcher's limit still had an answer: read as a 2xx
    // without rules would be wrong, so it counts as no answer (disallow,
    // retry later), like any other transfer that did not complete.
    if (e.kind == fetch::FetchErrorKind::kHttp4xx || e.kind == fetch::FetchErrorKind::kHttp5xx) {
      o.error_class.clear();
    } else {
      o.status = 0;
    }
  }
  return o;
}

std::optional<store::PageRecord> robots_block(const FrontierItem& item, const RobotsEntry& entry,
                                              std::int64_t now_ms, Duration retry_in, int max_attempts) {
  const RobotsEntry::Verdict v = entry.check(robots_path(item.url));
  if (v.allowed) return std::nullopt;
  store::PageRecord rec;
  rec.url = item.url;
  rec.final_url = item.url;
  rec.depth = item.depth;
  rec.fetched_at_ms = now_ms;
  rec.attempts = item.attempts + 1;
  rec.error_class = std::string(kRobotsErrorClass);
  if (!v.retry_later) {
    rec.state = store::FrontierState::kDone;
    rec.error_message = "Disallow: " + v.rule->pattern.text() + " (robots.txt line " + std::to_string(v.rule->line) + ")";
    return rec;
  }
  // No answer at all (refused, dns, timeout): the site is down, and that is
  // the URL's error too; an answer (5xx, 429) is a robots matter.
  if (!entry.error_class.empty()) rec.error_class = entry.error_class;
  rec.error_message = "robots.txt " + entry.reason;
  if (rec.attempts < max_attempts) {
    rec.state = store::FrontierState::kQueued;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(retry_in).count();
    rec.next_due_ms = now_ms + std::max<std::int64_t>(1, ms);
  } else {
    rec.state = store::FrontierState::kFailed;
  }
  return rec;
}

}  // namespace preheat::crawl
