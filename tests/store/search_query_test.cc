// What people type, parsed into terms (store/search_query.h), and those
// terms rendered as an FTS5 expression (store/sqlite/fts5_query.h): pure
// functions, tables of cases.
#include "store/search_query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/sqlite/fts5_query.h"

namespace preheat::store {
namespace {

// The query written back compactly: clauses joined by " & ", alternatives by
// " | ", a prefix term with a trailing '*', excluded terms after " -".
std::string shape(const SearchQuery& q) {
  std::string out;
  for (const auto& clause : q.clauses) {
    if (!out.empty()) out += " & ";
    for (std::size_t i = 0; i < clause.size(); ++i) {
      if (i > 0) out += " | ";
      out += "[" + clause[i].text + "]" + (clause[i].prefix ? "*" : "");
    }
  }
  for (const SearchTerm& t : q.excluded) out += " -[" + t.text + "]" + (t.prefix ? "*" : "");
  return out;
}

TEST(SearchQueryTest, ParsesWordsPhrasesExclusionsAndOr) {
  const struct {
    std::string input;
    std::string shape;
  } cases[] = {
      {"", ""},
      {"   ", ""},
      {"cafe", "[cafe]*"},  // the word being typed is a prefix
      {"cafe ", "[cafe]"},  // ...not once a space follows
      {"go", "[go]"},       // too short for an implicit prefix
      {"café au lait", "[café] & [au] & [lait]*"},
      {"\"au lait\"", "[au lait]"},
      {"\"au lait\" cafe", "[au lait] & [cafe]*"},
      {"\"unbalanced phrase", "[unbalanced phrase]"},
      {"\"\"", ""},
      {"optim*", "[optim]*"},
      {"optim* server", "[optim]* & [server]*"},
      {"\"web serv\"*", "[web serv]*"},
      {"tea -milk", "[tea] -[milk]"},
      {"tea -\"oat milk\"", "[tea] -[oat milk]"},
      {"-milk", " -[milk]"},
      {"tea - milk", "[tea] & [-] & [milk]*"},  // a lone '-' is a word (the engine drops it)
      {"e-mail", "[e-mail]*"},
      {"tea OR coffee", "[tea] | [coffee]*"},
      {"tea OR coffee cake", "[tea] | [coffee] & [cake]*"},
      {"OR tea", "[OR] & [tea]*"},                    // nothing before: a word
      {"tea OR", "[tea]"},                            // nothing after: dropped
      {"tea or coffee", "[tea] & [or] & [coffee]*"},  // lowercase: a word
      {"tea AND coffee", "[tea] & [coffee]*"},
      {"NEAR(a b)", "[NEAR(a] & [b)]"},
      {"title:x", "[title:x]*"},
      {"a\tb\nc", "[a] & [b] & [c]"},
      {std::string("nul\0byte", 8), "[nul] & [byte]*"},
      {"bad\xFF\xFEutf8", "[bad] & [utf8]*"},
      {"\xC3\xA9t\xC3\xA9", "[\xC3\xA9t\xC3\xA9]*"},  // "été": three characters, five bytes
      {"***", ""},
      {"-", "[-]"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(shape(parse_search_query(c.input)), c.shape);
  }
}

TEST(SearchQueryTest, CleansTheTextItEchoes) {
  EXPECT_EQ(parse_search_query("  tea\x01 \xFF  ").text, "tea");
  EXPECT_EQ(parse_search_query(std::string("a\0b", 3)).text, "a b");
  EXPECT_TRUE(parse_search_query("-milk").empty());
  EXPECT_FALSE(parse_search_query("milk").empty());
}

TEST(SearchQueryTest, CapsTermsAndTheirLength) {
  std::string many;
  for (int i = 0; i < 100; ++i) many += "w" + std::to_string(i) + " ";
  const SearchQuery q = parse_search_query(many);
  EXPECT_EQ(q.clauses.size(), kMaxSearchTerms);
  EXPECT_TRUE(q.truncated);
  EXPECT_FALSE(parse_search_query("a b c").truncated);

  // A long term is cut at a character boundary: "é" is two bytes.
  std::string accents;
  for (int i = 0; i < 1000; ++i) accents += "\xC3\xA9";
  const SearchQuery long_term = parse_search_query(accents + "x");
  ASSERT_EQ(long_term.clauses.size(), 1u);
  EXPECT_EQ(long_term.clauses[0][0].text.size(), kMaxSearchTermBytes);
  EXPECT_EQ(long_term.clauses[0][0].text.substr(0, 2), "\xC3\xA9");
}

bool any_alnum(std::string_view s) {
  for (const char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) return true;
  }
  return false;
}

TEST(Fts5QueryTest, QuotesEveryTermAndDropsTermsWithoutTokens) {
  const struct {
    std::string input;
    std::string match;
  } cases[] = {
      {"cafe au lait ", "\"cafe\" AND \"au\" AND \"lait\""},
      {"serv", "(\"serv\" OR \"serv\" *)"},
      {"\"au lait\" ", "\"au lait\""},
      {"say \"hi\"there ", "\"say\" AND \"hi\" AND \"there\""},
      {"tea OR coffee ", "(\"tea\" OR \"coffee\")"},
      {"tea -milk -\"oat x\" ", "(\"tea\") NOT (\"milk\" OR \"oat x\")"},
      {"tea -milk* ", "(\"tea\") NOT \"milk\" *"},
      {"-milk", ""},
      {"*** ---", ""},
      {"tea *** ", "\"tea\""},
      {"tea OR *** ", "\"tea\""},
      {"AND OR NOT NEAR ", "\"OR\" AND \"NOT\" AND \"NEAR\""},
      {"a\"b ", "\"a\" AND \"b\""},  // the phrase runs to the end
      {"x:y^z(", "(\"x:y^z(\" OR \"x:y^z(\" *)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(sqlite::fts5_match_expression(parse_search_query(c.input), any_alnum), c.match);
  }
}

TEST(Fts5QueryTest, DoublesQuotesInsideATerm) {
  SearchQuery q;
  q.clauses.push_back({SearchTerm{"say \"hi\"", false}});
  EXPECT_EQ(sqlite::fts5_match_expression(q, any_alnum), "\"say \"\"hi\"\"\"");
}

}  // namespace
}  // namespace preheat::store
