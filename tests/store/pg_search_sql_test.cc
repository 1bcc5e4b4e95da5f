// The PostgreSQL search statement's pure parts (store/postgres/pg_search_sql.h):
// what reaches to_tsquery() for hostile input, the markers put back on the
// original text, and result rows decoded into hits and errors.
#include "store/postgres/pg_search_sql.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <utility>

namespace preheat::store::postgres {
namespace {

using ::testing::HasSubstr;

// The input with every quoted word removed: what is left must be our
// operators only.
std::string operators_of(const std::string& input) {
  std::string out;
  bool quoted = false;
  for (const char c : input) {
    if (c == '\'') {
      quoted = !quoted;
      continue;
    }
    if (!quoted) out += c;
  }
  return out;
}

TEST(PgSearchSqlTest, TermsBecomeQuotedWordsAndOurOperatorsOnly) {
  EXPECT_EQ(pg_tsquery_input({{"alpha", false}}, "|", true), "'alpha'");
  EXPECT_EQ(pg_tsquery_input({{"alpha", true}}, "|", true), "('alpha':*)");
  EXPECT_EQ(pg_tsquery_input({{"alpha", true}}, "|", false), "'alpha'");
  EXPECT_EQ(pg_tsquery_input({{"au lait", false}, {"caf\xC3\xA9", false}}, "|", true),
            "('au' <-> 'lait') | 'caf\xC3\xA9'");
  EXPECT_EQ(pg_tsquery_input({{"it's", false}}, "&", true), "('it' <-> 's')");
  EXPECT_EQ(pg_tsquery_input({{"&|!()", false}, {":*", true}}, "|", true), "");

  const std::string hostile[] = {"'", "''", "\\", "\\'", "a':*", "':*'", "&|!()", "a<->b", "a <2> b", "!!x",
                                 "x:A", "x:*AB", "'; DROP TABLE pages; --", std::string("a\0b", 3), "$1", "E'\\x'"};
  for (const std::string& h : hostile) {
    SCOPED_TRACE(::testing::PrintToString(h));
    for (const bool prefix : {false, true}) {
      const std::string in = pg_tsquery_input({{h, prefix}, {"ok", false}}, "|", true);
      // Quotes come in pairs around words; outside them only operators.
      EXPECT_EQ(std::count(in.begin(), in.end(), '\'') % 2, 0) << in;
      EXPECT_EQ(operators_of(in).find_first_not_of(" ()|&<->:*"), std::string::npos) << in;
      EXPECT_EQ(in.find('\\'), std::string::npos) << in;
      EXPECT_EQ(in.find('\0'), std::string::npos) << in;
    }
  }
}

TEST(PgSearchSqlTest, AStatementNeedsAClauseAndBindsEverythingAsParameters) {
  Result<PgSearchStatement> none = pg_search_statement(parse_search_query(""), 0, 10);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Status::Code::kInvalidArgument);
  Result<PgSearchStatement> only_excluded = pg_search_statement(parse_search_query("-x"), 0, 10);
  ASSERT_FALSE(only_excluded.ok());
  EXPECT_THAT(only_excluded.status().message(), HasSubstr("add a word"));

  Result<PgSearchStatement> st = pg_search_statement(parse_search_query("tea OR coffee -\"old x\" serv"), 40, 20);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->params, (std::vector<std::string>{"('tea' | 'coffee') & (('serv':*))", "('old' <-> 'x')", "20",
                                                  "40", "'tea' | 'coffee' | 'serv'"}));
  // Nothing typed is in the SQL text.
  Result<PgSearchStatement> evil = pg_search_statement(parse_search_query("zebra'); DROP TABLE x; --"), 0, 10);
  ASSERT_TRUE(evil.ok());
  EXPECT_EQ(evil->sql, st->sql);
  EXPECT_EQ(evil->sql.find("zebra"), std::string::npos);
}

TEST(PgSearchSqlTest, MarkersArePutBackOnTheOriginalText) {
  const std::string b = "\xEF\xB7\x90";  // U+FDD0
  const std::string e = "\xEF\xB7\x91";  // U+FDD1
  const std::string B(1, kMatchBegin);
  const std::string E(1, kMatchEnd);
  EXPECT_EQ(pg_restore_marked("x   " + b + "needle" + e + "   y ", "x, (needle)! y."), "x, (" + B + "needle" + E + ")! y.");
  EXPECT_EQ(pg_restore_marked("Tea    b " + b + "cakes" + e + "  b ", "Tea & <b>cakes</b>"),
            "Tea & <b>" + B + "cakes" + E + "</b>");
  // The page's own U+FDD0 became a space and comes back; other characters
  // of any length line up one for one.
  EXPECT_EQ(pg_restore_marked("  " + b + "caf\xC3\xA9" + e + " ", "\xEF\xB7\x90-caf\xC3\xA9!"),
            "\xEF\xB7\x90-" + B + "caf\xC3\xA9" + E + "!");
  EXPECT_EQ(pg_restore_marked("", ""), "");
  // Not lined up: the marked text, markers converted.
  EXPECT_EQ(pg_restore_marked(b + "w" + e + " extra", "w"), B + "w" + E + " extra");
  EXPECT_EQ(pg_restore_marked(b + "w" + e, "w and more"), B + "w" + E);
}

// Rows as the server sends them: a map of (row, column) to text.
struct Rows {
  std::map<std::pair<int, int>, std::string> cells;
  int rows = 0;
  Result<SearchResults> decode() const {
    return pg_search_results(rows, [this](int r, int c) -> std::optional<std::string_view> {
      auto it = cells.find({r, c});
      if (it == cells.end()) return std::nullopt;
      return std::string_view(it->second);
    });
  }
};

TEST(PgSearchSqlTest, RowsDecodeIntoHitsTotalsAndErrors) {
  Rows no_terms{{{{0, 0}, "0"}, {{0, 1}, "0"}, {{0, 13}, "t"}}, 1};
  Result<SearchResults> r = no_terms.decode();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);

  Rows not_built{{{{0, 0}, "1"}, {{0, 1}, "0"}, {{0, 13}, "f"}}, 1};
  r = not_built.decode();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);

  Rows past_the_end{{{{0, 0}, "1"}, {{0, 1}, "45"}, {{0, 13}, "t"}}, 1};
  r = past_the_end.decode();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 45);
  EXPECT_TRUE(r->hits.empty());

  const std::string b = "\xEF\xB7\x90";
  const std::string e = "\xEF\xB7\x91";
  Rows one{{{{0, 0}, "1"},
            {{0, 1}, "1"},
            {{0, 2}, "http://s/"},
            {{0, 3}, "A-B"},
            {{0, 4}, b + "A" + e + " B"},
            {{0, 5}, "w " + b + "x" + e},
            {{0, 6}, "w x"},
            {{0, 8}, "."},  // column 7 NULL: words were cut before
            {{0, 9}, "404"},
            {{0, 10}, "http-4xx"},
            {{0, 11}, "text/html"},
            {{0, 12}, "1234"},
            {{0, 13}, "t"}},
           1};
  r = one.decode();
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->hits.size(), 1u);
  const SearchHit& h = r->hits[0];
  EXPECT_EQ(h.url, "http://s/");
  EXPECT_EQ(h.title_marked, std::string(1, kMatchBegin) + "A" + kMatchEnd + "-B");
  EXPECT_EQ(h.snippet, "…w " + std::string(1, kMatchBegin) + "x" + kMatchEnd + ".");
  EXPECT_EQ(h.status, 404);
  EXPECT_EQ(h.error_class, "http-4xx");
  EXPECT_EQ(h.bytes, 1234u);
}

}  // namespace
}  // namespace preheat::store::postgres
