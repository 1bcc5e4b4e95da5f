// ReaderPool: N threads, each with its own read-only connection to the crawl
// database (SQLite WAL: readers never wait for a crawl that writes). Database
// work never runs on an io thread: the async server sends it here with
//   co_await rt.run_on(pool.executor(), fn)   // fn calls ReaderPool::store()
// and is resumed on its own io thread with the result.
//
// Thread safety: executor() from any thread. store() only on a pool thread,
// where it is that thread's own connection.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "runtime/asio.h"
#include "store/crawl_store.h"

namespace preheat::serve {

class ReaderPool {
 public:
  // Opens `threads` read-only connections (errors as open_crawl_store) and
  // starts the threads.
  static Result<std::unique_ptr<ReaderPool>> open(const std::string& path, int threads);
  ~ReaderPool();  // finishes queued work, stops and joins
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  runtime::asio::any_io_executor executor() { return context_.get_executor(); }
  int threads() const { return static_cast<int>(threads_.size()); }

  // The calling pool thread's connection. REQUIRES: on a pool thread.
  static store::CrawlStore& store();

 private:
  explicit ReaderPool(std::vector<std::unique_ptr<store::CrawlStore>> stores);

  runtime::asio::io_context context_;
  runtime::asio::executor_work_guard<runtime::asio::io_context::executor_type> work_;
  std::vector<std::unique_ptr<store::CrawlStore>> stores_;
  std::vector<std::thread> threads_;
};

}  // namespace preheat::serve
