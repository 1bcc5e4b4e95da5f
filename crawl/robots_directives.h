// Page-level robots directives: what <meta name=robots>, <meta name=AGENT>
// and the X-Robots-Tag response header ask of a crawler. Pure functions.
//
// Sources (Google's documented syntax; there is no RFC):
//  - X-Robots-Tag: comma-separated directives, several headers allowed. A
//    directive may start with `agent:` (a product token such as
//    `googlebot: noindex`); from there on, up to the next `agent:` or the end
//    of that header, the directives apply to that agent only. Directives
//    without an agent apply to every crawler. A new header starts again with
//    every crawler. Directives whose name takes a value (`unavailable_after:
//    DATE`, `max-snippet: N`, `max-image-preview: X`, `max-video-preview: N`)
//    are recognised as directives, not as agents, and ignored: preheat makes
//    no snippets and does not expire pages (`unavailable_after` is ignored).
//  - <meta name=robots content=...>: every crawler; <meta name=preheat
//    content=...> (our product token, see robots_product_token): preheat only.
//    The extractor gives their lower-case tokens (crawl/extract).
// Every directive that applies is added up: the most restrictive wins, and
// `index`, `follow` and `all` never undo a restriction (Google's rule).
//
// Understood: noindex, nofollow, none (= noindex, nofollow), noarchive (and
// Bing's nocache, its synonym). Anything else is ignored. What preheat does
// with them is analyze_page's business (crawl/page_analysis.h).
//
// Thread safety: pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace preheat::crawl {

struct RobotsDirectives {
  bool noindex = false;
  bool nofollow = false;
  bool noarchive = false;

  bool any() const { return noindex || nofollow || noarchive; }
  // How it is stored (pages.robots): the set directives in this order,
  // comma-separated: "noindex,nofollow,noarchive"; "" when none.
  std::string to_string() const;
  friend bool operator==(const RobotsDirectives&, const RobotsDirectives&) = default;
};

// Parses a stored value (to_string's output; unknown names are ignored).
RobotsDirectives parse_stored_directives(std::string_view stored);

// Adds the directives of X-Robots-Tag headers that apply to `agent` (a
// lower-case product token). `headers`: each header's value, separated by
// '\n' (fetch::Response::x_robots_tag).
void add_header_directives(RobotsDirectives& d, std::string_view headers, std::string_view agent);

// Adds meta directive tokens (lower-case, as the extractor splits them).
void add_meta_directives(RobotsDirectives& d, const std::vector<std::string>& tokens);

// The directives of one response: the header's (for `agent`), plus the
// meta tokens of <meta name=robots> and <meta name=AGENT>.
RobotsDirectives robots_directives(std::string_view x_robots_tag, const std::vector<std::string>& meta_robots,
                                   const std::vector<std::string>& meta_agent, std::string_view agent);

}  // namespace preheat::crawl
