// AsyncCrawlWriter: the crawl's database work (issue 8) as coroutines on the
// event loop, for an engine with a non-blocking driver (PostgreSQL:
// store/postgres/pg_async_crawl_writer.h). The crawler's StoreWriter
// (crawl/store_writer.h) uses one in async and parallel modes instead of its
// writer thread; SQLite has none (CrawlStore::async_writer() returns null:
// no async API, it keeps the thread), and sequential mode never asks (it is
// the blocking baseline on purpose).
//
// Each call means what the CrawlStore method of the same name means, on the
// same store: the writer shares the store's state (PostgreSQL: its URL-id
// cache, its current run, its held hosts), and the store's blocking writer
// methods must not be used while a call here is in flight.
//
// Order: one call at a time, in the order the caller makes them (StoreWriter
// runs them FIFO: a claim sees every batch submitted before it). A call's
// coroutine must not be cancelled half-way: StoreWriter runs them in a Scope
// of its own, never in the caller's.
//
// Lease renewal (fleet mode): renew_leases() renews this worker's leases
// every lease/3 until stop_renewing(), on a connection of its own (so no
// write delays a renewal); it returns at once outside fleet mode. Owned and
// joined by the crawl (crawl/crawler.cc).
//
// Thread safety: on the event loop thread of the executor it was made for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/asio.h"
#include "store/crawl_store.h"

namespace preheat::store {

class AsyncCrawlWriter {
 public:
  virtual ~AsyncCrawlWriter() = default;

  virtual runtime::Task<Status> write(const WriteBatch& batch) = 0;
  virtual runtime::Task<Result<std::vector<FrontierEntry>>> claim_due(std::size_t limit, std::int64_t now_ms) = 0;
  virtual runtime::Task<Result<std::optional<std::int64_t>>> next_due_ms() = 0;
  virtual runtime::Task<Result<std::vector<std::string>>> held_hosts() = 0;
  virtual runtime::Task<Result<bool>> fleet_work_left(std::int64_t now_ms) = 0;

  virtual runtime::Task<void> renew_leases() = 0;
  virtual void stop_renewing() = 0;
};

// The executor an async writer runs on (a struct so that crawl_store.h needs
// no Asio header).
struct AsyncWriterExecutor {
  runtime::asio::any_io_executor executor;
};

}  // namespace preheat::store
