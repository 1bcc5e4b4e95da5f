// Schema 3: pages.robots (noindex pages stay out of search), revalidated
// (304) records that keep the stored content, validators handed out with
// claims, recrawl passes that requeue once and resume, and the 2 -> 3
// migration with its rows kept.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/crawl_store.h"
#include "store/search_query.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/support.h"

namespace preheat::store {
namespace {

using preheat::testing::TempDir;
using testing::open_store;
using testing::page;
using ::testing::ElementsAre;

PageRecord full_page(std::string url, std::string text, std::string robots = "") {
  PageRecord p = page(std::move(url), 0, {"http://h/linked"});
  p.title = "Title of " + p.url;
  p.text = std::move(text);
  p.content_hash = 42;
  p.etag = "\"v1\"";
  p.last_modified = "Mon, 01 Jan 2024 00:00:00 GMT";
  p.robots = std::move(robots);
  p.keep_body = true;
  p.request_block = "GET / HTTP/1.1\r\n\r\n";
  p.response_block = "HTTP/1.1 200 OK\r\n\r\n";
  p.body = "<p>body</p>";
  return p;
}

std::int64_t hits(CrawlStore& db, std::string_view words) {
  Result<SearchResults> r = db.search(parse_search_query(words), 0, 10);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->total : -1;
}

class RecrawlEnginesTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RecrawlEnginesTest, NoindexPagesAreStoredButNotSearchable) {
  testing::EngineDb engine(GetParam());
  auto db = open_store(engine.location());
  ASSERT_TRUE(db->write(testing::pages({full_page("http://h/open", "zebra crossing"),
                                        full_page("http://h/hidden", "zebra hidden", "noindex,nofollow")}))
                  .ok());
  ASSERT_TRUE(db->refresh_search_index().ok());
  EXPECT_EQ(hits(*db, "zebra"), 1);
  EXPECT_EQ(hits(*db, "hidden"), 0);
  EXPECT_EQ(hits(*db, "Title"), 1);  // the noindex page's title is not searchable either
  auto stored = db->find_page("http://h/hidden");
  ASSERT_TRUE(stored.ok() && *stored);
  EXPECT_EQ((*stored)->robots, "noindex,nofollow");
  EXPECT_EQ((*stored)->links.size(), 1u);
  auto view = db->page_view("http://h/hidden", 10);
  ASSERT_TRUE(view.ok() && *view);
  EXPECT_EQ((*view)->page.robots, "noindex,nofollow");

  // Pages added later are indexed the same way (the update path).
  PageRecord later = full_page("http://h/later", "zebra later", "noindex");
  later.fetched_at_ms = 5000;
  PageRecord later_open = full_page("http://h/later-open", "zebra open later");
  later_open.fetched_at_ms = 5000;
  ASSERT_TRUE(db->write(testing::pages({later, later_open})).ok());
  auto refreshed = db->refresh_search_index();
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(refreshed->action, SearchIndexRefresh::Action::kUpdated);
  EXPECT_EQ(hits(*db, "zebra"), 2);
  EXPECT_EQ(hits(*db, "later"), 1);
}

TEST_P(RecrawlEnginesTest, ANotModifiedRecordKeepsTheStoredContent) {
  testing::EngineDb engine(GetParam());
  auto db = open_store(engine.location());
  ASSERT_TRUE(db->write(testing::pages({full_page("http://h/a", "alpha text")})).ok());
  ASSERT_TRUE(db->refresh_search_index().ok());

  PageRecord check;
  check.url = check.final_url = "http://h/a";
  check.status = 304;
  check.fetched_at_ms = 9000;
  check.checked_at_ms = 9000;
  check.not_modified = true;
  check.etag = "\"v2\"";  // a 304 may update the validator; Last-Modified absent: kept
  check.attempts = 1;
  ASSERT_TRUE(db->write(testing::pages({check})).ok());

  auto p = db->find_page("http://h/a");
  ASSERT_TRUE(p.ok() && *p);
  EXPECT_EQ((*p)->status, 200);
  EXPECT_EQ((*p)->text, "alpha text");
  EXPECT_EQ((*p)->fetched_at_ms, 1000);  // when the content was fetched
  EXPECT_EQ((*p)->checked_at_ms, 9000);
  EXPECT_TRUE((*p)->not_modified);
  EXPECT_EQ((*p)->etag, "\"v2\"");
  EXPECT_EQ((*p)->last_modified, "Mon, 01 Jan 2024 00:00:00 GMT");
  EXPECT_EQ((*p)->links.size(), 1u);
  EXPECT_EQ(db->body_counts()->bodies, 1);
  EXPECT_EQ((*p)->state, FrontierState::kDone);
  // The search index need not change (the same rule on both engines).
  EXPECT_EQ(db->refresh_search_index()->action, SearchIndexRefresh::Action::kUpToDate);

  // A 200 afterwards replaces everything and clears the flag.
  PageRecord changed = full_page("http://h/a", "beta text");
  changed.fetched_at_ms = 10000;
  ASSERT_TRUE(db->write(testing::pages({changed})).ok());
  p = db->find_page("http://h/a");
  EXPECT_EQ((*p)->text, "beta text");
  EXPECT_FALSE((*p)->not_modified);
  EXPECT_EQ((*p)->checked_at_ms, 10000);

  // Without a stored row, a not-modified record is stored as it is.
  check.url = check.final_url = "http://h/never";
  ASSERT_TRUE(db->write(testing::pages({check})).ok());
  p = db->find_page("http://h/never");
  ASSERT_TRUE(p.ok() && *p);
  EXPECT_EQ((*p)->status, 304);
}

TEST_P(RecrawlEnginesTest, ClaimsCarryTheStoredValidatorsAndPassesResume) {
  testing::EngineDb engine(GetParam());
  auto db = open_store(engine.location());
  ASSERT_TRUE(db->write(testing::seeds({"http://h/a", "http://h/r", "http://h/x", "http://h/q"})).ok());
  ASSERT_EQ(db->claim_due(10, 0)->size(), 4u);
  PageRecord redirected = full_page("http://h/r", "");
  redirected.final_url = "http://h/a";
  PageRecord failed = page("http://h/x");
  failed.status = 0;
  failed.state = FrontierState::kFailed;
  failed.error_class = "refused";
  PageRecord retry = page("http://h/q");  // still queued: a retry, no page row
  retry.state = FrontierState::kQueued;
  retry.next_due_ms = 777;
  retry.attempts = 2;
  ASSERT_TRUE(db->write(testing::pages({full_page("http://h/a", "alpha"), redirected, failed, retry})).ok());

  auto pass = db->begin_recrawl(50'000);
  ASSERT_TRUE(pass.ok()) << pass.status().message();
  EXPECT_FALSE(pass->resumed);
  EXPECT_EQ(pass->requeued, 3);  // a, r, x; q was queued already
  EXPECT_EQ(pass->handled, 0);
  auto claimed = db->claim_due(10, 1'000'000);
  ASSERT_TRUE(claimed.ok());
  EXPECT_THAT(testing::urls_of(*claimed), ElementsAre("http://h/a", "http://h/r", "http://h/x", "http://h/q"));
  const FrontierEntry& a = (*claimed)[0];
  ASSERT_TRUE(a.previous.has_value());
  EXPECT_EQ(a.attempts, 0);
  EXPECT_EQ(a.previous->etag, "\"v1\"");
  EXPECT_EQ(a.previous->last_modified, "Mon, 01 Jan 2024 00:00:00 GMT");
  EXPECT_EQ(a.previous->content_hash, 42u);
  EXPECT_EQ(a.previous->status, 200);
  ASSERT_TRUE((*claimed)[1].previous.has_value());
  EXPECT_TRUE((*claimed)[1].previous->redirected);
  EXPECT_EQ((*claimed)[1].previous->etag, "");  // the final URL's: not sent
  ASSERT_TRUE((*claimed)[2].previous.has_value());
  EXPECT_EQ((*claimed)[2].previous->status, 0);
  EXPECT_FALSE((*claimed)[3].previous.has_value());  // never stored
  EXPECT_EQ((*claimed)[3].attempts, 2);              // a waiting retry keeps its count

  // Killed after one page: the pass continues, nothing is queued again.
  ASSERT_TRUE(db->write(testing::pages({full_page("http://h/a", "alpha")})).ok());
  ASSERT_EQ(db->release_claims().value(), 3);
  auto again = db->begin_recrawl(60'000);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->resumed);
  EXPECT_EQ(again->id, pass->id);
  EXPECT_EQ(again->started_at_ms, 50'000);
  EXPECT_EQ(again->handled, 1);
  EXPECT_THAT(testing::urls_of(*db->claim_due(10, 1'000'000)), ElementsAre("http://h/r", "http://h/x", "http://h/q"));

  // Ended, the next pass requeues again.
  ASSERT_TRUE(db->end_recrawl(70'000).ok());
  ASSERT_TRUE(db->release_claims().ok());
  auto next = db->begin_recrawl(80'000);
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->resumed);
  EXPECT_NE(next->id, pass->id);
  EXPECT_EQ(next->requeued, 1);  // a (the others were released back to queued)
}

TEST(RecrawlStoreTest, ASchemaTwoDatabaseIsMigratedWithItsRowsAndIndex) {
  TempDir dir;
  const std::string path = (dir / "v2.db").string();
  {
    Result<sqlite::Connection> db = sqlite::Connection::open(path, sqlite::Connection::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(sqlite::apply_migrations(*db, sqlite::migrations().first(2)).ok());
    ASSERT_TRUE(db->exec("INSERT INTO urls (id, url) VALUES (1, 'http://h/old');"
                         "INSERT INTO frontier (url_id, state, depth) VALUES (1, 2, 0);"
                         "INSERT INTO pages (url_id, final_url_id, status, depth, attempts, fetched_at_ms, elapsed_s, "
                         "bytes, wire_bytes, error_class, content_type, etag, last_modified, canonical, language, "
                         "title, description, error_message, text) VALUES (1, 1, 200, 0, 1, 5, 0.1, 3, 3, '', "
                         "'text/html', '\"e\"', '', '', 'en', 'Old', '', '', 'old quokka');"
                         "INSERT INTO bodies VALUES (1, x'00', x'01', x'02');"
                         // The search index as the v2 build made it (content = pages).
                         "CREATE VIRTUAL TABLE page_search USING fts5(title, text, content='pages', "
                         "content_rowid='url_id');"
                         "INSERT INTO page_search (page_search) VALUES ('rebuild');",
                         "v2 rows")
                    .ok());
    EXPECT_EQ(*db->query_int64("PRAGMA user_version"), 2);
  }
  auto db = open_store(path, {.read_only = true, .upgrade = true});
  ASSERT_NE(db, nullptr);
  auto old = db->find_page("http://h/old");
  ASSERT_TRUE(old.ok() && *old);
  EXPECT_EQ((*old)->text, "old quokka");
  EXPECT_EQ((*old)->etag, "\"e\"");
  EXPECT_EQ((*old)->robots, "");
  EXPECT_EQ((*old)->checked_at_ms, 5);  // the fetch time
  EXPECT_FALSE((*old)->not_modified);
  EXPECT_EQ(db->body_counts()->bodies, 1);
  db.reset();
  auto writer = open_store(path);
  ASSERT_NE(writer, nullptr);
  // The old index is rebuilt in the new format, and finds the old row.
  auto refreshed = writer->refresh_search_index();
  ASSERT_TRUE(refreshed.ok()) << refreshed.status().message();
  EXPECT_EQ(refreshed->action, SearchIndexRefresh::Action::kBuilt);
  EXPECT_EQ(hits(*writer, "quokka"), 1);
  EXPECT_FALSE(writer->begin_recrawl(1)->resumed);  // the recrawls table is there
  Result<sqlite::Connection> raw = sqlite::Connection::open(path, sqlite::Connection::Mode::kReadOnly);
  EXPECT_EQ(*raw->query_int64("PRAGMA user_version"), 3);
}

INSTANTIATE_TEST_SUITE_P(Engines, RecrawlEnginesTest, testing::engines(), testing::engine_name);

}  // namespace
}  // namespace preheat::store
