// Full-text search on both engines (SQLite FTS5, PostgreSQL tsvector): the
// index (built once, refreshed when pages were written since), ranking, the
// query language's semantics, pagination, diacritics, markers, hostile
// queries and hostile stored text. One contract: every test runs on both.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "store/crawl_store.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/support.h"

namespace preheat::store {
namespace {

using namespace preheat::store::testing;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

PageRecord doc(std::string url, std::string title, std::string text, std::int64_t fetched_at_ms = 1000) {
  PageRecord p = page(std::move(url));
  p.title = std::move(title);
  p.text = std::move(text);
  p.fetched_at_ms = fetched_at_ms;
  return p;
}

class SearchTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = open_store(path_);
    ASSERT_TRUE(store_);
  }
  void write(std::vector<PageRecord> records) {
    const Status s = store_->write(pages(std::move(records)));
    ASSERT_TRUE(s.ok()) << s.to_string();
  }
  SearchIndexRefresh refresh() {
    Result<SearchIndexRefresh> r = store_->refresh_search_index();
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? *r : SearchIndexRefresh{};
  }
  // The URLs found for `input`, best first (all of them).
  std::vector<std::string> find(std::string_view input) {
    Result<SearchResults> r = store_->search(parse_search_query(input), 0, 1000);
    EXPECT_TRUE(r.ok()) << input << ": " << r.status().to_string();
    std::vector<std::string> urls;
    if (!r.ok()) return urls;
    EXPECT_EQ(r->total, static_cast<std::int64_t>(r->hits.size())) << input;
    for (const SearchHit& h : r->hits) urls.push_back(h.url);
    return urls;
  }

  EngineDb db_{GetParam()};
  std::string path_ = db_.location();
  std::unique_ptr<CrawlStore> store_;
};

TEST_P(SearchTest, ATitleHitRanksAboveATextOnlyHit) {
  write({doc("http://s/text", "Baking notes", "an oven, an oven, the oven must be hot; oven oven"),
         doc("http://s/title", "The oven", "how to clean a kitchen appliance"),
         doc("http://s/none", "Bread", "flour water salt")});
  refresh();
  EXPECT_THAT(find("oven "), ElementsAre("http://s/title", "http://s/text"));
}

TEST_P(SearchTest, EveryWordMustAppearAndPhrasesMustBeTogether) {
  write({doc("http://s/1", "", "the quick brown fox jumps"), doc("http://s/2", "", "brown bread, quick lunch"),
         doc("http://s/3", "", "quick thinking")});
  refresh();
  EXPECT_THAT(find("quick brown "), UnorderedElementsAre("http://s/1", "http://s/2"));
  EXPECT_THAT(find("brown quick "), UnorderedElementsAre("http://s/1", "http://s/2"));
  EXPECT_THAT(find("\"quick brown\""), ElementsAre("http://s/1"));
  EXPECT_THAT(find("\"brown quick\""), ElementsAre());
  EXPECT_THAT(find("quick -bread "), UnorderedElementsAre("http://s/1", "http://s/3"));
  EXPECT_THAT(find("quick -\"brown fox\" "), UnorderedElementsAre("http://s/2", "http://s/3"));
  EXPECT_THAT(find("fox OR thinking "), UnorderedElementsAre("http://s/1", "http://s/3"));
  EXPECT_THAT(find("quick *** ---"), UnorderedElementsAre("http://s/1", "http://s/2", "http://s/3"));
  EXPECT_THAT(find("quick \xF0\x9F\x8E\x82 \xC2\xAB\xC2\xBB"),
              UnorderedElementsAre("http://s/1", "http://s/2", "http://s/3"));
}

TEST_P(SearchTest, PrefixesMatchLongerWordsAndTheWordItselfRanksFirst) {
  write({doc("http://s/servers", "", "many servers here"), doc("http://s/server", "", "one server here"),
         doc("http://s/serve", "", "we serve tea")});
  refresh();
  // "serve" as typed (no trailing space): a prefix, the exact word first.
  const std::vector<std::string> typed = find("serve");
  ASSERT_EQ(typed.size(), 3u);
  EXPECT_EQ(typed[0], "http://s/serve");
  EXPECT_THAT(find("serve "), ElementsAre("http://s/serve"));
  EXPECT_THAT(find("server*"), UnorderedElementsAre("http://s/server", "http://s/servers"));
  EXPECT_THAT(find("\"serve\""), ElementsAre("http://s/serve"));
}

TEST_P(SearchTest, DiacriticsAndCaseDoNotMatter) {
  write({doc("http://s/cafe", "Café Crème", "Ein Straßencafé in Zürich"), doc("http://s/x", "other", "nothing")});
  refresh();
  EXPECT_THAT(find("cafe "), ElementsAre("http://s/cafe"));
  EXPECT_THAT(find("CAFÉ "), ElementsAre("http://s/cafe"));
  EXPECT_THAT(find("creme "), ElementsAre("http://s/cafe"));
  EXPECT_THAT(find("zurich "), ElementsAre("http://s/cafe"));
  EXPECT_THAT(find("straßencafé "), ElementsAre("http://s/cafe"));
}

TEST_P(SearchTest, PagesAreSlicesOfOneOrderWithTheTotal) {
  std::vector<PageRecord> records;
  for (int i = 0; i < 45; ++i) {
    // Equal scores: the order is by URL id, stable from one page to the next.
    records.push_back(doc("http://s/" + std::to_string(100 + i), "", "common word"));
  }
  write(records);
  refresh();
  const SearchQuery q = parse_search_query("common ");
  std::vector<std::string> all;
  for (std::size_t offset = 0; offset < 60; offset += 20) {
    Result<SearchResults> r = store_->search(q, offset, 20);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->total, 45);
    EXPECT_EQ(r->hits.size(), offset == 40 ? 5u : 20u);
    for (const SearchHit& h : r->hits) all.push_back(h.url);
  }
  ASSERT_EQ(all.size(), 45u);
  for (int i = 0; i < 45; ++i) EXPECT_EQ(all[i], "http://s/" + std::to_string(100 + i));
  Result<SearchResults> past = store_->search(q, 1'000'000, 20);
  ASSERT_TRUE(past.ok());
  EXPECT_EQ(past->total, 45);
  EXPECT_TRUE(past->hits.empty());
  Result<SearchResults> none = store_->search(q, 0, 0);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->total, 45);
  EXPECT_TRUE(none->hits.empty());
}

TEST_P(SearchTest, HitsCarryTheMarkedTitleSnippetAndPageFigures) {
  PageRecord p = doc("http://s/a", "Tea & <b>cakes</b>", "Some words before. The cake recipe: flour, eggs. After.");
  p.status = 404;
  p.error_class = "http-4xx";
  p.bytes = 4321;
  write({p});
  refresh();
  Result<SearchResults> r = store_->search(parse_search_query("cake recipe "), 0, 10);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->hits.size(), 1u);
  const SearchHit& h = r->hits[0];
  EXPECT_EQ(h.url, "http://s/a");
  EXPECT_EQ(h.title, "Tea & <b>cakes</b>");
  EXPECT_EQ(h.title_marked, "Tea & <b>cakes</b>");  // "cakes" is not "cake"
  const std::string b(1, kMatchBegin);
  const std::string e(1, kMatchEnd);
  EXPECT_THAT(h.snippet, ::testing::HasSubstr(b + "cake" + e + " " + b + "recipe" + e));
  EXPECT_EQ(h.status, 404);
  EXPECT_EQ(h.error_class, "http-4xx");
  EXPECT_EQ(h.content_type, "text/html");
  EXPECT_EQ(h.bytes, 4321u);
  Result<SearchResults> titled = store_->search(parse_search_query("cakes "), 0, 10);
  ASSERT_TRUE(titled.ok());
  ASSERT_EQ(titled->hits.size(), 1u);
  EXPECT_EQ(titled->hits[0].title_marked, "Tea & <b>" + b + "cakes" + e + "</b>");
}

TEST_P(SearchTest, TheIndexIsBuiltOnceAndRefreshedWhenPagesAreWritten) {
  write({doc("http://s/1", "first", "alpha", 1000), doc("http://s/2", "second", "beta", 1001)});
  SearchIndexRefresh r = refresh();
  EXPECT_EQ(r.action, SearchIndexRefresh::Action::kBuilt);
  EXPECT_EQ(r.pages_indexed, 2);
  r = refresh();
  EXPECT_EQ(r.action, SearchIndexRefresh::Action::kUpToDate);
  EXPECT_EQ(r.pages_total, 2);

  // A new page, fetched later: only it is indexed.
  write({doc("http://s/3", "third", "gamma alpha", 2000)});
  EXPECT_THAT(find("gamma "), ElementsAre());  // not yet: the index is derived, made on refresh
  r = refresh();
  EXPECT_EQ(r.action, SearchIndexRefresh::Action::kUpdated);
  EXPECT_EQ(r.pages_indexed, 1);
  EXPECT_EQ(r.pages_total, 3);
  EXPECT_THAT(find("gamma "), ElementsAre("http://s/3"));
  EXPECT_THAT(find("alpha "), UnorderedElementsAre("http://s/1", "http://s/3"));
  EXPECT_EQ(refresh().action, SearchIndexRefresh::Action::kUpToDate);

  // A page written again (a recrawl) with other words: rebuilt, the old
  // words no longer find it.
  write({doc("http://s/1", "first again", "delta", 3000)});
  r = refresh();
  EXPECT_EQ(r.action, SearchIndexRefresh::Action::kBuilt);
  EXPECT_EQ(r.pages_indexed, 3);
  EXPECT_THAT(find("alpha "), ElementsAre("http://s/3"));
  EXPECT_THAT(find("delta "), ElementsAre("http://s/1"));

  // Rewritten at the same time with another title: still seen (the title's
  // length is in the fingerprint).
  write({doc("http://s/2", "second, renamed", "beta", 1001)});
  EXPECT_EQ(refresh().action, SearchIndexRefresh::Action::kBuilt);
  EXPECT_THAT(find("renamed "), ElementsAre("http://s/2"));
}

TEST_P(SearchTest, AnotherStoreSeesTheIndexUpToDateAndFreshRowsRebuildIt) {
  write({doc("http://s/1", "one", "alpha", 1000)});
  EXPECT_EQ(refresh().action, SearchIndexRefresh::Action::kBuilt);
  store_.reset();
  store_ = open_store(path_);
  EXPECT_EQ(refresh().action, SearchIndexRefresh::Action::kUpToDate);
  store_.reset();
  // --fresh: every crawl row is gone, and a new crawl writes other pages.
  store_ = open_store(path_, {.fresh = true});
  write({doc("http://s/9", "nine", "omega", 5000)});
  EXPECT_EQ(refresh().action, SearchIndexRefresh::Action::kBuilt);
  EXPECT_THAT(find("alpha "), ElementsAre());
  EXPECT_THAT(find("omega "), ElementsAre("http://s/9"));
}

TEST_P(SearchTest, AReadOnlyStoreSearchesButDoesNotIndex) {
  write({doc("http://s/1", "one", "alpha", 1000)});
  auto reader = open_store(path_, {.read_only = true});
  ASSERT_TRUE(reader);
  Result<SearchResults> before = reader->search(parse_search_query("alpha"), 0, 10);
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.status().code(), Status::Code::kNotFound);
  EXPECT_THAT(before.status().message(), ::testing::HasSubstr("search index has not been built"));
  EXPECT_FALSE(reader->refresh_search_index().ok());
  refresh();
  Result<SearchResults> after = reader->search(parse_search_query("alpha"), 0, 10);
  ASSERT_TRUE(after.ok()) << after.status().to_string();
  EXPECT_EQ(after->total, 1);
}

TEST_P(SearchTest, NothingSearchableIsInvalidArgument) {
  write({doc("http://s/1", "one", "alpha")});
  refresh();
  for (const char* input : {"", "   ", "***", "-alpha", "\xF0\x9F\x8E\x82", "\"\" \"\"", "- - -", "OR AND"}) {
    SCOPED_TRACE(input);
    Result<SearchResults> r = store_->search(parse_search_query(input), 0, 10);
    if (std::string_view(input) == "OR AND") {
      // "OR" with nothing before it is a word.
      ASSERT_TRUE(r.ok());
      continue;
    }
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  }
}

TEST_P(SearchTest, HostileQueriesAreWordsAndHostileTextStaysText) {
  write({doc("http://s/x", "<script>alert(1)</script>", "x'); DROP TABLE pages; -- \"quoted\" NEAR(a b) title:z"),
         doc("http://s/y", "plain", "nothing special")});
  refresh();
  EXPECT_THAT(find("drop table "), ElementsAre("http://s/x"));
  EXPECT_THAT(find("\"DROP TABLE pages\""), ElementsAre("http://s/x"));
  EXPECT_THAT(find("NEAR(a b) "), ElementsAre("http://s/x"));
  EXPECT_THAT(find("title:z "), ElementsAre("http://s/x"));
  EXPECT_THAT(find("script alert "), ElementsAre("http://s/x"));
  EXPECT_THAT(find("x'); DROP TABLE pages; --"), ElementsAre("http://s/x"));
  EXPECT_EQ(*store_->page_count(), 2);
}

// A text of more distinct words than a PostgreSQL tsvector can hold (its
// lexemes and positions must stay under 1 MB): the refresh still succeeds,
// the other pages are indexed, and the page is found by its title and by
// the words of its text's beginning (PostgreSQL indexes a prefix of such a
// text; SQLite's FTS5 has no such limit and indexes all of it).
TEST_P(SearchTest, AHugeTextOfDistinctWordsDoesNotBreakTheIndex) {
  std::string text = "needle ";
  for (int i = 0; text.size() < (1u << 20); ++i) {
    // Distinct words of 3-5 letters (base 26): about 4.5 bytes of text per lexeme.
    std::string w;
    for (int n = i + 26 * 26; n > 0; n /= 26) w += static_cast<char>('a' + n % 26);
    text += w;
    text += ' ';
  }
  write({doc("http://s/huge", "Encyclopedia", text), doc("http://s/small", "Small", "a needle in a haystack")});
  const SearchIndexRefresh r = refresh();
  EXPECT_EQ(r.pages_indexed, 2);
  EXPECT_THAT(find("encyclopedia "), ElementsAre("http://s/huge"));
  EXPECT_THAT(find("haystack "), ElementsAre("http://s/small"));
  EXPECT_THAT(find("needle "), UnorderedElementsAre("http://s/huge", "http://s/small"));
}

TEST_P(SearchTest, QueryLanguageCharactersOfTheEnginesAreWordsOrNothing) {
  write({doc("http://s/x", "alpha", "beta it's gamma"), doc("http://s/y", "other", "delta")});
  refresh();
  // tsquery and FTS5 syntax typed by a person: never an engine syntax error,
  // either words (the characters separate them) or nothing to search for.
  const std::string inputs[] = {"'", "\\", "':*'", "&|!()", "a & b", "!a", "a <-> b", "<->", "<2>", "a:*",
                                "alpha:*A", "''''", "\\'; DROP TABLE pages; --", std::string("be\0ta", 5),
                                "(alpha", "beta)", "!!!", "alpha:A", "NEAR(", "\"\\\"", "*:*", "{}[]", "$1 $2"};
  for (const std::string& input : inputs) {
    SCOPED_TRACE(::testing::PrintToString(input));
    Result<SearchResults> r = store_->search(parse_search_query(input), 0, 10);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << r.status().to_string();
    }
  }
  EXPECT_THAT(find("beta&it "), ElementsAre("http://s/x"));
  EXPECT_THAT(find("beta|it "), ElementsAre("http://s/x"));
  EXPECT_THAT(find("alpha&beta "), ElementsAre());  // a phrase (title "alpha", text "beta ...") stays in one field
  EXPECT_THAT(find("!alpha "), ElementsAre("http://s/x"));
  EXPECT_THAT(find("(alpha):* "), ElementsAre("http://s/x"));
  EXPECT_THAT(find("alpha:A "), ElementsAre());  // the words alpha and A: no page has "a"
  EXPECT_THAT(find("it's "), ElementsAre("http://s/x"));
  EXPECT_THAT(find("'gamma' "), ElementsAre("http://s/x"));
  EXPECT_THAT(find("alp\\ha "), ElementsAre());  // "alp" and "ha"
  EXPECT_EQ(*store_->page_count(), 2);
}

TEST_P(SearchTest, SnippetsAreCutAroundTheMatchAndKeepThePunctuation) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += (i == 100 ? std::string("needle") : "w" + std::to_string(i)) + " ";
  write({doc("http://s/long", "Long", text), doc("http://s/short", "Short (one)", "x, (needle)! y.")});
  refresh();
  Result<SearchResults> r = store_->search(parse_search_query("needle "), 0, 10);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->hits.size(), 2u);
  const std::string b(1, kMatchBegin);
  const std::string e(1, kMatchEnd);
  for (const SearchHit& h : r->hits) {
    SCOPED_TRACE(h.url);
    if (h.url == "http://s/short") {
      EXPECT_EQ(h.snippet, "x, (" + b + "needle" + e + ")! y.");
      EXPECT_EQ(h.title_marked, "Short (one)");
      continue;
    }
    EXPECT_TRUE(h.snippet.starts_with("…")) << h.snippet;
    EXPECT_TRUE(h.snippet.ends_with("…")) << h.snippet;
    EXPECT_THAT(h.snippet, ::testing::HasSubstr("w99 " + b + "needle" + e + " w101"));
    const auto words = std::count(h.snippet.begin(), h.snippet.end(), ' ') + 1;
    EXPECT_GE(words, 16);
    EXPECT_LE(words, 40);
  }
}

// Serve on a database being crawled: the index is what the last refresh
// made (searches agree with it while pages are written), a refresh while
// the crawl writes succeeds, and the next one takes the rest.
TEST_P(SearchTest, ADatabaseBeingWrittenIsSearchedAsLastIndexed) {
  std::vector<PageRecord> first;
  for (int i = 0; i < 10; ++i) first.push_back(doc("http://s/a" + std::to_string(i), "", "common", 1000 + i));
  write(first);
  ASSERT_EQ(refresh().pages_total, 10);
  auto crawler = open_store(path_);
  auto reader = open_store(path_, {.read_only = true});
  auto refresher = open_store(path_);
  ASSERT_TRUE(crawler && reader && refresher);
  constexpr int kWritten = 30;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < kWritten; ++i) {
      const Status s = crawler->write(pages({doc("http://s/b" + std::to_string(i), "", "common", 5000 + i)}));
      EXPECT_TRUE(s.ok()) << s.to_string();
    }
    done = true;
  });
  const SearchQuery q = parse_search_query("common ");
  std::int64_t expected = 10;
  for (int round = 0; !done || round < 10; ++round) {
    Result<SearchResults> r = reader->search(q, 0, 5);
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    if (!r.ok()) break;
    EXPECT_EQ(r->total, expected);
    if (round == 3) {
      Result<SearchIndexRefresh> mid = refresher->refresh_search_index();
      EXPECT_TRUE(mid.ok()) << mid.status().to_string();
      if (mid.ok()) expected = mid->pages_total;
    }
  }
  writer.join();
  Result<SearchIndexRefresh> last = refresher->refresh_search_index();
  ASSERT_TRUE(last.ok()) << last.status().to_string();
  EXPECT_EQ(last->pages_total, 10 + kWritten);
  EXPECT_NE(last->action, SearchIndexRefresh::Action::kBuilt);  // new pages are appended
  Result<SearchResults> all = reader->search(q, 0, 100);
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  EXPECT_EQ(all->total, 10 + kWritten);
  EXPECT_EQ(all->hits.size(), static_cast<std::size_t>(10 + kWritten));
}

INSTANTIATE_TEST_SUITE_P(Engines, SearchTest, engines(), engine_name);

}  // namespace
}  // namespace preheat::store
