// What only the PostgreSQL store has to show (the interface's semantics run
// on both engines in the TEST_P suites): concurrent claims never share a URL
// (SKIP LOCKED), text that TEXT cannot hold, the schema version check,
// connection failures as values, and an aborted batch leaves nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>

#include "store/crawl_store.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_migrations.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/postgres_server.h"
#include "tests/support/support.h"

namespace preheat::store {
namespace {

using namespace preheat::store::testing;
using preheat::testing::PostgresTestDb;

std::string psql(const std::string& uri, const std::string& sql) {
  return preheat::testing::command_output("psql -X -q -At '" + uri + "' -c \"" + sql + "\" 2>&1");
}

TEST(PostgresStoreTest, TwoStoresClaimingConcurrentlyNeverGetTheSameUrl) {
  PostgresTestDb db;
  auto a = open_store(db.uri());
  auto b = open_store(db.uri());
  ASSERT_TRUE(a && b);
  constexpr int kUrls = 600;
  WriteBatch batch;
  for (int i = 0; i < kUrls; ++i) batch.seeds.push_back(new_url("https://a.test/" + std::to_string(i), i % 3));
  ASSERT_TRUE(a->write(batch).ok());

  const auto claim_all = [](CrawlStore& store, std::vector<std::string>& got, Status& error) {
    while (true) {
      Result<std::vector<FrontierEntry>> c = store.claim_due(7, 1);
      if (!c.ok()) {
        error = c.status();
        return;
      }
      if (c->empty()) return;
      for (const FrontierEntry& e : *c) got.push_back(e.url);
    }
  };
  std::vector<std::string> got_a, got_b;
  Status error_a, error_b;
  std::thread ta([&] { claim_all(*a, got_a, error_a); });
  std::thread tb([&] { claim_all(*b, got_b, error_b); });
  ta.join();
  tb.join();
  ASSERT_TRUE(error_a.ok()) << error_a.to_string();
  ASSERT_TRUE(error_b.ok()) << error_b.to_string();
  std::set<std::string> all(got_a.begin(), got_a.end());
  all.insert(got_b.begin(), got_b.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kUrls));
  EXPECT_EQ(got_a.size() + got_b.size(), static_cast<std::size_t>(kUrls)) << "a URL was handed out twice";
  EXPECT_EQ(a->stats()->frontier[FrontierState::kClaimed], kUrls);
}

TEST(PostgresStoreTest, TwoWritersInterningTheSameUrlsBothSucceed) {
  PostgresTestDb db;
  auto a = open_store(db.uri());
  auto b = open_store(db.uri());
  ASSERT_TRUE(a && b);
  std::vector<std::string> links;
  for (int i = 0; i < 300; ++i) links.push_back("https://a.test/shared/" + std::to_string(i));
  Status sa, sb;
  std::thread ta([&] {
    for (int i = 0; i < 10 && sa.ok(); ++i) sa = a->write(pages({page("https://a.test/a" + std::to_string(i), 1, links)}));
  });
  std::thread tb([&] {
    for (int i = 0; i < 10 && sb.ok(); ++i) sb = b->write(pages({page("https://a.test/b" + std::to_string(i), 1, links)}));
  });
  ta.join();
  tb.join();
  EXPECT_TRUE(sa.ok()) << sa.to_string();
  EXPECT_TRUE(sb.ok()) << sb.to_string();
  const CrawlStats st = *a->stats();
  EXPECT_EQ(st.urls, 300 + 20);
  EXPECT_EQ(st.links, 20 * 300);
}

TEST(PostgresStoreTest, TextDropsNulBytesAndReplacesMalformedUtf8WhileBytesRoundTrip) {
  PostgresTestDb db;
  auto store = open_store(db.uri());
  ASSERT_TRUE(store);
  using namespace std::string_literals;
  PageRecord p = page("https://a.test/");
  p.title = "ti\0tle"s;
  p.text = "caf\xC3\xA9 \xFF end"s;
  p.links.push_back(LinkRecord{"java\0script:x"s, "an\0chor"s, "", "a"});
  p.keep_body = true;
  p.request_block = "GET / HTTP/1.1\r\n\0\r\n"s;
  p.response_block = "HTTP/1.1 200 OK\r\nX: \xFF\x80\r\n\r\n"s;
  p.body = "\0\x01\xFE\xFF body \0"s;
  ASSERT_TRUE(store->write(pages({p})).ok());

  std::optional<PageRecord> got = *store->find_page("https://a.test/");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->title, "title");
  EXPECT_EQ(got->text, "caf\xC3\xA9 \xEF\xBF\xBD end");
  ASSERT_EQ(got->links.size(), 1u);
  EXPECT_EQ(got->links[0].to_url, "javascript:x");
  EXPECT_EQ(got->links[0].anchor, "anchor");
  const std::vector<StoredBody> bodies = *store->bodies_after(0, 10, 1 << 20);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0].request_block, p.request_block);
  EXPECT_EQ(bodies[0].response_block, p.response_block);
  EXPECT_EQ(bodies[0].body, p.body);
}

// A database made before full-text search (every migration but the last)
// is refused read-only, and a writable open brings it to kPgSchemaVersion:
// the search tables appear and search works after a refresh.
TEST(PostgresStoreTest, AnOlderSchemaGainsSearchOnAWritableOpen) {
  PostgresTestDb db;
  const std::span<const postgres::PgMigration> all = postgres::pg_migrations();
  ASSERT_GE(all.size(), 2u);
  ASSERT_EQ(all.back().version, postgres::kPgSchemaVersion);
  {
    Result<postgres::PgConnection> c = postgres::PgConnection::connect(db.uri());
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    const Status s = postgres::check_and_migrate(*c, false, all.first(all.size() - 1));
    ASSERT_TRUE(s.ok()) << s.to_string();
  }
  EXPECT_EQ(psql(db.uri(), "SELECT to_regclass('page_search') IS NULL"), "t\n");
  Result<std::unique_ptr<CrawlStore>> old = open_crawl_store(db.uri(), {.read_only = true});
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.status().message().find("older than this preheat"), std::string::npos) << old.status().message();

  auto store = open_store(db.uri());
  ASSERT_TRUE(store);
  EXPECT_EQ(psql(db.uri(), "SELECT value FROM meta WHERE key = 'schema_version'"),
            std::to_string(postgres::kPgSchemaVersion) + "\n");
  PageRecord p = page("https://a.test/");
  p.title = "Upgraded";
  p.text = "words to find";
  ASSERT_TRUE(store->write(pages({p})).ok());
  Result<SearchResults> before = store->search(parse_search_query("find "), 0, 10);
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.status().code(), Status::Code::kNotFound);
  ASSERT_TRUE(store->refresh_search_index().ok());
  Result<SearchResults> found = store->search(parse_search_query("find "), 0, 10);
  ASSERT_TRUE(found.ok()) << found.status().to_string();
  ASSERT_EQ(found->hits.size(), 1u);
  EXPECT_EQ(found->hits[0].url, "https://a.test/");
}

TEST(PostgresStoreTest, ANewerSchemaIsRefusedNamingBothVersions) {
  PostgresTestDb db;
  ASSERT_TRUE(open_store(db.uri()));
  EXPECT_EQ(psql(db.uri(), "UPDATE meta SET value = '9' WHERE key = 'schema_version'"), "");
  for (bool read_only : {false, true}) {
    Result<std::unique_ptr<CrawlStore>> s = open_crawl_store(db.uri(), {.read_only = read_only});
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(s.status().message().find("schema version 9"), std::string::npos) << s.status().message();
    EXPECT_NE(s.status().message().find("(" + std::to_string(postgres::kPgSchemaVersion) + ")"), std::string::npos);
  }
}

TEST(PostgresStoreTest, AnotherApplicationsDatabaseIsLeftAlone) {
  PostgresTestDb db;
  EXPECT_EQ(psql(db.uri(), "CREATE TABLE orders (id int)"), "");
  Result<std::unique_ptr<CrawlStore>> s = open_crawl_store(db.uri());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.status().message().find("not a preheat database"), std::string::npos);
  EXPECT_EQ(psql(db.uri(), "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"), "1\n");
}

TEST(PostgresStoreTest, AnEmptyDatabaseOpenedReadOnlyIsNotFoundAndStaysEmpty) {
  PostgresTestDb db;
  Result<std::unique_ptr<CrawlStore>> s = open_crawl_store(db.uri(), {.read_only = true});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(psql(db.uri(), "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"), "0\n");
}

TEST(PostgresStoreTest, AReadOnlyOpenRefusesWrites) {
  PostgresTestDb db;
  ASSERT_TRUE(open_store(db.uri()));
  auto reader = open_store(db.uri(), {.read_only = true});
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->write(seeds({"https://a.test/"})).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(*reader->page_count(), 0);
}

TEST(PostgresStoreTest, AServerThatCannotBeReachedIsAnIoErrorValue) {
  Result<std::unique_ptr<CrawlStore>> s =
      open_crawl_store("postgresql://preheat@/nodb?host=/nonexistent-preheat-socket-dir&connect_timeout=2");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kIoError);
  EXPECT_NE(s.status().message().find("cannot connect to PostgreSQL"), std::string::npos) << s.status().message();
  // A database that does not exist on a running server: libpq's message.
  PostgresTestDb db;
  std::string uri = db.uri();
  uri.replace(uri.find(db.name()), db.name().size(), "no_such_database_here");
  s = open_crawl_store(uri);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kIoError);
  EXPECT_NE(s.status().message().find("no_such_database_here"), std::string::npos) << s.status().message();
}

// The interning statement answers the URLs it found and those it inserted;
// a URL another writer committed while the statement waited for it is
// neither, and is looked up after (postgres_crawl_store.cc kInternUrls).
// Made deterministic: a holds its new URLs uncommitted (inside its batch)
// until b's interning is seen waiting for them in pg_locks.
TEST(PostgresStoreTest, AUrlAnotherWriterCommitsWhileTheInterningWaitsIsLookedUpAfter) {
  PostgresTestDb db;
  auto b = open_store(db.uri());
  ASSERT_TRUE(b);
  std::vector<std::string> links;
  for (int i = 0; i < 50; ++i) links.push_back("https://a.test/shared/" + std::to_string(i));
  Status sb = Status::internal("not written");
  std::thread tb;
  bool armed = false;
  OpenOptions options;
  options.after_first_page_for_test = [&] {
    if (!std::exchange(armed, false)) return;
    tb = std::thread([&] { sb = b->write(pages({page("https://a.test/b", 1, links)})); });
    const std::string waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted";
    for (int i = 0; i < 6000 && psql(db.uri(), waiting) != "1\n"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(psql(db.uri(), waiting), "1\n") << "b's interning never waited for a's URLs";
  };
  auto a = open_store(db.uri(), options);
  ASSERT_TRUE(a);
  armed = true;
  Status sa = a->write(pages({page("https://a.test/a", 1, links)}));
  ASSERT_TRUE(tb.joinable());
  tb.join();
  EXPECT_TRUE(sa.ok()) << sa.to_string();
  EXPECT_TRUE(sb.ok()) << sb.to_string();
  const CrawlStats st = *a->stats();
  EXPECT_EQ(st.urls, 50 + 2);
  EXPECT_EQ(st.links, 2 * 50);
}

TEST(PostgresStoreTest, ABatchAbortedAfterItsFirstPageLeavesNothingAndTheStoreWritesOn) {
  PostgresTestDb db;
  bool armed = false;
  OpenOptions options;
  options.after_first_page_for_test = [&] {
    if (armed) throw std::runtime_error("abort inside the batch");
  };
  auto store = open_store(db.uri(), options);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->write(seeds({"https://a.test/"})).ok());
  armed = true;
  EXPECT_THROW((void)store->write(pages({page("https://a.test/", 0, {"https://a.test/x"}), page("https://a.test/2")})),
               std::runtime_error);
  EXPECT_EQ(*store->page_count(), 0);
  EXPECT_EQ(store->stats()->urls, 1);
  EXPECT_FALSE(*store->find_page("https://a.test/"));
  armed = false;
  ASSERT_TRUE(store->write(pages({page("https://a.test/", 0, {"https://a.test/x"})})).ok());
  EXPECT_EQ(*store->page_count(), 1);
  // A refused record refuses the whole batch.
  PageRecord bad = page("https://a.test/3");
  bad.state = FrontierState::kClaimed;
  EXPECT_FALSE(store->write(pages({page("https://a.test/4"), bad})).ok());
  EXPECT_EQ(*store->page_count(), 1);
}

}  // namespace
}  // namespace preheat::store
