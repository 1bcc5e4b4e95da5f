// The FTS5 MATCH expression for a SearchQuery (store/search_query.h). Every
// term becomes a quoted FTS5 string ("..." with '"' doubled), so nothing a
// person typed is ever FTS5 syntax: AND, NEAR, '-', ':', '*', '(', '^' are
// just characters that the tokenizer treats as text or separators.
//
// Rendering: clauses joined by AND, a clause's terms by OR, excluded terms
// after NOT. A prefix term "w" becomes ("w" OR "w" *): both phrases count in
// bm25, so a page with the word itself ranks above one with only a longer
// word starting with it.
//
// A term without any token (only punctuation or symbols: "***", "«»", an
// emoji) would be an empty phrase, which FTS5 matches with no row at all; it
// is dropped instead (`has_tokens` says which: the engine's own tokenizer).
//
// Thread safety: pure functions.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "store/search_query.h"

namespace preheat::store::sqlite {

// The expression, or "" when no clause keeps a term with tokens.
std::string fts5_match_expression(const SearchQuery& query,
                                  const std::function<bool(std::string_view term)>& has_tokens);

}  // namespace preheat::store::sqlite
