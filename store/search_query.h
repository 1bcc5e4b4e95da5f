// SearchQuery: what a person typed into a search box, parsed into terms that
// any engine can translate (SQLite FTS5 today: store/sqlite/fts5_query.h).
// People type words, not a query language; every input parses (empty,
// punctuation, unbalanced quotes, invalid UTF-8, NUL bytes), nothing in it
// is ever syntax for the engine.
//
// The language (docs/schema.md, "Serving: full-text search"):
//   cafe au lait      every word must appear, in any order, any case, with or
//                     without diacritics ("cafe" finds "Café")
//   "au lait"         the words must appear together, in this order
//   optim*            words starting with "optim"
//   -draft  -"old x"  pages containing it are left out
//   tea OR coffee     either one (OR in capitals, between two terms)
// The last word is also matched as a prefix ("serv" finds "server") when it
// has at least kMinImplicitPrefix characters, is not quoted and the input
// does not end with a space: search as you type.
//
// Thread safety: values and a pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace preheat::store {

struct SearchTerm {
  std::string text;     // valid UTF-8, no '"', no control characters; may hold several words (a phrase)
  bool prefix = false;  // its last word matches words that start with it
  friend bool operator==(const SearchTerm&, const SearchTerm&) = default;
};

// Every clause must match; a clause matches when one of its terms does.
// Pages matching any excluded term are left out.
struct SearchQuery {
  std::string text;  // the input, cleaned (see parse_search_query)
  std::vector<std::vector<SearchTerm>> clauses;
  std::vector<SearchTerm> excluded;
  bool truncated = false;  // terms past kMaxSearchTerms were ignored

  // True when there is nothing to look for (no clause; excluded terms alone
  // select nothing).
  bool empty() const { return clauses.empty(); }
};

inline constexpr std::size_t kMaxSearchTerms = 32;       // clauses' terms + excluded terms
inline constexpr std::size_t kMaxSearchTermBytes = 256;  // longer terms are cut (at a character boundary)
inline constexpr std::size_t kMinImplicitPrefix = 3;     // characters

// Parses `input`. The input is first cleaned: bytes that are not well-formed
// UTF-8, NUL and other control characters become spaces; SearchQuery::text
// is that cleaned input, trimmed.
SearchQuery parse_search_query(std::string_view input);

}  // namespace preheat::store
