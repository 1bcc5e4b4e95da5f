// PgReaders: `preheat serve --db postgresql://...` reads with no database
// thread (issue 8). Each io loop gets its own PgAsyncPool (libpq's
// non-blocking API on that loop; store/postgres/pg_async_pool.h), and each
// read is the PostgreSQL store's read plan (postgres_read_plans.h: the same
// SQL and row decoding as the blocking store) run through it
// (pg_async_read.h). A request waiting on PostgreSQL is a suspended
// coroutine: its io thread answers other requests meanwhile.
//
// One pool per io loop, not one per server: a PgAsyncConnection's socket
// is watched by one loop and the pool is not thread-safe; sharing one across
// loops would need a lock and a hop between threads on every query, which
// is what the reader pool costs SQLite. So the server opens at most
// loops x connections_per_loop connections.
//
// /export.warc.gz: the bodies are read on the loop like any read; making the
// piece (gzip, SHA-1: CPU work, no database) runs on one worker thread so
// the loop never compresses.
//
// Thread safety: for_loop() on the thread that opens the server; each
// reader on its loop's thread. The readers must be destroyed (on their
// loops, or after those stopped) before the PgReaders.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "runtime/runtime.h"
#include "serve/serve_reader.h"

namespace preheat::serve {

class PgReaders final : public ServeReaders {
 public:
  // `uri`: a libpq URI. `rt` must outlive the readers. Connects lazily: an
  // unreachable server fails the first requests (500 with libpq's message).
  PgReaders(runtime::Runtime& rt, std::string uri, std::size_t connections_per_loop);
  ~PgReaders() override;
  std::unique_ptr<ServeReader> for_loop(runtime::asio::any_io_executor loop, Counters& counters) override;
  int db_threads() const override { return 0; }

 private:
  runtime::Runtime& rt_;
  std::string uri_;
  std::size_t connections_;
  runtime::asio::thread_pool pieces_{1};
};

}  // namespace preheat::serve
