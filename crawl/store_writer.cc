#include "crawl/store_writer.h"

#include <exception>
#include <string>
#include <utility>

#include "runtime/event.h"
#include "runtime/runtime.h"
#include "trace/recorder.h"

namespace preheat::crawl {

template <class T>
struct StoreWriter::Slot {
  explicit Slot(const runtime::asio::any_io_executor& ex) : done(ex) {}
  runtime::Event done;
  std::optional<T> value;
};

namespace {

// A kWait span on the loop lane for one async writer call (the loop runs
// other coroutines meanwhile): from `start_ns` to now.
void record_wait(trace::Recorder* rec, std::int64_t start_ns) {
  if (rec == nullptr) return;
  trace::Span span;
  span.kind = trace::EventKind::kWait;
  span.lane = rec->current_lane();
  span.start_ns = start_ns;
  span.end_ns = rec->now_ns();
  rec->record(span);
}

std::int64_t now_ns(trace::Recorder* rec) { return rec != nullptr ? rec->now_ns() : 0; }

}  // namespace

StoreWriter::StoreWriter(runtime::Runtime& rt, store::CrawlStore& store, Options options)
    : rt_(rt),
      store_(store),
      options_(options),
      last_send_(rt.clock().now()) {
  if (rt.mode() == ExecutionMode::kSequential) return;
  async_ = store.async_writer(store::AsyncWriterExecutor{rt.executor()});
  if (async_) {
    jobs_ = std::make_unique<runtime::Scope>(rt.executor());
    turn_ = std::make_unique<runtime::Condition>(rt.executor());
    return;
  }
  thread_ = std::make_unique<runtime::asio::thread_pool>(1);
  if (trace::Recorder* rec = rt.recorder()) {
    const trace::LaneId lane = rec->add_lane("db writer");
    runtime::asio::post(*thread_, [rec, lane] { rec->bind_thread(lane); });
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
  if (!thread_ && !async_) {
    write_now(*batch);
    return;
  }
  queued_batches_.fetch_add(1);
  queued_bytes_.fetch_add(bytes);
  if (async_) {
    jobs_->spawn(write_job(next_ticket_++, std::move(batch), bytes));
    return;
  }
  // `this` outlives the thread: finish() joins it.
  runtime::asio::post(*thread_, [this, batch, bytes] {
    write_now(*batch);
    batch->pages.clear();  // the memory goes now, not when the last copy of the pointer does
    queued_bytes_.fetch_sub(bytes);
    queued_batches_.fetch_sub(1);
  });
}

// ---- the async writer's jobs: one at a time, in ticket order ----

runtime::Task<void> StoreWriter::my_turn(std::uint64_t ticket) {
  while (serving_ != ticket) co_await turn_->wait();
}

void StoreWriter::next_turn() {
  ++serving_;
  turn_->notify_all();
}

runtime::Task<void> StoreWriter::write_job(std::uint64_t ticket, std::shared_ptr<store::WriteBatch> batch,
                                           std::size_t bytes) {
  co_await my_turn(ticket);
  if (error().ok()) {
    const std::int64_t start = now_ns(rt_.recorder());
    Status s;
    try {
      s = co_await async_->write(*batch);
    } catch (const std::exception& e) {  // never cut the ticket chain: later jobs would wait forever
      s = Status::internal(std::string("the crawl's writer failed: ") + e.what());
    }
    record_wait(rt_.recorder(), start);
    if (!s.ok()) record_error(s);
  }
  batch->pages.clear();
  queued_bytes_.fetch_sub(bytes);
  queued_batches_.fetch_sub(1);
  next_turn();
}

template <class T, class Op>
runtime::Task<void> StoreWriter::read_job(std::uint64_t ticket, Op op, std::shared_ptr<Slot<T>> slot) {
  co_await my_turn(ticket);
  if (Status e = error(); !e.ok()) {
    slot->value.emplace(e);
  } else {
    const std::int64_t start = now_ns(rt_.recorder());
    try {
      runtime::Task<T> call = op(*async_);
      slot->value.emplace(co_await std::move(call));
    } catch (const std::exception& e) {  // as in write_job
      slot->value.emplace(Status::internal(std::string("the crawl's writer failed: ") + e.what()));
    }
    record_wait(rt_.recorder(), start);
  }
  slot->done.set();
  next_turn();
}

// Runs `op` as a job after every one queued before it. The caller only waits
// for the outcome: cancelled, it leaves; the job still runs to its end.
template <class T, class Op>
runtime::Task<T> StoreWriter::read_in_turn(Op op) {
  auto slot = std::make_shared<Slot<T>>(rt_.executor());
  jobs_->spawn(read_job<T>(next_ticket_++, std::move(op), slot));
  co_await slot->done.wait();
  co_return std::move(*slot->value);
}

runtime::Task<void> StoreWriter::backpressure() {
  if ((thread_ || async_) && (queued_batches_.load() > options_.max_batches_queued ||
                              pending_bytes_ + queued_bytes_.load() > options_.max_bytes_queued)) {
    co_await flush();
  }
}

runtime::Task<Status> StoreWriter::flush() {
  send_pending();
  if (async_) {
    const std::uint64_t upto = next_ticket_;
    while (serving_ < upto) co_await turn_->wait();
  } else if (thread_) {
    // FIFO: this runs after every batch sent before it.
    auto barrier = [] { return 0; };
    co_await rt_.run_on(thread_->get_executor(), barrier);
  }
  co_return error();
}

runtime::Task<Result<std::vector<store::FrontierEntry>>> StoreWriter::claim_due(std::size_t limit,
                                                                                 std::int64_t now_ms) {
  send_pending();
  if (async_) {
    auto op = [limit, now_ms](store::AsyncCrawlWriter& w) { return w.claim_due(limit, now_ms); };
    co_return co_await read_in_turn<Result<std::vector<store::FrontierEntry>>>(std::move(op));
  }
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
  if (async_) {
    auto op = [](store::AsyncCrawlWriter& w) { return w.next_due_ms(); };
    co_return co_await read_in_turn<Result<std::optional<std::int64_t>>>(std::move(op));
  }
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
  if (async_) {
    // Runtime::run returned: the loop ran every job out (it returns only
    // when idle). The async writer and its connection go now.
    if (serving_ != next_ticket_) record_error(Status::internal("the crawl's writer stopped with calls not run"));
    jobs_.reset();
    async_.reset();
  }
  store::WriteBatch last = std::move(pending_);
  pending_ = store::WriteBatch{};
  pending_bytes_ = 0;
  if (!last.pages.empty() || !last.seeds.empty()) write_now(last);
  return error();
}

runtime::Task<Result<std::vector<std::string>>> StoreWriter::held_hosts() {
  send_pending();
  if (async_) {
    auto op = [](store::AsyncCrawlWriter& w) { return w.held_hosts(); };
    co_return co_await read_in_turn<Result<std::vector<std::string>>>(std::move(op));
  }
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
  if (async_) {
    auto op = [now_ms](store::AsyncCrawlWriter& w) { return w.fleet_work_left(now_ms); };
    co_return co_await read_in_turn<Result<bool>>(std::move(op));
  }
  auto query = [this, now_ms]() -> Result<bool> {
    Status e = error();
    if (!e.ok()) return e;
    return store_.fleet_work_left(now_ms);
  };
  if (!thread_) co_return query();
  co_return co_await rt_.run_on(thread_->get_executor(), std::move(query));
}

runtime::Task<void> StoreWriter::keep_leases() {
  if (!async_) co_return;
  co_await async_->renew_leases();
}

void StoreWriter::stop_keeping_leases() {
  if (async_) async_->stop_renewing();
}

}  // namespace preheat::crawl
