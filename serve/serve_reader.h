// ServeReader: what the handlers read from the crawl database, as coroutines
// on the io loop. Handlers (handlers.h) are short coroutines: check the
// request, co_await the reads they need here, render (pure). Three
// implementations:
//   - StoreReader (store_reader.h): a CrawlStore called directly; the
//     coroutines never suspend. The sync server and the handler tests.
//   - PoolReaders (store_reader.h), SQLite: each read runs on a ReaderPool
//     thread, because SQLite has no asynchronous API: its calls block, so
//     they must not run on an io thread.
//   - PgReaders (pg_reader.h), PostgreSQL: each read is the PostgreSQL
//     store's read plan sent through a PgAsyncPool on the io loop itself
//     (libpq's non-blocking API): no database thread at all.
// ServeReaders makes one ServeReader per io loop (AsyncServer has N loops,
// each its own thread).
//
// Errors are values, as CrawlStore's.
//
// Thread safety: a ServeReader is used on its loop's thread only.
// ServeReaders::for_loop() is called on the thread that opens the server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/asio.h"
#include "serve/server_stats.h"
#include "store/crawl_store.h"

namespace preheat::serve {

class WarcDownload;

class ServeReader {
 public:
  virtual ~ServeReader() = default;
  // As the CrawlStore calls of the same names.
  virtual runtime::Task<Result<store::CrawlStats>> stats() = 0;
  virtual runtime::Task<Result<std::optional<store::PageView>>> page_view(std::string url, std::size_t limit) = 0;
  virtual runtime::Task<Result<std::vector<store::BrokenTarget>>> broken_targets(std::size_t limit,
                                                                                 std::size_t referrers) = 0;
  virtual runtime::Task<Result<std::vector<store::RunSummary>>> runs() = 0;
  virtual runtime::Task<Result<std::optional<store::RunTimeline>>> run_timeline(std::optional<std::int64_t> run,
                                                                                std::size_t max_spans) = 0;
  virtual runtime::Task<Result<store::TimeHistogram>> pages_over_time(std::size_t buckets) = 0;
  virtual runtime::Task<Result<store::SearchResults>> search(store::SearchQuery query, std::size_t offset,
                                                             std::size_t limit) = 0;
  // The next piece of a download (warc_download.h): its database read and
  // the work of the piece (gzip, SHA-1), neither on the io thread.
  virtual runtime::Task<Result<std::string_view>> warc_next(WarcDownload& warc) = 0;
};

class ServeReaders {
 public:
  virtual ~ServeReaders() = default;
  // The reader of the io loop whose executor is `loop`. `counters` must
  // outlive it: reads are counted as database calls (queued, running).
  virtual std::unique_ptr<ServeReader> for_loop(runtime::asio::any_io_executor loop, Counters& counters) = 0;
  // Database reader threads (/metrics' preheat_db_threads): 0 on PostgreSQL.
  virtual int db_threads() const = 0;
};

}  // namespace preheat::serve
