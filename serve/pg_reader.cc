#include "serve/pg_reader.h"

#include <utility>

#include "serve/warc_download.h"
#include "store/postgres/pg_async_read.h"

namespace preheat::serve {
namespace {

using runtime::Task;
namespace pg = store::postgres;

class PgReader final : public ServeReader {
 public:
  PgReader(runtime::Runtime& rt, runtime::asio::any_io_executor loop, store::PgAsyncPoolOptions options,
           runtime::asio::any_io_executor pieces, Counters& counters)
      : rt_(rt), pool_(loop, std::move(options)), pieces_(std::move(pieces)), counters_(counters) {}
  ~PgReader() override { pool_.close(); }

  Task<Result<store::CrawlStats>> stats() override {
    pg::StatsPlan plan;
    co_return co_await read(plan);
  }
  Task<Result<std::optional<store::PageView>>> page_view(std::string url, std::size_t limit) override {
    pg::PagePlan plan(url, /*with_text=*/false, limit);
    co_return co_await read(plan);
  }
  Task<Result<std::vector<store::BrokenTarget>>> broken_targets(std::size_t limit, std::size_t referrers) override {
    pg::BrokenTargetsPlan plan(limit, referrers);
    co_return co_await read(plan);
  }
  Task<Result<std::vector<store::RunSummary>>> runs() override {
    pg::RunsPlan plan;
    co_return co_await read(plan);
  }
  Task<Result<std::optional<store::RunTimeline>>> run_timeline(std::optional<std::int64_t> run,
                                                               std::size_t max_spans) override {
    pg::RunTimelinePlan plan(run, max_spans);
    co_return co_await read(plan);
  }
  Task<Result<store::TimeHistogram>> pages_over_time(std::size_t buckets) override {
    pg::PagesOverTimePlan plan(buckets);
    co_return co_await read(plan);
  }
  Task<Result<store::SearchResults>> search(store::SearchQuery query, std::size_t offset, std::size_t limit) override {
    pg::SearchPlan plan(query, offset, limit);
    co_return co_await read(plan);
  }
  Task<Result<std::string_view>> warc_next(WarcDownload& warc) override;

 private:
  // The plan through this loop's pool: its value, or why not.
  template <class Plan>
  Task<Result<decltype(Plan::value)>> read(Plan& plan) {
    DbCall call(counters_);
    call.running();
    Status s = co_await store::run_plan(pool_, plan);
    if (!s.ok()) co_return s;
    co_return std::move(plan.value);
  }

  runtime::Runtime& rt_;
  store::PgAsyncPool pool_;
  runtime::asio::any_io_executor pieces_;
  Counters& counters_;
};

Task<Result<std::string_view>> PgReader::warc_next(WarcDownload& warc) {
  Result<std::vector<store::StoredBody>> rows = std::vector<store::StoredBody>();
  if (!warc.done()) {
    const WarcDownload::Read r = warc.next_read();
    pg::BodiesAfterPlan plan(r.after, r.limit, r.max_bytes);
    rows = co_await read(plan);
  }
  auto work = [&warc, &rows] { return warc.next(rows); };
  co_return co_await rt_.run_on(pieces_, work);
}

}  // namespace

PgReaders::PgReaders(runtime::Runtime& rt, std::string uri, std::size_t connections_per_loop)
    : rt_(rt), uri_(std::move(uri)), connections_(connections_per_loop) {}

PgReaders::~PgReaders() { pieces_.join(); }

std::unique_ptr<ServeReader> PgReaders::for_loop(runtime::asio::any_io_executor loop, Counters& counters) {
  store::PgAsyncPoolOptions options{.uri = uri_, .connections = connections_};
  return std::make_unique<PgReader>(rt_, std::move(loop), std::move(options), pieces_.get_executor(), counters);
}

}  // namespace preheat::serve
