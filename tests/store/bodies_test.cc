// Schema 2: the bodies table. A body round-trips byte for byte, a page
// written again without one loses it, the export reads page through it in
// key order, and a database written at schema 1 is migrated with its rows
// kept (also by a read-only open that asks for the upgrade).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/crawl_store.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/support.h"

namespace preheat::store {
namespace {

using preheat::testing::TempDir;
using testing::open_store;
using testing::page;
using ::testing::HasSubstr;

PageRecord with_body(std::string url, std::string body) {
  PageRecord p = page(std::move(url));
  p.keep_body = true;
  p.request_block = "GET / HTTP/1.1\r\n\r\n";
  p.response_block = "HTTP/1.1 200 OK\r\nX-Bytes: \xff\x01\r\n\r\n";
  p.body = std::move(body);
  return p;
}

class BodiesEnginesTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BodiesEnginesTest, ABodyRoundTripsAndARewriteWithoutOneDropsIt) {
  testing::EngineDb engine(GetParam());
  auto db = open_store(engine.location());
  const std::string binary("\0\x01\x02\xff<html>\0", 11);
  WriteBatch b;
  b.pages.push_back(with_body("http://h/a", binary));
  b.pages.push_back(with_body("http://h/b", ""));
  b.pages.push_back(page("http://h/c"));
  ASSERT_TRUE(db->write(b).ok());
  auto bodies = db->bodies_after(0, 10, 1 << 20);
  ASSERT_TRUE(bodies.ok()) << bodies.status().message();
  ASSERT_EQ(bodies->size(), 2u);
  EXPECT_EQ((*bodies)[0].url, "http://h/a");
  EXPECT_EQ((*bodies)[0].final_url, "http://h/a");
  EXPECT_EQ((*bodies)[0].body, binary);
  EXPECT_EQ((*bodies)[0].response_block, "HTTP/1.1 200 OK\r\nX-Bytes: \xff\x01\r\n\r\n");
  EXPECT_EQ((*bodies)[0].request_block, "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ((*bodies)[0].status, 200);
  EXPECT_EQ((*bodies)[0].fetched_at_ms, 1000);
  EXPECT_EQ((*bodies)[1].body, "");
  EXPECT_EQ(db->body_counts()->answered_without_body, 1);  // /c

  WriteBatch again;
  again.pages.push_back(page("http://h/a"));
  ASSERT_TRUE(db->write(again).ok());
  bodies = db->bodies_after(0, 10, 1 << 20);
  ASSERT_EQ(bodies->size(), 1u);
  EXPECT_EQ((*bodies)[0].url, "http://h/b");
  EXPECT_EQ(db->body_counts()->answered_without_body, 2);
}

TEST_P(BodiesEnginesTest, ReadsPageThroughInKeyOrderWithinTheirLimits) {
  testing::EngineDb engine(GetParam());
  auto db = open_store(engine.location());
  WriteBatch b;
  for (int i = 0; i < 5; ++i) {
    PageRecord p = with_body("http://h/" + std::to_string(i), std::string(1000, 'x'));
    p.links.push_back(LinkRecord{"http://h/" + std::to_string(i + 1), "n", "", "a"});
    p.links.push_back(LinkRecord{"http://elsewhere/", "e", "", "a"});
    b.pages.push_back(std::move(p));
  }
  ASSERT_TRUE(db->write(b).ok());
  // 1,500 bytes per read: two bodies (the second passes the limit), then stop.
  std::vector<std::string> urls;
  UrlId after = 0;
  int reads = 0;
  while (true) {
    auto rows = db->bodies_after(after, 10, 1500);
    ASSERT_TRUE(rows.ok());
    if (rows->empty()) break;
    EXPECT_LE(rows->size(), 2u);
    ++reads;
    for (const StoredBody& r : *rows) urls.push_back(r.url);
    after = rows->back().page_id;
  }
  EXPECT_EQ(reads, 3);
  EXPECT_EQ(urls, (std::vector<std::string>{"http://h/0", "http://h/1", "http://h/2", "http://h/3", "http://h/4"}));
  // A body bigger than the limit still comes, alone.
  EXPECT_EQ(db->bodies_after(0, 10, 1)->size(), 1u);

  std::vector<std::string> links;
  UrlId from = 0;
  std::int64_t seq = -1;
  while (true) {
    auto rows = db->links_after(from, seq, 3);
    ASSERT_TRUE(rows.ok()) << rows.status().message();
    if (rows->empty()) break;
    for (const LinkExport& l : *rows) {
      links.push_back(l.from_url + " " + l.to_url + " " + (l.target_status ? std::to_string(*l.target_status) : "-"));
    }
    from = rows->back().from_id;
    seq = rows->back().seq;
  }
  ASSERT_EQ(links.size(), 10u);
  EXPECT_EQ(links[0], "http://h/0 http://h/1 200");
  EXPECT_EQ(links[1], "http://h/0 http://elsewhere/ -");
  EXPECT_EQ(links[8], "http://h/4 http://h/5 -");

  auto pages = db->pages_after(0, 2);
  ASSERT_TRUE(pages.ok());
  ASSERT_EQ(pages->size(), 2u);
  EXPECT_EQ((*pages)[1].page.url, "http://h/1");
  EXPECT_EQ(db->pages_after((*pages)[1].id, 100)->size(), 3u);
}

// A database at schema 1, made the way this build's first migration makes
// it, with one page written by SQL.
void make_v1(const std::string& path) {
  Result<sqlite::Connection> db = sqlite::Connection::open(path, sqlite::Connection::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(sqlite::apply_migrations(*db, sqlite::migrations().first(1)).ok());
  ASSERT_TRUE(db->exec("INSERT INTO urls (id, url) VALUES (1, 'http://h/old');"
                       "INSERT INTO frontier (url_id, state, depth) VALUES (1, 2, 0);"
                       "INSERT INTO pages (url_id, final_url_id, status, depth, attempts, fetched_at_ms, elapsed_s, "
                       "bytes, wire_bytes, error_class, content_type, etag, last_modified, canonical, language, title, "
                       "description, error_message, text) VALUES (1, 1, 200, 0, 1, 5, 0.1, 3, 3, '', 'text/html', '', "
                       "'', '', 'en', 'Old', '', '', 'old text')",
                       "v1 rows")
                  .ok());
  EXPECT_EQ(*db->query_int64("PRAGMA user_version"), 1);
}

TEST(BodiesTest, ASchemaOneDatabaseIsMigratedWithItsRows) {
  TempDir dir;
  const std::string path = (dir / "v1.db").string();
  make_v1(path);
  // A plain read-only open still refuses it; with upgrade it migrates.
  auto refused = open_crawl_store(path, {.read_only = true});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("schema version 1, older than this preheat (" + std::to_string(kSchemaVersion) + ")"));
  auto db = open_store(path, {.read_only = true, .upgrade = true});
  ASSERT_NE(db, nullptr);
  auto old = db->find_page("http://h/old");
  ASSERT_TRUE(old.ok() && *old);
  EXPECT_EQ((*old)->title, "Old");
  EXPECT_EQ((*old)->text, "old text");
  EXPECT_EQ(db->bodies_after(0, 10, 1 << 20)->size(), 0u);
  EXPECT_EQ(db->body_counts()->answered_without_body, 1);
  db.reset();
  // Now current: a writer adds bodies beside the old rows.
  auto writer = open_store(path);
  WriteBatch b;
  b.pages.push_back(with_body("http://h/new", "new body"));
  ASSERT_TRUE(writer->write(b).ok());
  EXPECT_EQ(writer->page_count().value(), 2);
  EXPECT_EQ(writer->body_counts()->bodies, 1);
  Result<sqlite::Connection> raw = sqlite::Connection::open(path, sqlite::Connection::Mode::kReadOnly);
  EXPECT_EQ(*raw->query_int64("PRAGMA user_version"), kSchemaVersion);
}

TEST(BodiesTest, ANewerSchemaIsStillRefusedByAnUpgradingOpen) {
  TempDir dir;
  const std::string path = (dir / "v9.db").string();
  make_v1(path);
  {
    Result<sqlite::Connection> db = sqlite::Connection::open(path, sqlite::Connection::Mode::kReadWriteCreate);
    ASSERT_TRUE(db->exec("PRAGMA user_version = 9", "bump").ok());
  }
  auto opened = open_crawl_store(path, {.read_only = true, .upgrade = true});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(opened.status().message(), HasSubstr("newer than this preheat"));
}

INSTANTIATE_TEST_SUITE_P(Engines, BodiesEnginesTest, testing::engines(), testing::engine_name);

}  // namespace
}  // namespace preheat::store
