// Full-text search on PostgreSQL as SQL text and parameters, and its result
// rows decoded: the one definition of the search statement, for any driver
// (the blocking PgConnection of PostgresCrawlStore::search, and serve's
// async driver, store/postgres/pg_async_connection.h: bind the params as
// text, read the result as text). docs/schema.md,
// "PostgreSQL: full-text search".
//
// The index (table page_search, the search migration in
// postgres_migrations.cc) holds one tsvector per page:
// the title with weight A, the text with weight B, made by pg_search_document()
// through the text search configuration `preheat_search` (pg_catalog.simple:
// no stemming, no stop words; with the unaccent dictionary when the server
// has it). ASCII punctuation is turned into spaces before PostgreSQL's parser
// sees the text (pg_search_words()), so it splits words the way SQLite's
// unicode61 tokenizer does: no e-mail, URL, host, file, version or HTML tag
// tokens, "3.14" is two words.
//
// The query: what a person typed (store/search_query.h) becomes three
// to_tsquery() inputs (bound parameters, never SQL text): the clauses, the
// excluded terms, and the typed words alone (a rank bonus for the exact
// words). They are built from words that hold no ASCII punctuation at
// all, each quoted ('word'), so no character typed is tsquery syntax (quotes,
// backslashes, ':*', '&|!()<->'). A word without any lexeme (an emoji) is
// dropped by to_tsquery itself; a query left with no positive term decodes
// as invalid_argument, as on SQLite.
//
// Thread safety: pure functions and constants.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/crawl_store.h"
#include "store/search_query.h"

namespace preheat::store::postgres {

// Raise when pg_search_document() or pg_search_words() change: the next
// refresh_search_index() rebuilds the index (page_search_state.format).
inline constexpr std::int64_t kPgSearchIndexFormat = 1;

// SQL: `expr` (a text) with ASCII punctuation (and U+FDD0, U+FDD1) as
// spaces, character for character.
std::string pg_search_words(std::string_view expr);

// SQL: the tsvector of the pages row aliased `p` (title 'A', text 'B').
// With `prefix_param` (e.g. "$2"), only that many first characters of the
// title and of the text: a page whose words would not fit in a tsvector
// (PostgreSQL's limit: 1 MB of lexemes and positions) is indexed by a prefix.
std::string pg_search_document(std::string_view prefix_param = {});

// The to_tsquery() input for `terms` joined by `op` ("&" or "|"): a word is
// 'w', a phrase ('a' <-> 'b'), a prefix term ('w':*) unless `prefixes` is
// false (then the word itself). "" when no term has a word.
std::string pg_tsquery_input(const std::vector<SearchTerm>& terms, std::string_view op, bool prefixes);

// One statement and its parameters (all text: any driver can bind them).
struct PgSearchStatement {
  std::string sql;
  std::vector<std::string> params;
};

// The search statement for the slice [offset, offset + limit) of `query`'s
// matches, best first (ts_rank, ties by url_id), with the total in the same
// snapshot. Errors: invalid_argument when the query has no clause (nothing
// to look for, or excluded terms alone).
Result<PgSearchStatement> pg_search_statement(const SearchQuery& query, std::size_t offset, std::size_t limit);

// A cell of the statement's result: nullopt for SQL NULL.
using PgSearchCell = std::function<std::optional<std::string_view>(int row, int column)>;

// The statement's `rows` decoded. Errors: invalid_argument when no clause
// kept a term with a lexeme (e.g. only emoji); not_found when the index was
// never built (no page_search_state row: refresh_search_index never ran).
Result<SearchResults> pg_search_results(int rows, const PgSearchCell& cell);

// `marked` (ts_headline's output over pg_search_words(original), with the
// PostgreSQL markers) turned into `original` with kMatchBegin/kMatchEnd:
// the punctuation the words had lost comes back. When the two do not line
// up (never expected), `marked` with its markers converted.
std::string pg_restore_marked(std::string_view marked, std::string_view original);

}  // namespace preheat::store::postgres
