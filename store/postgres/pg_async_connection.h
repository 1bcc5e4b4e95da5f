// PgAsyncConnection: one PostgreSQL connection driven by libpq's non-blocking
// API on the Asio event loop (issue 8; DESIGN.md section 5). No thread ever
// blocks on the database: connecting, sending and reading all wait for the
// socket with async_wait, so the loop runs other coroutines meanwhile.
//
//   auto conn = co_await PgAsyncConnection::connect(ex, "postgresql://u@/db?host=/run/pg");
//   if (!conn.ok()) return conn.status();
//   Result<PgResult> r = co_await (*conn)->query("SELECT $1::int + 1", {PgParam::text("41")});
//
// How: PQconnectStartParams/PQconnectPoll driven by socket readiness;
// PQsetnonblocking(1); PQsendQueryParams then the PQflush loop (a large send
// waits for "writable or readable", reading whatever the server sends
// meanwhile, so neither side stalls on a full socket buffer); then
// PQconsumeInput/PQisBusy/PQgetResult, waiting for "readable" in between.
// The socket is watched through a non-owning asio::posix::stream_descriptor
// that is release()d, never closed (libpq owns the fd). While connecting
// libpq may close and open sockets (one per address it tries), so each
// connect-phase wait uses a fresh descriptor for the current PQsocket().
//
// pipeline() sends every statement in libpq's pipeline mode, then one sync,
// then reads every result in order: one round trip for the whole batch
// (bench/pg_async_bench.cc, 1,000 INSERTs on a loopback unix socket: 2.7-3.9x
// faster than one round trip per statement in one transaction, 5.4x faster
// than autocommitting each). One sync makes the pipeline one
// implicit transaction: a statement that fails rolls back the ones before it,
// and the server skips the ones after it (reported per statement as
// Status::cancelled).
//
// Broken connections: when the server goes away (pg_terminate_backend, a
// restart, a reset socket) the call returns Status::io_error and broken()
// becomes true for good; nothing reconnects here, the pool
// (pg_async_pool.h) replaces broken connections.
//
// Cancellation: a coroutine cancelled (Asio cancellation, e.g. its Scope was
// cancelled) while a query is in flight rethrows operation_aborted, and the
// connection is discarded (marked broken and closed at once): libpq 15's
// PQcancel would block the thread on a fresh connection to the server, and a
// half-read result stream cannot be resumed. The server ends the backend
// when it next notices the closed socket.
//
// COPY is not supported: a statement that starts one fails and breaks the
// connection.
//
// Host names: PQconnectStart resolves a host name with a blocking
// getaddrinfo. Give a unix socket directory, an IP address or `hostaddr` (as
// the tests and the benchmark do) to keep connect fully non-blocking.
//
// Thread safety: not thread-safe. Use a connection on one event loop thread,
// one call at a time (a second call while one is in flight returns
// Status::internal). Destroy it only when no call is in flight.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/asio.h"
#include "store/postgres/pg_async_result.h"

typedef struct pg_conn PGconn;

namespace preheat::store {

class PgAsyncConnection {
 public:
  // Connects without blocking. `uri` is a libpq connection string or URI.
  // Connection refused, bad credentials, a missing database: an error value.
  static runtime::Task<Result<std::unique_ptr<PgAsyncConnection>>> connect(runtime::asio::any_io_executor executor,
                                                                            std::string uri);

  ~PgAsyncConnection();
  PgAsyncConnection(const PgAsyncConnection&) = delete;
  PgAsyncConnection& operator=(const PgAsyncConnection&) = delete;

  // Runs one statement (PQsendQueryParams: one statement, $n parameters).
  runtime::Task<Result<PgResult>> query(std::string sql, std::vector<PgParam> params = {});
  runtime::Task<Result<PgResult>> query(PgStatement statement);

  // Runs `statements` in one pipeline (see above). The outer error is a
  // connection failure (broken() is then true); otherwise there is one
  // result per statement, in order.
  runtime::Task<Result<std::vector<Result<PgResult>>>> pipeline(std::vector<PgStatement> statements);

  bool broken() const { return broken_; }
  // The server process serving this connection (pg_backend_pid()).
  int backend_pid() const;

 private:
  class Socket;  // the non-owning descriptor and its waits
  PgAsyncConnection(runtime::asio::any_io_executor executor, PGconn* conn);

  // Each returns a non-ok Status (and marks the connection broken) when the
  // connection failed; they throw operation_aborted when cancelled.
  runtime::Task<Status> flush();
  runtime::Task<Status> wait_not_busy();
  // Takes every result of the current statement up to its terminating null.
  runtime::Task<Status> read_statement(std::vector<PgResult>& results);
  // Append one outcome per statement to `out`.
  runtime::Task<Status> run_one(const PgStatement& statement, std::vector<Result<PgResult>>& out);
  runtime::Task<Status> run_pipeline(const std::vector<PgStatement>& statements,
                                     std::vector<Result<PgResult>>& out);
  // Runs `inner`, ends the call, and discards the connection when it was
  // cancelled (then rethrows).
  runtime::Task<Status> guarded(runtime::Task<Status> inner);
  Status fail(std::string what);  // marks broken, returns io_error with libpq's message
  void discard();                 // broken + release the descriptor + PQfinish
  Status begin_call();

  runtime::asio::any_io_executor executor_;
  PGconn* conn_;
  std::unique_ptr<Socket> socket_;
  bool broken_ = false;
  bool busy_ = false;
};

}  // namespace preheat::store
