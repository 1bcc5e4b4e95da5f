// Round trips vs one pipeline for 1,000 small INSERTs on PostgreSQL, through
// the non-blocking driver (store/postgres/pg_async_connection.h, issue 8).
//
// Needs a running server, given by the environment variable PREHEAT_BENCH_PG
// (a libpq URI). The tests' server does:
//   export PREHEAT_BENCH_PG=$(scripts/pg_test_server start build)
//   build/bench/pg_async_bench
// Without it every benchmark stops with an error saying so.
//
//   RoundTrips/autocommit    one statement, one round trip, one commit each
//   RoundTrips/transaction   the same inside BEGIN ... COMMIT: round trips only
//   Pipeline                 all 1,000 sent, one sync, results read in order
// items/s counts INSERTs. The ratio that matters is Pipeline vs
// RoundTrips/transaction (same commits, only the round trips differ).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/runtime.h"
#include "store/postgres/pg_async_connection.h"

namespace {

using preheat::Result;
using preheat::runtime::Task;
using preheat::store::PgAsyncConnection;
using preheat::store::PgParam;
using preheat::store::PgResult;
using preheat::store::PgStatement;
namespace asio = preheat::runtime::asio;

constexpr int kInserts = 1000;
enum class Mode { kAutocommit, kTransaction, kPipeline };

void check(const Result<PgResult>& r) {
  if (!r.ok()) throw std::runtime_error(r.status().to_string());
}

Task<void> round_trips(PgAsyncConnection& conn, bool transaction) {
  if (transaction) check(co_await conn.query("BEGIN"));
  for (int i = 0; i < kInserts; ++i) {
    std::vector<PgParam> params{PgParam::text(std::to_string(i))};
    check(co_await conn.query("INSERT INTO bench_pg_async (v) VALUES ($1)", std::move(params)));
  }
  if (transaction) check(co_await conn.query("COMMIT"));
}

Task<void> pipelined(PgAsyncConnection& conn) {
  std::vector<PgStatement> statements;
  statements.reserve(kInserts);
  for (int i = 0; i < kInserts; ++i) {
    statements.push_back({"INSERT INTO bench_pg_async (v) VALUES ($1)", {PgParam::text(std::to_string(i))}, false});
  }
  Result<std::vector<Result<PgResult>>> results = co_await conn.pipeline(std::move(statements));
  if (!results.ok()) throw std::runtime_error(results.status().to_string());
  for (const auto& r : *results) check(r);
}

Task<void> body(benchmark::State& state, std::string uri, Mode mode) {
  auto ex = co_await asio::this_coro::executor;
  Result<std::unique_ptr<PgAsyncConnection>> conn = co_await PgAsyncConnection::connect(ex, uri);
  if (!conn.ok()) throw std::runtime_error(conn.status().to_string());
  check(co_await (*conn)->query("CREATE TEMP TABLE bench_pg_async (v int)"));
  for (auto _ : state) {
    if (mode == Mode::kPipeline) {
      co_await pipelined(**conn);
    } else {
      co_await round_trips(**conn, mode == Mode::kTransaction);
    }
  }
  state.SetItemsProcessed(state.iterations() * kInserts);
}

void run(benchmark::State& state, Mode mode) {
  const char* uri = std::getenv("PREHEAT_BENCH_PG");
  if (uri == nullptr || *uri == '\0') {
    state.SkipWithError("set PREHEAT_BENCH_PG to a PostgreSQL URI (e.g. $(scripts/pg_test_server start build))");
    for (auto _ : state) {
    }
    return;
  }
  preheat::runtime::Runtime rt({.mode = preheat::ExecutionMode::kAsync});
  rt.run(body(state, uri, mode));
}

void BM_RoundTripsAutocommit(benchmark::State& state) { run(state, Mode::kAutocommit); }
void BM_RoundTripsTransaction(benchmark::State& state) { run(state, Mode::kTransaction); }
void BM_Pipeline(benchmark::State& state) { run(state, Mode::kPipeline); }

BENCHMARK(BM_RoundTripsAutocommit)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RoundTripsTransaction)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Pipeline)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
