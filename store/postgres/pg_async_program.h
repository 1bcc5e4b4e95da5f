// run_program(conn, program): one of the PostgreSQL store's write-side
// programs (pg_program.h, postgres_write_programs.h: the same SQL and the
// same decoding as the blocking store) run through the non-blocking driver
// on the event loop (issue 8): the crawler's async writer
// (pg_async_crawl_writer.h) writes and claims this way, with no thread
// blocked.
//
//   postgres::WriteProgram program(batch, url_ids, run_id);
//   Status s = co_await run_program(conn, program);
//
// A queries step runs its statements one after another (one round trip
// each); a pipeline step goes in one PgAsyncConnection::pipeline() call: one
// round trip for the whole batch, whatever its size (the async flush reads
// while it sends, so the blocking driver's intermediate sync points are not
// needed). A transaction program is wrapped in BEGIN ... COMMIT; on failure
// ROLLBACK (skipped when the connection broke) and program.failed().
// prepare_writer_statements() prepares writer_statements() on a fresh
// connection (SQL PREPARE), as the blocking store does on its own.
//
// Cancellation: do not cancel a run half-way (the connection would be
// discarded, see pg_async_connection.h); the async writer never does.
//
// Thread safety: on the connection's event loop thread.
#pragma once

#include "base/status.h"
#include "runtime/asio.h"
#include "store/postgres/pg_async_connection.h"
#include "store/postgres/pg_program.h"

namespace preheat::store {

runtime::Task<Status> run_program(PgAsyncConnection& conn, postgres::PgProgram& program);
runtime::Task<Status> prepare_writer_statements(PgAsyncConnection& conn);

}  // namespace preheat::store
