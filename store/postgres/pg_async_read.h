// run_plan(pool, plan): one of the PostgreSQL store's reads
// (postgres_read_plans.h: the same SQL and row decoding as the blocking
// store) run through the non-blocking driver on the event loop (issue 8):
// `preheat serve` on PostgreSQL reads this way, with no database thread.
//
//   postgres::StatsPlan plan;
//   Status s = co_await run_plan(pool, plan);
//   if (s.ok()) use(plan.value);
//
// The statements run in order on one leased connection; a plan that needs
// one snapshot runs inside BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY ...
// COMMIT (a failed statement is rolled back before the connection goes back
// to the pool; a broken connection is dropped by the pool). Errors: the
// pool's (closed, too many waiting, connecting failed), the server's, a lost
// connection (io_error), then plan.status().
//
// Thread safety: on the pool's event loop thread, like the pool.
#pragma once

#include "base/status.h"
#include "runtime/asio.h"
#include "store/postgres/pg_async_pool.h"
#include "store/postgres/postgres_read_plans.h"

namespace preheat::store {

runtime::Task<Status> run_plan(PgAsyncPool& pool, postgres::PgReadPlan& plan);

}  // namespace preheat::store
