// PgAsyncConnection against a real PostgreSQL server: parameters (text,
// binary, NULL, a send larger than the socket buffer), SQL errors with their
// SQLSTATE, a refused connection, and a backend the server terminates.
#include "store/postgres/pg_async_connection.h"

#include <gtest/gtest.h>

#include "runtime/scope.h"
#include "tests/store/pg_async_test_support.h"
#include "tests/support/postgres_server.h"

// Scope::spawn of Asio frames trips GCC 12's false positive (see crawl/crawler.cc).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace preheat::store {
namespace {

using namespace pg_test;

struct Outcome {
  std::string sum, null_check, binary_sum, big_length, big_tail;
};

Task<Outcome> parameters(std::string uri) {
  auto ex = co_await runtime::asio::this_coro::executor;
  std::unique_ptr<PgAsyncConnection> conn = co_await must_connect(ex, uri);
  Outcome o;
  std::vector<PgParam> text_params{PgParam::text("41"), PgParam::null()};
  Result<PgResult> r = co_await conn->query("SELECT $1::int + 1, $2::text IS NULL", std::move(text_params));
  if (!r.ok()) throw std::runtime_error(r.status().to_string());
  o.sum = r->value(0, 0);
  o.null_check = r->value(0, 1);
  PgStatement binary{"SELECT $1 + 1", {PgParam::int4(-43)}, true};
  Result<PgResult> b = co_await conn->query(std::move(binary));
  if (!b.ok()) throw std::runtime_error(b.status().to_string());
  o.binary_sum = std::to_string(pg_detail::read_binary_int(b->value(0, 0)));
  // 8 MB: far more than a socket buffer, so the PQflush loop must wait.
  std::string big(8 << 20, 'x');
  big.replace(big.size() - 3, 3, "end");
  std::vector<PgParam> big_params{PgParam::text(std::move(big))};
  Result<PgResult> l = co_await conn->query("SELECT length($1), right($1, 3)", std::move(big_params));
  if (!l.ok()) throw std::runtime_error(l.status().to_string());
  o.big_length = l->value(0, 0);
  o.big_tail = l->value(0, 1);
  co_return o;
}

TEST(PgAsyncConnectionTest, TextBinaryNullAndLargeParametersRoundTrip) {
  testing::PostgresTestDb db;
  Outcome o = run_async(parameters(db.uri()));
  EXPECT_EQ(o.sum, "42");
  EXPECT_EQ(o.null_check, "t");
  EXPECT_EQ(o.binary_sum, "-42");
  EXPECT_EQ(o.big_length, std::to_string(8 << 20));
  EXPECT_EQ(o.big_tail, "end");
}

struct Errors {
  Status syntax, duplicate;
  bool broken_after = true;
  std::string after;
};

Task<Errors> sql_errors(std::string uri) {
  auto ex = co_await runtime::asio::this_coro::executor;
  std::unique_ptr<PgAsyncConnection> conn = co_await must_connect(ex, uri);
  Errors e;
  e.syntax = (co_await conn->query("SELEC 1")).status();
  co_await must_value(*conn, "CREATE TABLE u (v int PRIMARY KEY)");
  co_await must_value(*conn, "INSERT INTO u VALUES (1)");
  e.duplicate = (co_await conn->query("INSERT INTO u VALUES (1)")).status();
  e.broken_after = conn->broken();
  e.after = co_await must_value(*conn, "SELECT count(*) FROM u");
  co_return e;
}

TEST(PgAsyncConnectionTest, SqlErrorsAreValuesWithTheirSqlstateAndTheConnectionStaysUsable) {
  testing::PostgresTestDb db;
  Errors e = run_async(sql_errors(db.uri()));
  EXPECT_EQ(e.syntax.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(pg_sqlstate(e.syntax), "42601") << e.syntax.message();
  EXPECT_NE(e.syntax.message().find("syntax error"), std::string::npos) << e.syntax.message();
  EXPECT_EQ(e.duplicate.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(pg_sqlstate(e.duplicate), "23505") << e.duplicate.message();
  EXPECT_FALSE(e.broken_after);
  EXPECT_EQ(e.after, "1");
}

struct CopyOutcome {
  Status copy;
  bool broken = false;
};

Task<CopyOutcome> copy_statement(std::string uri) {
  auto ex = co_await runtime::asio::this_coro::executor;
  std::unique_ptr<PgAsyncConnection> conn = co_await must_connect(ex, uri);
  CopyOutcome c;
  c.copy = (co_await conn->query("COPY (SELECT 1) TO STDOUT")).status();
  c.broken = conn->broken();
  co_return c;
}

TEST(PgAsyncConnectionTest, CopyIsRefusedAndBreaksTheConnectionInsteadOfHanging) {
  testing::PostgresTestDb db;
  CopyOutcome c = run_async(copy_statement(db.uri()));
  EXPECT_EQ(c.copy.code(), Status::Code::kIoError);
  EXPECT_NE(c.copy.message().find("COPY is not supported"), std::string::npos) << c.copy.message();
  EXPECT_TRUE(c.broken);
}

Task<Status> connect_status(std::string uri) {
  auto ex = co_await runtime::asio::this_coro::executor;
  Result<std::unique_ptr<PgAsyncConnection>> c = co_await PgAsyncConnection::connect(ex, uri);
  co_return c.status();
}

TEST(PgAsyncConnectionTest, NoServerOnTheSocketIsAnErrorValueAtConnect) {
  testing::TempDir empty;  // a socket directory with no server in it
  Status s = run_async(connect_status("postgresql://preheat@/postgres?host=" + empty.path().string()));
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_NE(s.message().find("cannot connect to PostgreSQL"), std::string::npos) << s.message();
  EXPECT_EQ(pg_sqlstate(s), "");
}

TEST(PgAsyncConnectionTest, AMissingDatabaseIsAnErrorValueAtConnect) {
  testing::PostgresTestDb db;
  std::string uri = db.uri();
  uri.replace(uri.find(db.name()), db.name().size(), "no_such_database");
  Status s = run_async(connect_status(uri));
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_NE(s.message().find("no_such_database"), std::string::npos) << s.message();
}

struct Terminated {
  std::string terminated;
  Status first, second;
  bool broken = false;
};

Task<Terminated> terminate_backend(std::string uri) {
  auto ex = co_await runtime::asio::this_coro::executor;
  std::unique_ptr<PgAsyncConnection> victim = co_await must_connect(ex, uri);
  std::unique_ptr<PgAsyncConnection> killer = co_await must_connect(ex, uri);
  Terminated t;
  // The timeout makes pg_terminate_backend wait until the backend has gone.
  t.terminated = co_await must_value(
      *killer, "SELECT pg_terminate_backend(" + std::to_string(victim->backend_pid()) + ", 60000)");
  t.first = (co_await victim->query("SELECT 1")).status();
  t.broken = victim->broken();
  t.second = (co_await victim->query("SELECT 1")).status();
  co_return t;
}

TEST(PgAsyncConnectionTest, ATerminatedBackendIsAnErrorValueAndBreaksTheConnection) {
  testing::PostgresTestDb db;
  Terminated t = run_async(terminate_backend(db.uri()));
  EXPECT_EQ(t.terminated, "t");
  EXPECT_EQ(t.first.code(), Status::Code::kIoError) << t.first.to_string();
  EXPECT_EQ(pg_sqlstate(t.first), "57P01") << t.first.to_string();  // admin_shutdown: the server said why
  EXPECT_TRUE(t.broken);
  EXPECT_EQ(t.second.code(), Status::Code::kIoError);
  EXPECT_NE(t.second.message().find("broken"), std::string::npos) << t.second.message();
}

Task<void> store_query(PgAsyncConnection& conn, std::string sql, Result<PgResult>& out) {
  out = co_await conn.query(std::move(sql));
}

struct Overlapping {
  Result<PgResult> first = Status::internal("not run"), second = Status::internal("not run");
};

Task<Overlapping> two_calls_at_once(std::string uri) {
  auto ex = co_await runtime::asio::this_coro::executor;
  std::unique_ptr<PgAsyncConnection> conn = co_await must_connect(ex, uri);
  std::unique_ptr<PgAsyncConnection> control = co_await must_connect(ex, uri);
  co_await must_value(*control, "SELECT pg_advisory_lock(5)");
  Overlapping o;
  runtime::Scope scope(ex);
  scope.spawn(store_query(*conn, "SELECT pg_advisory_lock(5), 'first'", o.first));  // waits on the lock
  scope.spawn(store_query(*conn, "SELECT 'second'", o.second));  // starts while the first is in flight
  co_await until_value(*control, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", "1");
  co_await must_value(*control, "SELECT pg_advisory_unlock(5)");
  co_await scope.join();
  co_return o;
}

TEST(PgAsyncConnectionTest, ASecondCallWhileOneIsInFlightIsRefusedAndTheFirstCompletes) {
  testing::PostgresTestDb db;
  Overlapping o = run_async(two_calls_at_once(db.uri()));
  ASSERT_TRUE(o.first.ok()) << o.first.status().to_string();
  EXPECT_EQ(o.first->value(0, 1), "first");
  EXPECT_EQ(o.second.status().code(), Status::Code::kInternal);
  EXPECT_NE(o.second.status().message().find("already in flight"), std::string::npos);
}

}  // namespace
}  // namespace preheat::store
