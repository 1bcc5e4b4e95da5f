// PgAsyncPool against a real server. Overlap is proven by server state, not
// by time: K queries wait on an advisory lock the test holds, and the test
// looks until the server shows all K waiting at once, while a counter
// coroutine keeps advancing on the same event loop thread.
#include "store/postgres/pg_async_pool.h"

#include <gtest/gtest.h>

#include <set>

#include "runtime/scope.h"
#include "tests/store/pg_async_test_support.h"
#include "tests/support/postgres_server.h"

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's false positive on Asio's coroutine frame allocator (as in crawl/crawler.cc).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace preheat::store {
namespace {

using namespace pg_test;
namespace asio = runtime::asio;

constexpr int kQueries = 4;

const char* kWaitersSql = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted";

Task<void> wait_for_lock(PgAsyncPool& pool, Result<PgResult>& out) {
  out = co_await pool.query("SELECT pg_advisory_lock_shared(42), pg_backend_pid()");
}

Task<void> count_ticks(const bool& stop, long& ticks) {
  auto ex = co_await asio::this_coro::executor;
  while (!stop) {
    ++ticks;
    co_await asio::post(ex, asio::use_awaitable);
  }
}

struct Overlap {
  std::vector<Result<PgResult>> results;
  std::string waiting_in_activity;
  long ticks_before = 0, ticks_while_waiting = 0;
  int still_waiting = 0;  // queries not finished when the counter was read
  std::size_t opened = 0;
};

Task<Overlap> overlap(std::string uri) {
  auto ex = co_await asio::this_coro::executor;
  std::unique_ptr<PgAsyncConnection> control = co_await must_connect(ex, uri);
  co_await must_value(*control, "SELECT pg_advisory_lock(42)");
  PgAsyncPool pool(ex, {.uri = uri, .connections = kQueries});
  Overlap o;
  for (int i = 0; i < kQueries; ++i) o.results.emplace_back(Status::internal("not run"));
  bool stop = false;
  long ticks = 0;
  runtime::Scope scope(ex);
  scope.spawn(count_ticks(stop, ticks));
  for (auto& r : o.results) scope.spawn(wait_for_lock(pool, r));
  co_await until_value(*control, kWaitersSql, std::to_string(kQueries));  // all K in progress at once
  o.ticks_before = ticks;
  // Yield to the loop while all K still wait on the server: the counter,
  // on this same thread, must advance (a round trip alone is not enough: the
  // driver reads at once, without a wait, when the answer is already there).
  for (int i = 0; i < 3; ++i) co_await asio::post(ex, asio::use_awaitable);
  o.waiting_in_activity = co_await must_value(
      *control, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
  o.ticks_while_waiting = ticks;
  for (const auto& r : o.results) o.still_waiting += r.status().message() == "not run" ? 1 : 0;
  co_await must_value(*control, "SELECT pg_advisory_unlock(42)");
  stop = true;
  co_await scope.join();
  o.opened = pool.opened();
  co_return o;
}

TEST(PgAsyncPoolTest, KQueriesOnKConnectionsAreInProgressAtOnceWhileTheLoopRunsOtherWork) {
  testing::PostgresTestDb db;
  Overlap o = run_async(overlap(db.uri()));
  EXPECT_EQ(o.waiting_in_activity, std::to_string(kQueries));
  EXPECT_EQ(o.still_waiting, kQueries);
  EXPECT_GT(o.ticks_while_waiting, o.ticks_before);  // the loop thread was never blocked
  std::set<std::string> pids;
  for (const auto& r : o.results) {
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    pids.insert(std::string(r->value(0, 1)));
  }
  EXPECT_EQ(pids.size(), static_cast<std::size_t>(kQueries));
  EXPECT_EQ(o.opened, static_cast<std::size_t>(kQueries));
}

struct Replaced {
  std::string pid_before, pid_after;
  Status failed;
  std::size_t idle_after_failure = 99, opened = 0;
};

Task<std::string> pool_value(PgAsyncPool& pool, std::string sql) {
  Result<PgResult> r = co_await pool.query(std::move(sql));
  if (!r.ok()) throw std::runtime_error(r.status().to_string());
  co_return std::string(r->value(0, 0));
}

Task<Replaced> replace_broken(std::string uri) {
  auto ex = co_await asio::this_coro::executor;
  std::unique_ptr<PgAsyncConnection> control = co_await must_connect(ex, uri);
  PgAsyncPool pool(ex, {.uri = uri, .connections = 1});
  Replaced r;
  r.pid_before = co_await pool_value(pool, "SELECT pg_backend_pid()");
  co_await must_value(*control, "SELECT pg_terminate_backend(" + r.pid_before + ", 60000)");
  r.failed = (co_await pool.query("SELECT 1")).status();
  r.idle_after_failure = pool.idle();
  r.pid_after = co_await pool_value(pool, "SELECT pg_backend_pid()");
  r.opened = pool.opened();
  co_return r;
}

TEST(PgAsyncPoolTest, ATerminatedConnectionFailsOneQueryAndIsReplaced) {
  testing::PostgresTestDb db;
  Replaced r = run_async(replace_broken(db.uri()));
  EXPECT_EQ(r.failed.code(), Status::Code::kIoError) << r.failed.to_string();
  EXPECT_EQ(r.idle_after_failure, 0u);  // the broken connection was dropped
  EXPECT_NE(r.pid_after, r.pid_before);
  EXPECT_EQ(r.opened, 2u);
}

struct Queue {
  Status overflow, after_close;
  Result<PgResult> waiter = Status::internal("not run");
  std::size_t idle_after_close = 99;
};

Task<void> queued_query(PgAsyncPool& pool, Result<PgResult>& out) { out = co_await pool.query("SELECT 'waited'"); }

Task<Queue> bounded_queue(std::string uri) {
  auto ex = co_await asio::this_coro::executor;
  PgAsyncPool pool(ex, {.uri = uri, .connections = 1, .max_waiters = 1});
  Queue q;
  std::optional<Result<PgAsyncPool::Lease>> held(co_await pool.acquire());
  if (!held->ok()) throw std::runtime_error(held->status().to_string());
  runtime::Scope scope(ex);
  scope.spawn(queued_query(pool, q.waiter));
  while (pool.waiting() < 1) co_await asio::post(ex, asio::use_awaitable);
  q.overflow = (co_await pool.acquire()).status();  // a second waiter is one too many
  held.reset();                                     // the queued one gets the connection
  co_await scope.join();
  pool.close();
  q.idle_after_close = pool.idle();
  q.after_close = (co_await pool.acquire()).status();
  co_return q;
}

TEST(PgAsyncPoolTest, TheWaitQueueIsBoundedAndAClosedPoolRefusesToLend) {
  testing::PostgresTestDb db;
  Queue q = run_async(bounded_queue(db.uri()));
  EXPECT_EQ(q.overflow.code(), Status::Code::kIoError);
  EXPECT_NE(q.overflow.message().find("too many waiting"), std::string::npos) << q.overflow.message();
  ASSERT_TRUE(q.waiter.ok()) << q.waiter.status().to_string();
  EXPECT_EQ(q.waiter->value(0, 0), "waited");
  EXPECT_EQ(q.idle_after_close, 0u);
  EXPECT_EQ(q.after_close.code(), Status::Code::kIoError);
  EXPECT_NE(q.after_close.message().find("closed"), std::string::npos);
}

// A query (holding the only connection) and a queued acquire are cancelled.
struct Cancelled {
  bool query_aborted = false, queued_aborted = false;
  std::size_t idle = 99, waiting = 99, opened = 0;
  std::string after;
};

Task<void> cancellable(PgAsyncPool& pool, std::string sql, bool& aborted) {
  try {
    Result<PgResult> r = co_await pool.query(std::move(sql));
  } catch (const boost::system::system_error& e) {
    aborted = e.code() == asio::error::operation_aborted;
  }
}

Task<Cancelled> cancel_in_flight(std::string uri) {
  auto ex = co_await asio::this_coro::executor;
  std::unique_ptr<PgAsyncConnection> control = co_await must_connect(ex, uri);
  co_await must_value(*control, "SELECT pg_advisory_lock(7)");
  PgAsyncPool pool(ex, {.uri = uri, .connections = 1});
  Cancelled c;
  runtime::Scope scope(ex);
  scope.spawn(cancellable(pool, "SELECT pg_advisory_lock(7)", c.query_aborted));
  scope.spawn(cancellable(pool, "SELECT 'never'", c.queued_aborted));
  co_await until_value(*control, kWaitersSql, "1");  // the first is waiting on the server
  while (pool.waiting() < 1) co_await asio::post(ex, asio::use_awaitable);
  scope.cancel();
  co_await scope.join();
  c.idle = pool.idle();
  c.waiting = pool.waiting();
  co_await must_value(*control, "SELECT pg_advisory_unlock(7)");
  c.after = co_await pool_value(pool, "SELECT 'works'");
  c.opened = pool.opened();
  pool.close();
  co_return c;
}

TEST(PgAsyncPoolTest, CancellingAQueryInFlightDiscardsItsConnectionAndThePoolCarriesOn) {
  testing::PostgresTestDb db;
  Cancelled c = run_async(cancel_in_flight(db.uri()));
  EXPECT_TRUE(c.query_aborted);
  EXPECT_TRUE(c.queued_aborted);
  EXPECT_EQ(c.idle, 0u);     // the half-read connection was not given back
  EXPECT_EQ(c.waiting, 0u);  // the cancelled waiter left the queue
  EXPECT_EQ(c.after, "works");
  EXPECT_EQ(c.opened, 2u);
}

}  // namespace
}  // namespace preheat::store
