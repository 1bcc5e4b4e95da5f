// robots.txt path patterns (RFC 9309 sections 2.2.2 and 2.2.3): how a rule's
// value and a URL's path are brought to one form, and how a pattern matches.
//
// Pure functions, no I/O, thread safe (no shared state).
//
// Percent-encoding equivalence (RFC 9309 2.2.2). Both the pattern and the
// URL's path+query go through the same normalisation, octet by octet:
//  - "%xx" with two hex digits: hex upper-cased; decoded when the octet is an
//    unreserved character (ALPHA DIGIT - . _ ~), so "/%62az" = "/baz";
//    every other escape stays encoded ("%2F" is not '/');
//  - octets RFC 3986 does not allow in a path or query (controls, space,
//    `"<>[\]^`{|}`, non-ASCII / UTF-8 bytes, a '%' not followed by two hex
//    digits) are percent-encoded with upper-case hex, so "/ツ" =
//    "/%E3%83%84";
//  - '*' and '$' (RFC 9309 2.2.3): in a URL they are literal characters and
//    become "%2A" and "%24", which is how a pattern names them literally.
//    In a pattern '*' is the wildcard and a '$' at the very end anchors the
//    end of the path; a '$' anywhere else is literal ("%24").
//
// Matching. A pattern is anchored at the start of the path; '*' matches any
// run of octets (also none); without a final '$' the pattern only needs to
// match a prefix. The matcher splits the pattern at '*' into literal pieces,
// finds each piece leftmost in order with Knuth-Morris-Pratt (leftmost is
// always right for '*'-only globs) and, with a final '$', puts the last piece
// at the very end. Its work is O(pattern + path) whatever the pattern: a
// hostile "/*a*a*a*...$" cannot make it backtrack. The number of steps is
// counted (MatchStats) so tests can assert that bound by construction.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace preheat::crawl {

// The normalised form of a URL's path+query ("/a/b?c=d"), ready to match.
std::string normalize_robots_path(std::string_view path_and_query);

// A compiled pattern: the normalised value of an Allow/Disallow line.
class RobotsPattern {
 public:
  explicit RobotsPattern(std::string_view raw_value);

  // The normalised pattern text ('*' wildcards, a final '$' when anchored).
  const std::string& text() const { return text_; }
  // Its specificity (RFC 9309 2.2.2: "the match that has the most octets"):
  // the length of the normalised pattern, wildcards and '$' included.
  std::size_t length() const { return text_.size(); }

  struct Stats {
    std::size_t steps = 0;  // comparisons made; at most 3 * (pattern + path) + 2
  };
  // REQUIRES: path is normalised (normalize_robots_path).
  bool matches(std::string_view normalized_path, Stats* stats = nullptr) const;

 private:
  std::string text_;
};

}  // namespace preheat::crawl
