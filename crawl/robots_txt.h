// robots.txt (RFC 9309): parse a file once, then ask which paths a crawler
// may fetch.
//
// RobotsTxt::parse(body) never fails: lines it does not understand are
// ignored, as the RFC asks. RobotsTxt::rules_for(agent) selects the rules for
// one crawler; RobotsRules::check(path) is the verdict. Pure logic, no I/O.
// Thread safety: both classes are immutable values after construction; any
// number of threads may read one at once.
//
// Parsing (RFC 9309 2.2, 2.4, 2.5):
//  - Only the first 500 KiB (kMaxBytes) are parsed; a line cut by that limit
//    is dropped whole (truncated() says so). A UTF-8 byte-order mark at the
//    start is skipped. Lines end at CR, LF or CRLF; '#' starts a comment.
//  - A line is "key: value" (key case-insensitive, both trimmed of spaces and
//    tabs); a line without ':' or with an unknown key is ignored. Keys:
//    user-agent, allow, disallow, crawl-delay, sitemap.
//  - A group is one or more user-agent lines and the rules after them. A
//    user-agent line right after a rule (allow, disallow, crawl-delay) starts
//    a new group; sitemap and unknown lines do not end the list of agents.
//    Rules before the first user-agent line belong to no group (ignored).
//  - A user-agent value is reduced to its product token (RFC 9309 2.2.1:
//    letters, '-' and '_'), lower-cased: "Googlebot/2.1" -> "googlebot",
//    "Foo Bot" -> "foo". A value starting with '*' is the fallback "*". A
//    value with no token ("/bin", "") names no crawler.
//  - An empty allow/disallow value is no rule (so "Disallow:" allows all).
//  - Crawl-delay: a non-negative decimal number of seconds ("10", "0.5");
//    anything else ("-1", "1e3", "0x10", "10s") is ignored. Several in the
//    groups chosen for an agent: the largest (the most polite) counts.
//  - Sitemap: lines are global, in any position, kept in file order.
//
// Matching (RFC 9309 2.2.1, 2.2.2; patterns: crawl/robots_pattern.h):
//  - The groups whose agents include the crawler's product token (compared
//    case-insensitively) are merged; when none does, the "*" groups are
//    merged; when there is none either, everything is allowed.
//  - Among the rules that match the path, the longest pattern wins; Allow
//    wins a tie; no match means allowed. "/robots.txt" is always allowed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crawl/robots_pattern.h"

namespace preheat::crawl {

struct RobotsRule {
  RobotsPattern pattern;
  bool allow = false;
  int line = 0;  // 1-based line number in the file, for messages
};

struct RobotsGroup {
  std::vector<std::string> agents;  // lower-cased product tokens, "*" for the fallback
  std::vector<RobotsRule> rules;    // in file order
  std::optional<double> crawl_delay;  // seconds
};

// The product token of a user-agent string: its leading letters, '-' and
// '_', lower-cased ("preheat/0.1 (+https://x)" -> "preheat"); "*" when it
// starts with '*'; "" when it has none. Leading spaces are skipped.
std::string robots_product_token(std::string_view user_agent);

// The rules one crawler obeys.
class RobotsRules {
 public:
  struct Verdict {
    bool allowed = true;
    const RobotsRule* rule = nullptr;  // the deciding rule; null when none matched
  };

  RobotsRules() = default;  // allows everything
  RobotsRules(std::vector<RobotsRule> rules, std::optional<double> crawl_delay)
      : rules_(std::move(rules)), crawl_delay_(crawl_delay) {}

  // path_and_query: the URL's path and query as sent ("/a/b?c=d"); it is
  // normalised here. The returned rule points into this object.
  Verdict check(std::string_view path_and_query) const;
  bool allowed(std::string_view path_and_query) const { return check(path_and_query).allowed; }

  // Seconds between requests the site asks for, if it asks.
  std::optional<double> crawl_delay() const { return crawl_delay_; }
  const std::vector<RobotsRule>& rules() const { return rules_; }

 private:
  std::vector<RobotsRule> rules_;
  std::optional<double> crawl_delay_;
};

class RobotsTxt {
 public:
  static constexpr std::size_t kMaxBytes = 500 * 1024;

  RobotsTxt() = default;  // an empty file: allows everything
  static RobotsTxt parse(std::string_view body);

  // agent: the crawler's product token or full User-Agent string.
  RobotsRules rules_for(std::string_view agent) const;

  const std::vector<RobotsGroup>& groups() const { return groups_; }
  const std::vector<std::string>& sitemaps() const { return sitemaps_; }
  // True when the file was longer than kMaxBytes and its tail was ignored.
  bool truncated() const { return truncated_; }

 private:
  std::vector<RobotsGroup> groups_;
  std::vector<std::string> sitemaps_;
  bool truncated_ = false;
};

}  // namespace preheat::crawl
