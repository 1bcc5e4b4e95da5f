// PgAsyncConnection::pipeline against a real server: 1,000 INSERTs in one
// pipeline are committed in order with each result matched to its
// statement; a failing statement aborts the rest, reported per statement.
#include "store/postgres/pg_async_connection.h"

#include <gtest/gtest.h>

#include "tests/store/pg_async_test_support.h"
#include "tests/support/postgres_server.h"

namespace preheat::store {
namespace {

using namespace pg_test;

constexpr int kStatements = 1000;

// INSERTs of v = 0..999, except that statement `duplicate_at` (if >= 0)
// inserts v = 0 again (a unique violation).
std::vector<PgStatement> inserts(int duplicate_at) {
  std::vector<PgStatement> out;
  for (int i = 0; i < kStatements; ++i) {
    const int v = i == duplicate_at ? 0 : i;
    out.push_back({"INSERT INTO t (v) VALUES ($1) RETURNING v, seq", {PgParam::text(std::to_string(v))}, false});
  }
  return out;
}

struct PipelineRun {
  Result<std::vector<Result<PgResult>>> results = Status::internal("not run");
  bool broken = true;
  std::string after;  // a query after the pipeline, on the same connection
};

Task<PipelineRun> run_pipeline(std::string uri, int duplicate_at) {
  auto ex = co_await runtime::asio::this_coro::executor;
  std::unique_ptr<PgAsyncConnection> conn = co_await must_connect(ex, uri);
  co_await must_value(*conn, "CREATE TABLE t (seq serial PRIMARY KEY, v int UNIQUE)");
  PipelineRun run;
  run.results = co_await conn->pipeline(inserts(duplicate_at));
  run.broken = conn->broken();
  run.after = co_await must_value(*conn, "SELECT 'still usable'");
  co_return run;
}

TEST(PgAsyncPipelineTest, AThousandInsertsInOnePipelineAreCommittedInOrderAndMatchedToTheirStatements) {
  testing::PostgresTestDb db;
  PipelineRun run = run_async(run_pipeline(db.uri(), -1));
  ASSERT_TRUE(run.results.ok()) << run.results.status().to_string();
  ASSERT_EQ(run.results->size(), static_cast<std::size_t>(kStatements));
  for (int i = 0; i < kStatements; ++i) {
    const Result<PgResult>& r = (*run.results)[static_cast<std::size_t>(i)];
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().to_string();
    EXPECT_EQ(r->value(0, 0), std::to_string(i));      // RETURNING v: this statement's row
    EXPECT_EQ(r->value(0, 1), std::to_string(i + 1));  // and the sequence saw them in order
    EXPECT_EQ(r->command_tag(), "INSERT 0 1");
  }
  EXPECT_FALSE(run.broken);
  EXPECT_EQ(run.after, "still usable");
  // Read back by psql: all committed, in statement order.
  EXPECT_EQ(psql_value(db.uri(),
                       "SELECT count(*), string_agg(v::text, ',' ORDER BY seq) = "
                       "(SELECT string_agg(g::text, ',' ORDER BY g) FROM generate_series(0, 999) g) FROM t"),
            "1000|t\n");
}

TEST(PgAsyncPipelineTest, AnErrorInStatement500AbortsTheRestAndIsReportedPerStatement) {
  testing::PostgresTestDb db;
  PipelineRun run = run_async(run_pipeline(db.uri(), 499));  // the 500th statement
  ASSERT_TRUE(run.results.ok()) << run.results.status().to_string();
  ASSERT_EQ(run.results->size(), static_cast<std::size_t>(kStatements));
  for (int i = 0; i < 499; ++i) {
    const Result<PgResult>& r = (*run.results)[static_cast<std::size_t>(i)];
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().to_string();
    EXPECT_EQ(r->value(0, 0), std::to_string(i));
  }
  const Status failed = (*run.results)[499].status();
  EXPECT_EQ(failed.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(pg_sqlstate(failed), "23505") << failed.message();
  for (int i = 500; i < kStatements; ++i) {
    const Status s = (*run.results)[static_cast<std::size_t>(i)].status();
    EXPECT_EQ(s.code(), Status::Code::kCancelled) << i << ": " << s.to_string();
  }
  // One sync point is one implicit transaction: the 499 before it are
  // rolled back too. The connection is not broken by a SQL error.
  EXPECT_FALSE(run.broken);
  EXPECT_EQ(run.after, "still usable");
  EXPECT_EQ(psql_value(db.uri(), "SELECT count(*) FROM t"), "0\n");
}

Task<std::size_t> empty_pipeline(std::string uri) {
  auto ex = co_await runtime::asio::this_coro::executor;
  std::unique_ptr<PgAsyncConnection> conn = co_await must_connect(ex, uri);
  std::vector<PgStatement> none;  // named: no braced list inside co_await (GCC 12)
  Result<std::vector<Result<PgResult>>> r = co_await conn->pipeline(std::move(none));
  if (!r.ok()) throw std::runtime_error(r.status().to_string());
  co_await must_value(*conn, "SELECT 1");
  co_return r->size();
}

TEST(PgAsyncPipelineTest, AnEmptyPipelineReturnsNoResults) {
  testing::PostgresTestDb db;
  EXPECT_EQ(run_async(empty_pipeline(db.uri())), 0u);
}

// Each statement sends 256 KB and gets the same 256 KB back: 25 MB each way,
// far beyond both socket buffers. The server stops reading once its replies
// back up, so the send only finishes if the flush loop reads while it sends.
Task<std::vector<std::string>> echo_big(std::string uri) {
  auto ex = co_await runtime::asio::this_coro::executor;
  std::unique_ptr<PgAsyncConnection> conn = co_await must_connect(ex, uri);
  std::vector<PgStatement> statements;
  for (int i = 0; i < 100; ++i) {
    std::string payload(256 << 10, static_cast<char>('a' + i % 26));
    statements.push_back({"SELECT $1::text", {PgParam::text(std::move(payload))}, false});
  }
  Result<std::vector<Result<PgResult>>> r = co_await conn->pipeline(std::move(statements));
  if (!r.ok()) throw std::runtime_error(r.status().to_string());
  std::vector<std::string> out;
  for (const auto& one : *r) {
    if (!one.ok()) throw std::runtime_error(one.status().to_string());
    out.emplace_back(one->value(0, 0));
  }
  co_return out;
}

TEST(PgAsyncPipelineTest, APipelineLargerThanBothSocketBuffersReadsWhileItSends) {
  testing::PostgresTestDb db;
  std::vector<std::string> echoed = run_async(echo_big(db.uri()));
  ASSERT_EQ(echoed.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(echoed[static_cast<std::size_t>(i)], std::string(256 << 10, static_cast<char>('a' + i % 26))) << i;
  }
}

}  // namespace
}  // namespace preheat::store
