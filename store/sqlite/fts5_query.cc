#include "store/sqlite/fts5_query.h"

#include <vector>

namespace preheat::store::sqlite {
namespace {

void append_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_term(std::string& out, const SearchTerm& term, bool boost_exact) {
  if (!term.prefix) {
    append_string(out, term.text);
    return;
  }
  if (boost_exact) {
    out += '(';
    append_string(out, term.text);
    out += " OR ";
  }
  append_string(out, term.text);
  out += " *";
  if (boost_exact) out += ')';
}

// "a", or (a OR b OR ...) for several terms; "" when none has tokens.
std::string any_of(const std::vector<SearchTerm>& terms, bool boost_exact,
                   const std::function<bool(std::string_view)>& has_tokens) {
  std::vector<const SearchTerm*> kept;
  for (const SearchTerm& t : terms) {
    if (has_tokens(t.text)) kept.push_back(&t);
  }
  std::string out;
  if (kept.size() > 1) out += '(';
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out += " OR ";
    append_term(out, *kept[i], boost_exact);
  }
  if (kept.size() > 1) out += ')';
  return out;
}

}  // namespace

std::string fts5_match_expression(const SearchQuery& query,
                                  const std::function<bool(std::string_view term)>& has_tokens) {
  std::string out;
  for (const std::vector<SearchTerm>& clause : query.clauses) {
    const std::string any = any_of(clause, true, has_tokens);
    if (any.empty()) continue;
    if (!out.empty()) out += " AND ";
    out += any;
  }
  if (out.empty()) return out;
  const std::string excluded = any_of(query.excluded, false, has_tokens);
  if (!excluded.empty()) out = "(" + out + ") NOT " + excluded;
  return out;
}

}  // namespace preheat::store::sqlite
