#include "store/postgres/pg_search_sql.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "base/utf8.h"

namespace preheat::store::postgres {
namespace {

// ts_headline's markers: two Unicode noncharacters (valid UTF-8, so they can
// cross a TEXT value, unlike kMatchBegin/kMatchEnd). A page's own U+FDD0 or
// U+FDD1 is a space before ts_headline (pg_search_words), so a marker in its
// output is always ours; decoding puts the page's own character back.
constexpr std::string_view kPgBegin = "\xEF\xB7\x90";  // U+FDD0
constexpr std::string_view kPgEnd = "\xEF\xB7\x91";    // U+FDD1

// The 32 printable ASCII characters that are neither letters nor digits,
// and our markers, as one bracket expression (an E'' literal): each one
// becomes a space. regexp_replace, not translate(): translate() compares
// every character with every one of its list (18 s for 41 MB of text here),
// the regular expression 0.6 s.
constexpr std::string_view kWordsPattern = "E'[!-/:-@[-`{-~\\uFDD0\\uFDD1]'";

constexpr std::string_view kConfig = "'preheat_search'";
// 32 words around the best match (one fragment: ts_headline centres it), as
// SQLite's snippet() gives 32 tokens; a short text is shown whole. A title
// is marked everywhere.
constexpr std::string_view kTitleOptions = "E'HighlightAll=true, StartSel=\\uFDD0, StopSel=\\uFDD1'";
constexpr std::string_view kSnippetOptions =
    "E'MaxWords=32, MinWords=16, ShortWord=0, MaxFragments=1, StartSel=\\uFDD0, StopSel=\\uFDD1'";
// ts_rank's weights {D, C, B, A}: a title (A) hit weighs ten text (B) hits,
// as bm25(page_search, 10.0, 1.0) on SQLite. Normalisation 1: divided by
// 1 + log(the document's length), so a long page does not win by length.
// Plus the rank of the words themselves (qq.exact, prefixes as whole words):
// "serv" finds "server" and "servers", the page with "serv" itself first, as
// SQLite's ("w" OR "w" *). ts_rank cannot see it in the query alone: it
// merges 'w' and 'w':* into one item.
constexpr std::string_view kRank =
    "ts_rank('{0.1, 0.2, 0.1, 1.0}', s.doc, qq.query, 1) + CASE WHEN qq.has_exact "
    "THEN ts_rank('{0.1, 0.2, 0.1, 1.0}', s.doc, qq.exact, 1) ELSE 0 END";

bool is_ascii_word_byte(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b >= 0x80 || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
}

// The term's words: the runs of letters, digits and non-ASCII bytes. They
// hold no quote, backslash or operator, so 'word' is a literal lexeme.
std::vector<std::string_view> words_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_ascii_word_byte(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && is_ascii_word_byte(text[i])) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

// 'a' <-> 'b' <-> 'c' (':*' on the last one for a prefix).
std::string phrase(const std::vector<std::string_view>& words, bool prefix) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += " <-> ";
    out += '\'';
    out += words[i];
    out += '\'';
  }
  if (prefix) out += ":*";
  return out;
}

std::string tsquery_term(const SearchTerm& term, bool prefixes) {
  const std::vector<std::string_view> words = words_of(term.text);
  if (words.empty()) return "";
  const bool prefix = prefixes && term.prefix;
  return words.size() > 1 || prefix ? "(" + phrase(words, prefix) + ")" : phrase(words, false);
}

std::string clauses_input(const SearchQuery& query) {
  std::string out;
  for (const std::vector<SearchTerm>& clause : query.clauses) {
    const std::string any = pg_tsquery_input(clause, "|", true);
    if (any.empty()) continue;
    if (!out.empty()) out += " & ";
    out += "(" + any + ")";
  }
  return out;
}

// Every word of the clauses as typed, prefixes as whole words: the exact
// words' bonus in the rank.
std::string exact_input(const SearchQuery& query) {
  std::vector<SearchTerm> all;
  for (const std::vector<SearchTerm>& clause : query.clauses) all.insert(all.end(), clause.begin(), clause.end());
  return pg_tsquery_input(all, "|", false);
}

std::string sql_limit(std::size_t n) {
  return std::to_string(std::min<std::size_t>(n, std::size_t{1} << 62));
}

std::string build_statement_sql() {
  const std::string cfg(kConfig);
  std::string sql;
  sql += "WITH q AS (SELECT to_tsquery(" + cfg + ", $1) AS pos, to_tsquery(" + cfg + ", $2) AS neg, to_tsquery(" +
         cfg + ", $5) AS exact), ";
  sql += "qq AS (SELECT numnode(pos) AS terms, CASE WHEN numnode(neg) = 0 THEN pos ELSE pos && !! neg END AS query, "
         "exact, numnode(exact) > 0 AS has_exact, EXISTS (SELECT 1 FROM page_search_state) AS built FROM q), ";
  sql += "m AS MATERIALIZED (SELECT s.url_id, " + std::string(kRank) +
         " AS rank FROM page_search s, qq WHERE qq.terms > 0 AND s.doc @@ qq.query), ";
  sql += "slice AS (SELECT url_id, rank FROM m ORDER BY rank DESC, url_id LIMIT $3 OFFSET $4), ";
  // MATERIALIZED: computed once per row shown; inlined, ts_headline and
  // the punctuation pass would run again for every reference below.
  sql += "shown AS MATERIALIZED (SELECT sl.url_id, sl.rank, u.url, p.title, p.text, p.status, p.error_class, p.content_type, "
         "p.bytes, ts_headline(" + cfg + ", " + pg_search_words("p.title") + ", qq.query, " +
         std::string(kTitleOptions) + ") AS title_hl, w.words, ts_headline(" + cfg + ", w.words, qq.query, " +
         std::string(kSnippetOptions) + ") AS snippet_hl FROM slice sl JOIN pages p ON p.url_id = sl.url_id "
         "JOIN urls u ON u.id = p.url_id CROSS JOIN qq CROSS JOIN LATERAL (SELECT " +
         pg_search_words("p.text") + " AS words) w), ";
  sql += "cut AS (SELECT shown.*, strpos(shown.words, x.plain) AS at, length(x.plain) AS len FROM shown "
         "CROSS JOIN LATERAL (SELECT replace(replace(shown.snippet_hl, E'\\uFDD0', ''), E'\\uFDD1', '') AS plain) x) ";
  sql += "SELECT qq.terms, (SELECT count(*) FROM m), c.url, c.title, c.title_hl, c.snippet_hl, "
         "CASE WHEN c.at > 0 THEN substr(c.text, c.at, c.len) END, "
         "CASE WHEN c.at > 0 AND left(c.words, c.at - 1) !~ '[[:alnum:]]' THEN left(c.text, c.at - 1) END, "
         "CASE WHEN c.at > 0 AND substr(c.words, c.at + c.len) !~ '[[:alnum:]]' THEN substr(c.text, c.at + c.len) END, "
         "c.status, c.error_class, c.content_type, c.bytes, qq.built "
         "FROM qq LEFT JOIN cut c ON true ORDER BY c.rank DESC, c.url_id";
  return sql;
}

std::int64_t to_int64(std::optional<std::string_view> v) {
  if (!v) return 0;
  std::int64_t n = 0;
  bool negative = false;
  for (const char c : *v) {
    if (c == '-') negative = true;
    if (c >= '0' && c <= '9') n = n * 10 + (c - '0');
  }
  return negative ? -n : n;
}

std::string to_string(std::optional<std::string_view> v) {
  return v ? std::string(*v) : std::string();
}

// When one of our markers starts at `i`: appends its kMatchBegin/kMatchEnd
// to `out`, steps `i` past it and says so.
bool take_marker(std::string_view marked, std::size_t& i, std::string& out) {
  for (const auto& [ours, theirs] : {std::pair{kPgBegin, kMatchBegin}, std::pair{kPgEnd, kMatchEnd}}) {
    if (marked.substr(i, ours.size()) == ours) {
      out += theirs;
      i += ours.size();
      return true;
    }
  }
  return false;
}

// `marked` with our markers as kMatchBegin/kMatchEnd, nothing else changed.
std::string convert_markers(std::string_view marked) {
  std::string out;
  out.reserve(marked.size());
  for (std::size_t i = 0; i < marked.size();) {
    if (!take_marker(marked, i, out)) out += marked[i++];
  }
  return out;
}

}  // namespace

std::string pg_search_words(std::string_view expr) {
  return "regexp_replace(" + std::string(expr) + ", " + std::string(kWordsPattern) + ", ' ', 'g')";
}

std::string pg_search_document(std::string_view prefix_param) {
  const std::string cfg(kConfig);
  const auto column = [&](std::string_view name) {
    if (prefix_param.empty()) return std::string(name);
    return "left(" + std::string(name) + ", " + std::string(prefix_param) + ")";
  };
  // The lexeme '-' (no query can hold it: query words have no ASCII
  // punctuation) between the two: a phrase never spans the title's end and
  // the text's start, as FTS5 phrases stay within a column.
  return "setweight(to_tsvector(" + cfg + ", " + pg_search_words(column("p.title")) + "), 'A') || '-:1'::tsvector || "
         "setweight(to_tsvector(" + cfg + ", " + pg_search_words(column("p.text")) + "), 'B')";
}

std::string pg_tsquery_input(const std::vector<SearchTerm>& terms, std::string_view op, bool prefixes) {
  std::string out;
  for (const SearchTerm& t : terms) {
    const std::string one = tsquery_term(t, prefixes);
    if (one.empty()) continue;
    if (!out.empty()) out += " " + std::string(op) + " ";
    out += one;
  }
  return out;
}

Result<PgSearchStatement> pg_search_statement(const SearchQuery& query, std::size_t offset, std::size_t limit) {
  if (query.clauses.empty()) {
    return Status::invalid_argument(query.excluded.empty()
                                        ? "nothing to search for: type words (letters or digits)"
                                        : "nothing to search for: add a word that pages must contain");
  }
  static const std::string sql = build_statement_sql();
  return PgSearchStatement{
      sql,
      {clauses_input(query), pg_tsquery_input(query.excluded, "|", true), sql_limit(limit), sql_limit(offset),
       exact_input(query)}};
}

Result<SearchResults> pg_search_results(int rows, const PgSearchCell& cell) {
  if (rows < 1 || to_int64(cell(0, 0)) == 0) {
    return Status::invalid_argument("nothing to search for: type words (letters or digits)");
  }
  if (cell(0, 13).value_or("f") != "t") {
    return Status::not_found(
        "the search index has not been built: start `preheat serve` once with write access to the database");
  }
  SearchResults out;
  out.total = to_int64(cell(0, 1));
  for (int r = 0; r < rows; ++r) {
    if (!cell(r, 2)) continue;  // the total's row when the slice is empty
    SearchHit h;
    h.url = to_string(cell(r, 2));
    h.title = to_string(cell(r, 3));
    h.title_marked = pg_restore_marked(to_string(cell(r, 4)), h.title);
    const std::string marked = to_string(cell(r, 5));
    const std::optional<std::string_view> original = cell(r, 6);
    if (original) {
      // Words cut off on either side are an ellipsis; mere punctuation or
      // spaces there are kept as they are.
      const std::optional<std::string_view> before = cell(r, 7);
      const std::optional<std::string_view> after = cell(r, 8);
      h.snippet = std::string(before.value_or("…")) + pg_restore_marked(marked, *original) +
                  std::string(after.value_or("…"));
    } else {
      h.snippet = convert_markers(marked);
    }
    h.status = static_cast<int>(to_int64(cell(r, 9)));
    h.error_class = to_string(cell(r, 10));
    h.content_type = to_string(cell(r, 11));
    h.bytes = static_cast<std::uint64_t>(to_int64(cell(r, 12)));
    out.hits.push_back(std::move(h));
  }
  return out;
}

std::string pg_restore_marked(std::string_view marked, std::string_view original) {
  // Character for character: pg_search_words changed characters into
  // spaces, never added or removed one.
  std::string out;
  out.reserve(original.size() + 8);
  std::size_t j = 0;  // in original
  for (std::size_t i = 0; i < marked.size();) {
    if (!take_marker(marked, i, out)) {
      if (j >= original.size()) return convert_markers(marked);
      const std::size_t n = std::max<std::size_t>(1, utf8_length(original, j));
      out.append(original.substr(j, n));
      j += n;
      i += std::max<std::size_t>(1, utf8_length(marked, i));
    }
  }
  if (j != original.size()) return convert_markers(marked);
  return out;
}

}  // namespace preheat::store::postgres
