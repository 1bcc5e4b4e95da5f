// ServeReaders over CrawlStore objects (serve_reader.h):
//   - StoreReader: one CrawlStore, called directly on the calling thread (its
//     coroutines never suspend): the sync server, tests.
//   - PoolReaders: SQLite's. Each read runs on a ReaderPool thread with that
//     thread's own connection, and the coroutine resumes on its io thread.
//     SQLite has no asynchronous API (every call blocks until it is done),
//     so its calls go to threads that may block; PostgreSQL needs none
//     (pg_reader.h).
//
// Thread safety: StoreReader: the store's (one thread at a time). A
// PoolReaders' readers: each on its own loop; the pool is thread-safe.
#pragma once

#include <functional>
#include <memory>

#include "runtime/runtime.h"
#include "serve/reader_pool.h"
#include "serve/serve_reader.h"

namespace preheat::serve {

// Every read as a call of the CrawlStore method of the same name, made by
// run() (directly, or on a pool thread).
class CrawlStoreReader : public ServeReader {
 public:
  runtime::Task<Result<store::CrawlStats>> stats() override;
  runtime::Task<Result<std::optional<store::PageView>>> page_view(std::string url, std::size_t limit) override;
  runtime::Task<Result<std::vector<store::BrokenTarget>>> broken_targets(std::size_t limit,
                                                                         std::size_t referrers) override;
  runtime::Task<Result<std::vector<store::RunSummary>>> runs() override;
  runtime::Task<Result<std::optional<store::RunTimeline>>> run_timeline(std::optional<std::int64_t> run,
                                                                        std::size_t max_spans) override;
  runtime::Task<Result<store::TimeHistogram>> pages_over_time(std::size_t buckets) override;
  runtime::Task<Result<store::SearchResults>> search(store::SearchQuery query, std::size_t offset,
                                                     std::size_t limit) override;
  runtime::Task<Result<std::string_view>> warc_next(WarcDownload& warc) override;

 protected:
  // Calls `fn` with a store (once) and resumes when it returned.
  virtual runtime::Task<void> run(const std::function<void(store::CrawlStore&)>& fn) = 0;

 private:
  template <class T, class F>
  runtime::Task<T> call(F f);
};

class StoreReader final : public CrawlStoreReader {
 public:
  explicit StoreReader(store::CrawlStore& store) : store_(store) {}

 protected:
  runtime::Task<void> run(const std::function<void(store::CrawlStore&)>& fn) override;

 private:
  store::CrawlStore& store_;
};

class PoolReaders final : public ServeReaders {
 public:
  // `rt` must outlive the readers.
  PoolReaders(runtime::Runtime& rt, std::unique_ptr<ReaderPool> pool) : rt_(rt), pool_(std::move(pool)) {}
  std::unique_ptr<ServeReader> for_loop(runtime::asio::any_io_executor loop, Counters& counters) override;
  int db_threads() const override { return pool_->threads(); }

 private:
  runtime::Runtime& rt_;
  std::unique_ptr<ReaderPool> pool_;
};

}  // namespace preheat::serve
