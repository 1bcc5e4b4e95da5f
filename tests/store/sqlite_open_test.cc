// Opening a crawl database: create, reopen, refuse what is not ours, read-only.
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/crawl_store.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/support.h"

namespace preheat::store {
namespace {

using ::testing::HasSubstr;
using namespace preheat::store::testing;
using preheat::testing::TempDir;
namespace fs = std::filesystem;

std::int64_t pragma(const std::string& path, const std::string& sql) {
  Result<sqlite::Connection> db = sqlite::Connection::open(path, sqlite::Connection::Mode::kReadOnly);
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  Result<std::int64_t> v = db->query_int64(sql);
  EXPECT_TRUE(v.ok()) << v.status().to_string();
  return v.ok() ? *v : -1;
}

TEST(SqliteOpenTest, CreatesStampsAndReopens) {
  TempDir dir;
  const std::string path = (dir / "crawl.db").string();
  {
    auto store = open_store(path);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->write(seeds({"https://a.test/"})).ok());
  }
  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ(pragma(path, "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(pragma(path, "PRAGMA application_id"), sqlite::kApplicationId);

  auto store = open_store(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(frontier_urls(*store), std::vector<std::string>{"https://a.test/"});
  EXPECT_EQ(pragma(path, "PRAGMA user_version"), kSchemaVersion);
}

TEST(SqliteOpenTest, UsesWal) {
  TempDir dir;
  const std::string path = (dir / "crawl.db").string();
  ASSERT_TRUE(open_store(path));
  Result<sqlite::Connection> db = sqlite::Connection::open(path, sqlite::Connection::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  Result<sqlite::Statement> mode = db->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->step());
  EXPECT_EQ(mode->column_text(0), "wal");
}

TEST(SqliteOpenTest, EmptyFileIsInitialised) {
  TempDir dir;
  const fs::path path = dir / "crawl.db";
  preheat::testing::write_file(path, "");
  auto store = open_store(path.string());
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->page_count(), 0);
  EXPECT_EQ(pragma(path.string(), "PRAGMA user_version"), kSchemaVersion);
}

TEST(SqliteOpenTest, NewerSchemaIsRefused) {
  TempDir dir;
  const std::string path = (dir / "crawl.db").string();
  ASSERT_TRUE(open_store(path));
  {
    Result<sqlite::Connection> db = sqlite::Connection::open(path, sqlite::Connection::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("PRAGMA user_version = 7", "test").ok());
  }
  for (bool read_only : {false, true}) {
    Result<std::unique_ptr<CrawlStore>> store = open_crawl_store(path, OpenOptions{.read_only = read_only});
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(store.status().message(),
              "database '" + path + "' has schema version 7, newer than this preheat (" + std::to_string(kSchemaVersion) + "): use a newer preheat");
  }
  EXPECT_EQ(pragma(path, "PRAGMA user_version"), 7);
}

TEST(SqliteOpenTest, TextFileIsRefusedAndLeftAlone) {
  TempDir dir;
  const fs::path path = dir / "notes.txt";
  const std::string content = "these are my notes\nnot a database at all\n";
  preheat::testing::write_file(path, content);
  for (bool read_only : {false, true}) {
    Result<std::unique_ptr<CrawlStore>> store = open_crawl_store(path.string(), OpenOptions{.read_only = read_only});
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(store.status().message(), "'" + path.string() + "' is not a preheat database: file is not a database");
  }
  EXPECT_EQ(preheat::testing::read_file(path), content);
  EXPECT_FALSE(fs::exists(path.string() + "-wal"));
  EXPECT_FALSE(fs::exists(path.string() + "-shm"));
}

TEST(SqliteOpenTest, OtherSqliteDatabaseIsRefusedAndLeftAlone) {
  TempDir dir;
  const fs::path path = dir / "other.db";
  {
    Result<sqlite::Connection> db = sqlite::Connection::open(path.string(), sqlite::Connection::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('bread')", "test").ok());
  }
  const std::string before = preheat::testing::read_file(path);
  Result<std::unique_ptr<CrawlStore>> store = open_crawl_store(path.string());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(store.status().message(), HasSubstr("'" + path.string() + "' is not a preheat database"));
  EXPECT_EQ(preheat::testing::read_file(path), before);
}

TEST(SqliteOpenTest, UnwritablePathIsAnIoErrorNamingIt) {
  TempDir dir;
  for (const std::string& path :
       {std::string("/proc/preheat-no-such/crawl.db"), (dir / "missing/dir/crawl.db").string()}) {
    Result<std::unique_ptr<CrawlStore>> store = open_crawl_store(path);
    ASSERT_FALSE(store.ok()) << path;
    EXPECT_EQ(store.status().code(), Status::Code::kIoError);
    EXPECT_THAT(store.status().message(), HasSubstr("'" + path + "'"));
  }
}

TEST(SqliteOpenTest, DirectoryIsAnIoError) {
  TempDir dir;
  Result<std::unique_ptr<CrawlStore>> store = open_crawl_store(dir.path().string());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kIoError);
  EXPECT_THAT(store.status().message(), HasSubstr(dir.path().string()));
}

TEST(SqliteOpenTest, ReadOnlyOpenOfMissingFileIsNotFound) {
  TempDir dir;
  const std::string path = (dir / "crawl.db").string();
  Result<std::unique_ptr<CrawlStore>> store = open_crawl_store(path, OpenOptions{.read_only = true});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store.status().message(), "no crawl database at '" + path + "'");
  EXPECT_FALSE(fs::exists(path));
}

TEST(SqliteOpenTest, ReadOnlyOpenOfEmptyFileIsNotFound) {
  TempDir dir;
  const fs::path path = dir / "crawl.db";
  preheat::testing::write_file(path, "");
  Result<std::unique_ptr<CrawlStore>> store = open_crawl_store(path.string(), OpenOptions{.read_only = true});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(fs::file_size(path), 0u);
}

TEST(SqliteOpenTest, ReaderWorksWhileWriterHoldsTheDatabase) {
  TempDir dir;
  const std::string path = (dir / "crawl.db").string();
  std::unique_ptr<CrawlStore> reader;
  OpenOptions writer_options;
  std::int64_t seen_inside_write = -1;
  // Called inside the writer's open transaction: the reader still reads, and
  // sees only what was committed.
  writer_options.after_first_page_for_test = [&] {
    if (reader) seen_inside_write = *reader->page_count();
  };
  auto writer = open_store(path, writer_options);
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->write(pages({page("https://a.test/1")})).ok());

  reader = open_store(path, OpenOptions{.read_only = true});
  ASSERT_TRUE(reader);
  EXPECT_EQ(*reader->page_count(), 1);
  EXPECT_EQ(*reader->page_urls(std::nullopt), std::vector<std::string>{"https://a.test/1"});

  ASSERT_TRUE(writer->write(pages({page("https://a.test/2"), page("https://a.test/3")})).ok());
  EXPECT_EQ(seen_inside_write, 1);
  EXPECT_EQ(*reader->page_count(), 3);
  EXPECT_EQ(reader->stats()->pages, 3);

  // The reader cannot write.
  const Status s = reader->write(seeds({"https://a.test/x"}));
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(reader->claim_due(10, 0).status().code(), Status::Code::kInvalidArgument);
}

TEST(SqliteOpenTest, ReaderWorksAfterWriterClosed) {
  TempDir dir;
  const std::string path = (dir / "crawl.db").string();
  {
    auto writer = open_store(path);
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->write(pages({page("https://a.test/1")})).ok());
  }
  auto reader = open_store(path, OpenOptions{.read_only = true});
  ASSERT_TRUE(reader);
  EXPECT_EQ(*reader->page_count(), 1);
}

TEST(SqliteOpenTest, PostgresLocationsGoToThePostgresStoreAndItsErrorsHideThePassword) {
  for (const char* location : {"postgresql://me:secret@/crawl?host=/nonexistent-preheat-dir",
                               "postgres://me:secret@/crawl?host=/nonexistent-preheat-dir"}) {
    Result<std::unique_ptr<CrawlStore>> store = open_crawl_store(location);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), Status::Code::kIoError);
    EXPECT_THAT(store.status().message(), HasSubstr("cannot connect to PostgreSQL"));
    EXPECT_THAT(store.status().message(), ::testing::Not(HasSubstr("secret")));
  }
}

TEST(SqliteOpenTest, FreshDeletesEveryRowAndKeepsTheSchema) {
  TempDir dir;
  const std::string path = (dir / "crawl.db").string();
  {
    auto store = open_store(path);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->begin_run(RunInfo{1, "async", "https://a.test/", "crawl"}).ok());
    PageRecord p = page("https://a.test/", 0, {"https://a.test/b"});
    p.discovered.push_back(new_url("https://a.test/b", 1));
    p.redirects.push_back(RedirectRecord{"https://a.test/", "https://a.test/", 301});
    ASSERT_TRUE(store->write(pages({p})).ok());
    ASSERT_EQ(store->stats()->pages, 1);
  }
  auto store = open_store(path, OpenOptions{.fresh = true});
  ASSERT_TRUE(store);
  const CrawlStats st = *store->stats();
  EXPECT_EQ(st.urls, 0);
  EXPECT_EQ(st.pages, 0);
  EXPECT_EQ(st.links, 0);
  EXPECT_EQ(st.redirects, 0);
  EXPECT_EQ(st.runs, 0);
  EXPECT_TRUE(st.frontier.empty());
  EXPECT_EQ(pragma(path, "PRAGMA user_version"), kSchemaVersion);
  // And it works as new.
  ASSERT_TRUE(store->write(pages({page("https://a.test/", 0, {"https://a.test/c"})})).ok());
  EXPECT_EQ(store->find_page("https://a.test/")->value().links.at(0).to_url, "https://a.test/c");
}

TEST(SqliteOpenTest, FreshNeedsAWriter) {
  TempDir dir;
  const std::string path = (dir / "crawl.db").string();
  ASSERT_TRUE(open_store(path));
  Result<std::unique_ptr<CrawlStore>> store = open_crawl_store(path, OpenOptions{.read_only = true, .fresh = true});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kInvalidArgument);
}

TEST(SqliteOpenTest, InMemoryDatabaseForTests) {
  auto store = open_store(":memory:");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->write(pages({page("https://a.test/")})).ok());
  EXPECT_EQ(*store->page_count(), 1);
}

TEST(SqliteOpenTest, FrontierStateNames) {
  EXPECT_STREQ(to_string(FrontierState::kQueued), "queued");
  EXPECT_STREQ(to_string(FrontierState::kClaimed), "claimed");
  EXPECT_STREQ(to_string(FrontierState::kDone), "done");
  EXPECT_STREQ(to_string(FrontierState::kFailed), "failed");
}

}  // namespace
}  // namespace preheat::store
