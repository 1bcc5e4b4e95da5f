#include "serve/store_reader.h"

#include <optional>
#include <utility>

#include "serve/warc_download.h"

namespace preheat::serve {
namespace {

using runtime::Task;

class PoolReader final : public CrawlStoreReader {
 public:
  PoolReader(runtime::Runtime& rt, ReaderPool& pool, Counters& counters) : rt_(rt), pool_(pool), counters_(counters) {}

 protected:
  Task<void> run(const std::function<void(store::CrawlStore&)>& fn) override {
    DbCall call(counters_);
    auto work = [&fn, &call] {
      call.running();
      fn(ReaderPool::store());
    };
    co_await rt_.run_on(pool_.executor(), work);
  }

 private:
  runtime::Runtime& rt_;
  ReaderPool& pool_;
  Counters& counters_;
};

}  // namespace

template <class T, class F>
Task<T> CrawlStoreReader::call(F f) {
  std::optional<T> out;
  const std::function<void(store::CrawlStore&)> fn = [&out, &f](store::CrawlStore& s) { out.emplace(f(s)); };
  co_await run(fn);
  co_return std::move(*out);
}

Task<Result<store::CrawlStats>> CrawlStoreReader::stats() {
  auto f = [](store::CrawlStore& s) { return s.stats(); };
  co_return co_await call<Result<store::CrawlStats>>(f);
}

Task<Result<std::optional<store::PageView>>> CrawlStoreReader::page_view(std::string url, std::size_t limit) {
  auto f = [&url, limit](store::CrawlStore& s) { return s.page_view(url, limit); };
  co_return co_await call<Result<std::optional<store::PageView>>>(f);
}

Task<Result<std::vector<store::BrokenTarget>>> CrawlStoreReader::broken_targets(std::size_t limit,
                                                                               std::size_t referrers) {
  auto f = [limit, referrers](store::CrawlStore& s) { return s.broken_targets(limit, referrers); };
  co_return co_await call<Result<std::vector<store::BrokenTarget>>>(f);
}

Task<Result<std::vector<store::RunSummary>>> CrawlStoreReader::runs() {
  auto f = [](store::CrawlStore& s) { return s.runs(); };
  co_return co_await call<Result<std::vector<store::RunSummary>>>(f);
}

Task<Result<std::optional<store::RunTimeline>>> CrawlStoreReader::run_timeline(std::optional<std::int64_t> run,
                                                                              std::size_t max_spans) {
  auto f = [run, max_spans](store::CrawlStore& s) { return s.run_timeline(run, max_spans); };
  co_return co_await call<Result<std::optional<store::RunTimeline>>>(f);
}

Task<Result<store::TimeHistogram>> CrawlStoreReader::pages_over_time(std::size_t buckets) {
  auto f = [buckets](store::CrawlStore& s) { return s.pages_over_time(buckets); };
  co_return co_await call<Result<store::TimeHistogram>>(f);
}

Task<Result<store::SearchResults>> CrawlStoreReader::search(store::SearchQuery query, std::size_t offset,
                                                           std::size_t limit) {
  auto f = [&query, offset, limit](store::CrawlStore& s) { return s.search(query, offset, limit); };
  co_return co_await call<Result<store::SearchResults>>(f);
}

Task<Result<std::string_view>> CrawlStoreReader::warc_next(WarcDownload& warc) {
  auto f = [&warc](store::CrawlStore& s) { return warc.next(s); };
  co_return co_await call<Result<std::string_view>>(f);
}

Task<void> StoreReader::run(const std::function<void(store::CrawlStore&)>& fn) {
  fn(store_);
  co_return;
}

std::unique_ptr<ServeReader> PoolReaders::for_loop(runtime::asio::any_io_executor, Counters& counters) {
  return std::make_unique<PoolReader>(rt_, *pool_, counters);
}

}  // namespace preheat::serve
