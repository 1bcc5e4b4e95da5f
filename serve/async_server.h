// AsyncServer: `preheat serve --mode async`. Beast, one coroutine per
// connection, on N io threads (each its own event loop and listening socket
// on the same port, SO_REUSEPORT); each loop reads the database through its
// own ServeReader (serve_reader.h).
//
//   listener (accept loop, one per io thread) -> session (coroutine per
//   connection, state in its locals) -> route() (pure) -> simulated latency
//   (a timer) -> handler (a coroutine on the io thread) whose reads run on
//   a reader thread (SQLite) or on the loop through libpq's non-blocking
//   API (PostgreSQL) -> the answer, on the io thread
//
// Alice's slow request waits on a timer, a reader thread or a PostgreSQL
// socket; the io thread serves Bob meanwhile.
//
// Limits (ServeLimits): header, target and body sizes (431, 414, 413), a
// complete request within request_timeout or the connection is closed
// (slowloris), requests per connection, open connections (503). GET and HEAD
// only (405). Nothing a client sends ends more than its own connection.
//
// stop() drains: the listeners close, idle connections (waiting for a
// request) are closed, requests in flight are answered (with Connection:
// close); after drain_timeout whatever remains is cancelled. serve() returns
// once every session on every io thread has ended.
//
// Thread safety: open(), serve() and the destructor on the thread that runs
// the runtime's loop; stop() and stats() from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/runtime.h"
#include "serve/serve_reader.h"
#include "serve/serve_options.h"
#include "serve/server_stats.h"

namespace preheat::serve {

class AsyncServer {
 public:
  // Binds and listens at once (an address in use is reported here). The
  // first io thread is `rt`'s loop; threads - 1 more are started by serve().
  // `rt` and `readers` must outlive the server (one reader per io loop is
  // made here: store_reader.h's PoolReaders for SQLite, pg_reader.h's
  // PgReaders for PostgreSQL; open_serve_readers() picks).
  static Result<std::unique_ptr<AsyncServer>> open(runtime::Runtime& rt, ServeReaders& readers,
                                                   const ServeOptions& options);
  ~AsyncServer();
  AsyncServer(const AsyncServer&) = delete;
  AsyncServer& operator=(const AsyncServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:PORT/"

  // REQUIRES: called once, on rt's loop.
  runtime::Task<void> serve();
  void stop();  // drain (see above); thread-safe, idempotent
  ServerStats stats() const;

  struct Shared;
  struct Loop;

 private:
  AsyncServer(std::unique_ptr<Shared> shared, std::vector<std::unique_ptr<Loop>> loops, std::uint16_t port);

  std::unique_ptr<Shared> shared_;
  std::vector<std::unique_ptr<Loop>> loops_;
  std::uint16_t port_ = 0;
};

}  // namespace preheat::serve
