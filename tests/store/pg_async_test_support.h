// Helpers for the async PostgreSQL driver's tests (pg_async_*_test.cc): run a
// coroutine on a fresh async Runtime, connect or fail the test, and read the
// database back with psql (an independent client, not the code under test).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "runtime/runtime.h"
#include "store/postgres/pg_async_connection.h"
#include "tests/support/support.h"

namespace preheat::store::pg_test {

using runtime::Task;

template <class T>
T run_async(Task<T> main) {
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  return rt.run_for_result(std::move(main));
}

inline Task<std::unique_ptr<PgAsyncConnection>> must_connect(runtime::asio::any_io_executor ex, std::string uri) {
  Result<std::unique_ptr<PgAsyncConnection>> c = co_await PgAsyncConnection::connect(ex, std::move(uri));
  if (!c.ok()) throw std::runtime_error(c.status().to_string());
  co_return std::move(c).value();
}

// The first value of a statement that must succeed ("" when it returns no rows).
inline Task<std::string> must_value(PgAsyncConnection& conn, std::string sql) {
  Result<PgResult> r = co_await conn.query(std::move(sql));
  if (!r.ok()) throw std::runtime_error(r.status().to_string());
  co_return r->rows() == 0 ? std::string() : std::string(r->value(0, 0));
}

// Polls (one round trip per look, on `control`) until `sql` returns `want`:
// how a test waits for the server to reach a state without timing anything.
inline Task<void> until_value(PgAsyncConnection& control, std::string sql, std::string want) {
  for (;;) {
    std::string got = co_await must_value(control, sql);
    if (got == want) co_return;
  }
}

inline std::string psql_value(const std::string& uri, const std::string& sql) {
  return testing::command_output("psql -X -q -At '" + uri + "' -c \"" + sql + "\" 2>&1");
}

}  // namespace preheat::store::pg_test
