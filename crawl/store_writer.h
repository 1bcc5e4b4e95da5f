// StoreWriter: the crawl's one database writer.
//
// Page records are batched on the event loop and committed in order, by one
// of three drivers:
//   - async writer (async and parallel modes, on a store that offers one:
//     PostgreSQL, store/async_crawl_writer.h): no thread. Each sent batch is
//     a coroutine in the writer's own runtime::Scope (a caller cancelled
//     mid-call cannot cut a statement half-way; the loop runs them out
//     before Runtime::run returns), run one at a time in ticket order on
//     the loop (every coroutine runs on the loop thread, parallel mode too:
//     runtime.h, so no strand is needed). Its spans go on the loop lane: one
//     kWait span per batch and per read (the loop is free meanwhile).
//   - writer thread (async and parallel modes on SQLite, which has no async
//     API): a dedicated thread, so a commit never stalls the loop; its spans
//     go on the "db writer" lane.
//   - inline (sequential mode): the honest synchronous baseline.
// A batch is one transaction; it is sent when it holds batch_pages pages, a
// quarter of max_bytes_queued, or commit_interval has passed since the last
// send.
// Reads the frontier needs (claim_due, next_due_ms, held_hosts,
// fleet_work_left) run after everything submitted before them (FIFO: the
// thread's queue, or the async writer's tickets), so a claim always sees the
// URLs the crawler has already handed over.
//
// Fleet leases (async writer only): keep_leases() is the renewal coroutine
// (store/async_crawl_writer.h renew_leases), spawned and joined by the crawl
// (crawler.cc run()); stop_keeping_leases() ends it. Otherwise the store
// renews on its own (its LeaseKeeper thread).
//
// Errors: the first failed write is kept (error()); later writes are skipped
// (the crawl stops; every committed batch stays valid).
//
// Thread safety: submit, flush, claim_due, next_due_ms on the event loop
// only; finish() on the thread that ran the runtime, after run() returned:
// it writes the last pending batch with the blocking store (the loop is
// gone; everything submitted while the runtime ran went through the async
// writer).
#pragma once

#include <cstddef>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include <boost/asio/thread_pool.hpp>

#include "runtime/asio.h"
#include "runtime/condition.h"
#include "runtime/scope.h"
#include "store/async_crawl_writer.h"
#include "store/crawl_store.h"

namespace preheat::runtime {
class Runtime;
}

namespace preheat::crawl {

class StoreWriter {
 public:
  struct Options {
    std::size_t batch_pages = 256;
    Duration commit_interval = std::chrono::milliseconds(250);
    // More batches than this queued for the writer make workers wait
    // (back-pressure: memory stays bounded when the disk is slower than the network).
    std::size_t max_batches_queued = 4;
    // ... and so do more bytes than this in pages not yet written (pending
    // and queued; PageRecord::approx_bytes: bodies, texts, links). Pages
    // count alone would not bound memory: 256 pages of 10 MB bodies are
    // 2.5 GB. Memory held by the writer stays below about this budget plus
    // one page per worker (a worker checks after adding its page).
    std::size_t max_bytes_queued = 64u << 20;
  };

  // `rt` and `store` must outlive the writer.
  StoreWriter(runtime::Runtime& rt, store::CrawlStore& store, Options options);
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  // Adds a record to the pending batch; sends the batch when it is due.
  void submit(store::PageRecord record);
  // Waits (until everything sent is written) while too many batches or
  // bytes are queued for the writer thread.
  runtime::Task<void> backpressure();
  // Commits everything submitted so far; the first write error, if any.
  runtime::Task<Status> flush();
  // store.claim_due / next_due_ms, after everything submitted so far.
  runtime::Task<Result<std::vector<store::FrontierEntry>>> claim_due(std::size_t limit, std::int64_t now_ms);
  runtime::Task<Result<std::optional<std::int64_t>>> next_due_ms();
  // store.held_hosts / fleet_work_left (fleet mode), the same way.
  runtime::Task<Result<std::vector<std::string>>> held_hosts();
  runtime::Task<Result<bool>> fleet_work_left(std::int64_t now_ms);

  // Fleet lease renewal on the loop (see above); returns at once without an
  // async writer or outside fleet mode.
  runtime::Task<void> keep_leases();
  void stop_keeping_leases();
  // True when the database work runs as coroutines on the loop (no thread).
  bool on_loop() const { return async_ != nullptr; }

  Status error() const;
  // Bytes of the pages submitted and not yet written (pending or queued).
  std::size_t unwritten_bytes() const { return pending_bytes_ + queued_bytes_.load(); }

  // Waits for the writer thread's queue, then commits the pending batch on
  // the calling thread. Call once, after the runtime stopped (also after an
  // interrupt). Returns the first write error.
  Status finish();

 private:
  // A read's outcome, filled by a job in jobs_ for a caller that may be gone.
  template <class T>
  struct Slot;
  void send_pending();
  void write_now(const store::WriteBatch& batch);
  void record_error(const Status& s);
  // Async writer: jobs run one at a time in ticket order.
  runtime::Task<void> my_turn(std::uint64_t ticket);
  void next_turn();
  runtime::Task<void> write_job(std::uint64_t ticket, std::shared_ptr<store::WriteBatch> batch, std::size_t bytes);
  template <class T, class Op>
  runtime::Task<T> read_in_turn(Op op);
  template <class T, class Op>
  runtime::Task<void> read_job(std::uint64_t ticket, Op op, std::shared_ptr<Slot<T>> slot);

  runtime::Runtime& rt_;
  store::CrawlStore& store_;
  Options options_;
  std::unique_ptr<runtime::asio::thread_pool> thread_;  // the writer thread, or null
  std::shared_ptr<store::AsyncCrawlWriter> async_;      // the async writer, or null
  std::unique_ptr<runtime::Scope> jobs_;                // async writer: its calls
  std::unique_ptr<runtime::Condition> turn_;            // async writer: serving_ moved
  std::uint64_t next_ticket_ = 0;                       // async writer: the next job's
  std::uint64_t serving_ = 0;                           // async writer: the running job's
  store::WriteBatch pending_;
  TimePoint last_send_;
  std::size_t pending_bytes_ = 0;               // approx_bytes of pending_ (loop thread)
  std::atomic<std::size_t> queued_batches_{0};  // sent, not yet written
  std::atomic<std::size_t> queued_bytes_{0};    // their approx_bytes
  mutable std::mutex mu_;
  Status first_error_;
  bool finished_ = false;
};

}  // namespace preheat::crawl
