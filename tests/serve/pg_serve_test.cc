// `preheat serve` on PostgreSQL (issue 8): the async server reads through
// libpq's non-blocking API on its io loop, with no database thread. These
// tests hold locks and end backends on the tests' PostgreSQL server from
// their own connection (the blocking PgConnection) and assert what the
// server answered and what pg_locks shows, never how long anything took.
#include <future>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "serve/open_serve_readers.h"
#include "store/postgres/pg_connection.h"
#include "tests/serve/serve_test_util.h"

namespace preheat::serve::testing {
namespace {

using ::testing::HasSubstr;
using store::postgres::PgConnection;

ServeOptions pg_options() {
  ServeOptions o;
  o.mode = ServeMode::kAsync;
  o.threads = 1;         // one io thread: whatever overlaps, overlaps on it
  o.db_threads = 0;      // a ReaderPool refuses 0 threads: none may be opened
  o.db_connections = 2;  // per io thread
  return o;
}

class PgServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    make_crawl_db(pg_.uri());
    Result<PgConnection> c = PgConnection::connect(pg_.uri());
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    test_ = std::move(*c);
  }
  std::int64_t count(const std::string& sql) {
    Result<std::int64_t> n = test_.query_int64(sql);
    EXPECT_TRUE(n.ok()) << n.status().message();
    return n.ok() ? *n : -1;
  }
  // Server backends waiting for a lock on `table` (pg_locks, not granted).
  std::int64_t waiting_on(const std::string& table) {
    return count("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '" + table + "'::regclass");
  }
  // Ends the backends `pids_sql` selects, waiting (up to 10 s) until they are
  // gone; how many. (OFFSET 0 keeps the filter below the call: a WHERE may
  // otherwise call pg_terminate_backend on rows it would have left out.)
  std::int64_t terminate(const std::string& pids_sql) {
    return count("SELECT count(*) FROM (" + pids_sql + " OFFSET 0) x WHERE pg_terminate_backend(x.pid, 10000)");
  }
  // Takes an exclusive lock on `runs` (until the test's COMMIT) and sends
  // `target`, whose query reads `runs`; returns once the server's backend
  // waits for the lock.
  std::future<Reply> blocked_request(std::uint16_t port, const std::string& target) {
    EXPECT_TRUE(test_.exec("BEGIN; LOCK TABLE runs IN ACCESS EXCLUSIVE MODE", "lock").ok());
    std::future<Reply> reply = std::async(std::launch::async, [port, target] { return get(port, target); });
    while (waiting_on("runs") == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return reply;
  }

  preheat::testing::PostgresTestDb pg_;
  PgConnection test_;  // the test's own connection: locks, pg_terminate_backend
};

TEST_F(PgServeTest, TheReadersOpenNoThreadAndTheServerServesWithZeroReaderThreads) {
  runtime::Runtime rt({});
  Result<std::unique_ptr<ServeReaders>> readers = open_serve_readers(rt, pg_.uri(), pg_options());
  ASSERT_TRUE(readers.ok()) << readers.status().to_string();
  EXPECT_EQ((*readers)->db_threads(), 0);
  // SQLite with the same options needs reader threads, and 0 is refused.
  preheat::testing::TempDir dir;
  make_crawl_db((dir / "crawl.db").string());
  EXPECT_FALSE(open_serve_readers(rt, (dir / "crawl.db").string(), pg_options()).ok());

  ServerThread server(pg_.uri(), pg_options());
  EXPECT_EQ(get(server.port(), "/api/stats").status, 200);
  const Reply m = get(server.port(), "/metrics");
  EXPECT_THAT(m.body, HasSubstr("\npreheat_db_threads 0\n"));
}

// Alice's request waits on a lock the test holds (her query reads `runs`);
// Bob's requests on the same io thread read other tables and are answered
// while she waits, and pg_locks shows her backend still waiting after them.
TEST_F(PgServeTest, ARequestWaitingOnALockDoesNotStopTheOthersOnItsIoThread) {
  ServerThread server(pg_.uri(), pg_options());
  std::future<Reply> alice = blocked_request(server.port(), "/api/stats");
  for (int i = 0; i < 5; ++i) {
    const Reply bob = get(server.port(), "/api/page?url=http%3A%2F%2Fsite%2Fa");
    EXPECT_EQ(bob.status, 200);
    EXPECT_THAT(bob.body, HasSubstr("\"url\":\"http://site/a\""));
  }
  EXPECT_EQ(get(server.port(), "/api/broken").status, 200);
  EXPECT_EQ(get(server.port(), "/healthz").status, 200);
  EXPECT_EQ(waiting_on("runs"), 1);  // Alice is still waiting, on the server
  EXPECT_EQ(server.stats().in_flight, 1u);
  ASSERT_TRUE(test_.exec("COMMIT", "unlock").ok());
  const Reply a = alice.get();
  EXPECT_EQ(a.status, 200);
  EXPECT_THAT(a.body, HasSubstr("\"pages\":4"));
}

// The backend serving a request is killed while the request waits on it:
// that request is a 500 naming the failure; the next ones get a new
// connection and are answered.
TEST_F(PgServeTest, ABackendKilledMidRequestIsA500AndTheServerGoesOn) {
  ServerThread server(pg_.uri(), pg_options());
  std::future<Reply> alice = blocked_request(server.port(), "/stats");
  // Ends the waiting backend and waits (up to 10 s) until it is gone.
  EXPECT_EQ(terminate("SELECT pid FROM pg_locks WHERE NOT granted AND relation = 'runs'::regclass"), 1);
  const Reply a = alice.get();
  EXPECT_EQ(a.status, 500);
  EXPECT_THAT(a.body, HasSubstr("the crawl database failed"));
  ASSERT_TRUE(test_.exec("COMMIT", "unlock").ok());
  EXPECT_EQ(get(server.port(), "/api/stats").status, 200);
  EXPECT_EQ(get(server.port(), "/stats").status, 200);
}

// Every idle connection of the server is killed between requests (as a
// PostgreSQL restart would): the call that meets the dead connection fails
// with a message; the server replaces it and answers again.
TEST_F(PgServeTest, KilledIdleConnectionsAreReplaced) {
  ServerThread server(pg_.uri(), pg_options());
  ASSERT_EQ(get(server.port(), "/api/stats").status, 200);
  EXPECT_GE(terminate("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                      "AND pid <> pg_backend_pid()"),
            1);
  // The next call meets the dead connection; the one after it opens a new one.
  const Reply first = get(server.port(), "/api/stats");
  EXPECT_EQ(first.status, 500);
  EXPECT_THAT(first.body, HasSubstr("the crawl database failed"));
  EXPECT_EQ(get(server.port(), "/api/stats").status, 200);
  EXPECT_EQ(get(server.port(), "/api/page?url=http%3A%2F%2Fsite%2F").status, 200);
}

// No PostgreSQL at that address: the server starts (connections open
// lazily), every page that needs the database is a 500 naming the failure,
// the rest is answered, and a malformed request is still a 4xx.
TEST(PgServeUnreachableTest, EveryDatabasePageIsA500WithTheReasonAndTheRestWorks) {
  preheat::testing::TempDir dir;
  const std::string uri = "postgresql://preheat@/nowhere?host=" + (dir / "no-server").string();
  ServerThread server(uri, pg_options());
  for (const char* target : {"/api/stats", "/api/page?url=http%3A%2F%2Fsite%2F", "/broken", "/timeline", "/"}) {
    SCOPED_TRACE(target);
    const Reply r = get(server.port(), target);
    EXPECT_EQ(r.status, 500);
    EXPECT_THAT(r.body, HasSubstr("the crawl database failed"));
  }
  EXPECT_EQ(get(server.port(), "/export.warc.gz").status, 500);
  EXPECT_EQ(get(server.port(), "/healthz").status, 200);
  EXPECT_EQ(get(server.port(), "/metrics").status, 200);
  EXPECT_EQ(get(server.port(), "/api/page").status, 400);
  EXPECT_EQ(exchange(server.port(), "GARBAGE\r\n\r\n").status, 400);
  EXPECT_EQ(get(server.port(), "/api/stats", "POST").status, 405);
}

}  // namespace
}  // namespace preheat::serve::testing
