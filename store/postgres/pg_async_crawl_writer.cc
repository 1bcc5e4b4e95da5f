#include "store/postgres/pg_async_crawl_writer.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <chrono>
#include <tuple>
#include <utility>

#include "store/postgres/pg_async_program.h"
#include "store/postgres/postgres_crawl_store.h"
#include "store/postgres/postgres_write_programs.h"

namespace preheat::store::postgres {
namespace {

namespace asio = runtime::asio;
using runtime::Task;

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::shared_ptr<AsyncCrawlWriter> PostgresCrawlStore::async_writer(const AsyncWriterExecutor& executor) {
  if (options_.read_only) return nullptr;
  return std::make_shared<PgAsyncCrawlWriter>(executor.executor, *this);
}

PgAsyncCrawlWriter::PgAsyncCrawlWriter(asio::any_io_executor executor, PostgresCrawlStore& store)
    : executor_(std::move(executor)), store_(store) {}

Task<Status> PgAsyncCrawlWriter::connected() {
  if (conn_) co_return Status();
  Result<std::unique_ptr<PgAsyncConnection>> c = co_await PgAsyncConnection::connect(executor_, store_.location_);
  if (!c.ok()) co_return c.status();
  Status s = co_await prepare_writer_statements(**c);
  if (!s.ok()) co_return s;
  conn_ = std::move(*c);
  co_return Status();
}

Task<Status> PgAsyncCrawlWriter::run(PgProgram& program) {
  Status s = co_await connected();
  if (s.ok()) s = co_await run_program(*conn_, program);
  // Say whose connection it was: the server's own words alone ("terminating
  // connection due to administrator command") do not name the database.
  if (s.code() == Status::Code::kIoError) s = Status::io_error("the crawl's PostgreSQL connection: " + s.message());
  co_return s;
}

Task<Status> PgAsyncCrawlWriter::write(const WriteBatch& batch) {
  if (Status s = store_.writable(); !s.ok()) co_return s;
  WriteProgram program(batch, store_.url_ids_, store_.current_run_);
  co_return co_await run(program);
}

Task<Result<std::vector<FrontierEntry>>> PgAsyncCrawlWriter::claim_due(std::size_t limit, std::int64_t now_ms) {
  if (!store_.options_.fleet) {
    ClaimProgram program(limit, now_ms);
    Status s = co_await run(program);
    if (!s.ok()) co_return s;
    co_return std::move(program.value);
  }
  FleetClaimProgram program(*store_.options_.fleet, limit, now_ms);
  Status s = co_await run(program);
  if (!s.ok()) co_return s;
  store_.held_hosts_ = std::move(program.held_hosts);
  co_return std::move(program.value);
}

Task<Result<std::optional<std::int64_t>>> PgAsyncCrawlWriter::next_due_ms() {
  NextDueProgram program;
  Status s = co_await run(program);
  if (!s.ok()) co_return s;
  co_return program.value;
}

Task<Result<std::vector<std::string>>> PgAsyncCrawlWriter::held_hosts() {
  co_return store_.held_hosts();  // the last claim's answer: no round trip
}

Task<Result<bool>> PgAsyncCrawlWriter::fleet_work_left(std::int64_t now_ms) {
  if (!store_.options_.fleet) co_return store_.fleet_work_left(now_ms);  // no fleet: the store's answer
  WorkLeftProgram program(*store_.options_.fleet, now_ms);
  Status s = co_await run(program);
  if (!s.ok()) co_return s;
  store_.fleet_budget_spent_ = program.budget_spent;
  co_return program.value;
}

// ---- lease renewal ----

void PgAsyncCrawlWriter::take_over_renewals() {
  store_.keeper_.reset();  // joins its thread: at most one renewal in flight
  store_.keeper_handed_over_ = true;
}

Task<void> PgAsyncCrawlWriter::renew_once() {
  if (lease_conn_ && lease_conn_->broken()) lease_conn_.reset();
  if (!lease_conn_) {
    Result<std::unique_ptr<PgAsyncConnection>> c = co_await PgAsyncConnection::connect(executor_, store_.location_);
    if (!c.ok()) co_return;  // the next round tries again
    lease_conn_ = std::move(*c);
  }
  const std::int64_t now = unix_now_ms();
  RenewProgram program(*store_.options_.fleet, now);
  Status s = co_await run_program(*lease_conn_, program);
  if (s.ok()) store_.last_renewal_ms_ = std::max(store_.last_renewal_ms_, now);
}

Task<bool> PgAsyncCrawlWriter::wait_a_third() {
  const auto every = std::chrono::milliseconds(std::max<std::int64_t>(store_.options_.fleet->lease_ms / 3, 1));
  asio::steady_timer timer(executor_, every);
  timer_ = &timer;
  struct Clear {
    asio::steady_timer*& timer;
    ~Clear() { timer = nullptr; }
  } clear{timer_};
  auto waited = timer.async_wait(asio::as_tuple(asio::use_awaitable));
  std::tuple<boost::system::error_code> result = co_await std::move(waited);
  co_return !std::get<0>(result) && !stopping_;
}

Task<void> PgAsyncCrawlWriter::renew_leases() {
  if (!store_.options_.fleet || stopping_) co_return;
  take_over_renewals();
  for (;;) {
    co_await renew_once();
    if (stopping_) break;
    const bool again = co_await wait_a_third();
    if (!again) break;
  }
}

void PgAsyncCrawlWriter::stop_renewing() {
  stopping_ = true;
  if (timer_ != nullptr) timer_->cancel();
}

}  // namespace preheat::store::postgres
