#include "crawl/store_writer.h"

#include <utility>

#include "runtime/runtime.h"
#include "trace/recorder.h"

namespace preheat::crawl {

StoreWriter::StoreWriter(runtime::Runtime& rt, store::CrawlStore& store, Options options)
    : rt_(rt),
      store_(store),
      options_(options),
      last_send_(rt.clock().now()) {
  if (rt.mode() != ExecutionMode::kSequential) {
    thread_ = std::make_unique<runtime::asio::thread_pool>(1);
    if (trace::Recorder* rec = rt.recorder()) {
      const trace::LaneId lane = rec->add_lane("db writer");
      runtime::asio::post(*thread_, [rec, lane] { rec->bind_thread(lane); });
    }
  }
}

StoreWriter::~StoreWriter() {
  if (!finished_) finish();
}

void StoreWriter::record_error(const Status& s) {
  std::lock_guard lock(mu_);
  if (first_error_.ok()) first_error_ = s;
}

Status StoreWriter::error() const {
  std::lock_guard lock(mu_);
  return first_error_;
}

void StoreWriter::write_now(const store::WriteBatch& batch) {
  if (!error().ok()) return;  // the crawl is stopping; keep the database as committed
  trace::ScopedSpan span(rt_.recorder(), trace::EventKind::kWork, trace::kNoTask);
  Status s = store_.write(batch);
  if (!s.ok()) record_error(s);
}

void StoreWriter::submit(store::PageRecord record) {
  pending_bytes_ += record.approx_bytes();
  pending_.pages.push_back(std::move(record));
  const TimePoint now = rt_.clock().now();
  if (pending_.pages.size() >= options_.batch_pages || pending_bytes_ >= options_.max_bytes_queued / 4 ||
      now - last_send_ >= options_.commit_interval) {
    send_pending();
  }
}

void StoreWriter::send_pending() {
  last_send_ = rt_.clock().now();
  if (pending_.pages.empty() && pending_.seeds.empty()) return;
  auto batch = std::make_shared<store::WriteBatch>(std::move(pending_));
  pending_ = store::WriteBatch{};
  const std::size_t bytes = std::exchange(pending_bytes_, 0);
  if (!thread_) {
    write_now(*batch);
    return;
  }
  queued_batches_.fetch_add(1);
  queued_bytes_.fetch_add(bytes);
  // `this` outlives the thread: finish() joins it.
  runtime::asio::post(*thread_, [this, batch, bytes] {
    write_now(*batch);
    batch->pages.clear();  // the memory goes now, not when the last copy of the pointer does
    queued_bytes_.fetch_sub(bytes);
    queued_batches_.fetch_sub(1);
  });
}

runtime::Task<void> StoreWriter::backpressure() {
  if (thread_ && (queued_batches_.load() > options_.max_batches_queued ||
                  pending_bytes_ + queued_bytes_.load() > options_.max_bytes_queued)) {
    co_await flush();
  }
}

runtime::Task<Status> StoreWriter::flush() {
  send_pending();
  if (thread_) {
    // FIFO: this runs after every batch sent before it.
    auto barrier = [] { return 0; };
    co_await rt_.run_on(thread_->get_executor(), barrier);
  }
  co_return error();
}

runtime::Task<Result<std::vector<store::FrontierEntry>>> StoreWriter::claim_due(std::size_t limit,
                                                                                 std::int64_t now_ms) {
  send_pending();
  auto claim = [this, limit, now_ms]() -> Result<std::vector<store::FrontierEntry>> {
    Status e = error();
    if (!e.ok()) return e;
    return store_.claim_due(limit, now_ms);
  };
  if (!thread_) co_return claim();
  co_return co_await rt_.run_on(thread_->get_executor(), std::move(claim));
}

runtime::Task<Result<std::optional<std::int64_t>>> StoreWriter::next_due_ms() {
  send_pending();
  auto query = [this]() -> Result<std::optional<std::int64_t>> {
    Status e = error();
    if (!e.ok()) return e;
    return store_.next_due_ms();
  };
  if (!thread_) co_return query();
  co_return co_await rt_.run_on(thread_->get_executor(), std::move(query));
}

Status StoreWriter::finish() {
  if (finished_) return error();
  finished_ = true;
  if (thread_) {
    thread_->join();  // runs every queued write, then the thread exits
    thread_.reset();
  }
  store::WriteBatch last = std::move(pending_);
  pending_ = store::WriteBatch{};
  pending_bytes_ = 0;
  if (!last.pages.empty() || !last.seeds.empty()) write_now(last);
  return error();
}

runtime::Task<Result<std::vector<std::string>>> StoreWriter::held_hosts() {
  send_pending();
  auto query = [this]() -> Result<std::vector<std::string>> {
    Status e = error();
    if (!e.ok()) return e;
    return store_.held_hosts();
  };
  if (!thread_) co_return query();
  co_return co_await rt_.run_on(thread_->get_executor(), std::move(query));
}

runtime::Task<Result<bool>> StoreWriter::fleet_work_left(std::int64_t now_ms) {
  send_pending();
  auto query = [this, now_ms]() -> Result<bool> {
    Status e = error();
    if (!e.ok()) return e;
    return store_.fleet_work_left(now_ms);
  };
  if (!thread_) co_return query();
  co_return co_await rt_.run_on(thread_->get_executor(), std::move(query));
}

}  // namespace preheat::crawl
