#include "serve/reader_pool.h"

#include <cstdlib>

namespace preheat::serve {
namespace {
thread_local store::CrawlStore* t_store = nullptr;
}

Result<std::unique_ptr<ReaderPool>> ReaderPool::open(const std::string& path, int threads) {
  if (threads < 1 || threads > 256) return Status::invalid_argument("database threads must be between 1 and 256");
  std::vector<std::unique_ptr<store::CrawlStore>> stores;
  for (int i = 0; i < threads; ++i) {
    Result<std::unique_ptr<store::CrawlStore>> s = store::open_crawl_store(path, {.read_only = true});
    if (!s.ok()) return s.status();
    stores.push_back(std::move(*s));
  }
  return std::unique_ptr<ReaderPool>(new ReaderPool(std::move(stores)));
}

ReaderPool::ReaderPool(std::vector<std::unique_ptr<store::CrawlStore>> stores)
    : work_(context_.get_executor()), stores_(std::move(stores)) {
  for (auto& s : stores_) {
    store::CrawlStore* mine = s.get();
    threads_.emplace_back([this, mine] {
      t_store = mine;
      context_.run();
      t_store = nullptr;
    });
  }
}

ReaderPool::~ReaderPool() {
  work_.reset();
  for (std::thread& t : threads_) t.join();
}

store::CrawlStore& ReaderPool::store() {
  if (t_store == nullptr) std::abort();  // a programming error: not a pool thread
  return *t_store;
}

}  // namespace preheat::serve
