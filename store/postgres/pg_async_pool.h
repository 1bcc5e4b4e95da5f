// PgAsyncPool: up to N PgAsyncConnections shared by the coroutines of one
// event loop (issue 8). `serve` and the crawler's writer borrow a connection
// for a query or a pipeline and give it back; no thread is blocked on the
// database, so PostgreSQL needs no database thread pool.
//
//   PgAsyncPool pool(rt.executor(), {.uri = uri, .connections = 4});
//   Result<PgAsyncPool::Lease> lease = co_await pool.acquire();
//   if (!lease.ok()) return lease.status();
//   auto rows = co_await (*lease)->query("SELECT ...");
//   // the connection goes back to the pool when `lease` dies
//
// Decisions:
// - Connections are opened lazily, by the acquire() that finds no idle one
//   and a free slot, and never by a background task: the pool spawns
//   nothing, so there is nothing to own or join, and closing cannot race a
//   reconnect.
// - A connection that reports broken() when its lease ends is dropped, and
//   its slot freed; the next acquire() opens a replacement. So a server
//   restart or pg_terminate_backend costs the one call that saw it.
// - At most `max_waiters` coroutines wait for a slot (FIFO, runtime's
//   Semaphore); one more gets Status::io_error at once: back-pressure
//   instead of an unbounded queue of requests.
// - close() drops idle connections and makes every later acquire() fail;
//   leased connections are closed when their lease ends. A waiter cancelled
//   while queued leaves the queue (Semaphore); a holder cancelled mid-query
//   returns a broken connection (PgAsyncConnection discards it).
//
// Thread safety: not thread-safe; use it on the event loop thread. REQUIRES:
// every Lease has ended and no acquire() is waiting when the pool is
// destroyed (join the Scope that uses it first).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/asio.h"
#include "runtime/semaphore.h"
#include "store/postgres/pg_async_connection.h"

namespace preheat::store {

struct PgAsyncPoolOptions {
  std::string uri;              // libpq connection string or URI
  std::size_t connections = 4;  // at most this many open at once (>= 1)
  std::size_t max_waiters = 1024;  // acquire() calls queued for a slot at most
};

class PgAsyncPool {
 public:
  // A borrowed connection; gives it back (or drops it when broken) when it dies.
  class Lease {
   public:
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&& other) noexcept;  // gives back what it held first
    ~Lease() { end(); }
    PgAsyncConnection& operator*() const { return *conn_; }
    PgAsyncConnection* operator->() const { return conn_.get(); }

   private:
    friend class PgAsyncPool;
    void end() noexcept;  // the connection back to the pool (or closed), then the slot
    Lease(PgAsyncPool* pool, std::unique_ptr<PgAsyncConnection> conn, runtime::Semaphore::Permit permit)
        : pool_(pool), conn_(std::move(conn)), permit_(std::move(permit)) {}
    PgAsyncPool* pool_;
    std::unique_ptr<PgAsyncConnection> conn_;
    runtime::Semaphore::Permit permit_;  // declared last: released after conn_ went back
  };

  PgAsyncPool(const runtime::asio::any_io_executor& executor, PgAsyncPoolOptions options);
  PgAsyncPool(const PgAsyncPool&) = delete;
  PgAsyncPool& operator=(const PgAsyncPool&) = delete;

  // An idle connection, or a new one, waiting (FIFO) while all are leased.
  // Errors: the pool is closed, the wait queue is full, connecting failed.
  runtime::Task<Result<Lease>> acquire();

  // Acquire, run one statement, give the connection back.
  runtime::Task<Result<PgResult>> query(std::string sql, std::vector<PgParam> params = {});

  void close();
  bool closed() const { return closed_; }
  std::size_t idle() const { return idle_.size(); }
  std::size_t leased() const { return slots_.in_use(); }
  std::size_t waiting() const { return slots_.waiting(); }
  // Connections opened so far (replacements included).
  std::size_t opened() const { return opened_; }

 private:
  void give_back(std::unique_ptr<PgAsyncConnection> conn);

  runtime::asio::any_io_executor executor_;
  PgAsyncPoolOptions options_;
  runtime::Semaphore slots_;  // one permit per connection, idle or leased
  std::vector<std::unique_ptr<PgAsyncConnection>> idle_;
  std::size_t opened_ = 0;
  bool closed_ = false;
};

}  // namespace preheat::store
