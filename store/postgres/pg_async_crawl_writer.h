// PgAsyncCrawlWriter: the crawler's database work on PostgreSQL as
// coroutines on the event loop (issue 8; the AsyncCrawlWriter of
// store/async_crawl_writer.h), made by PostgresCrawlStore::async_writer().
// The crawler uses it in async and parallel modes instead of a writer thread
// and a LeaseKeeper thread.
//
// Decisions:
// - One PgAsyncConnection (not a pool) for write, claim_due, next_due_ms and
//   fleet_work_left, opened (and the writer statements prepared on it) by
//   the first call, on the loop. One connection keeps StoreWriter's FIFO
//   contract trivially (a claim runs after every batch submitted before it,
//   on the same session), and the crawl had one writer connection before.
//   A broken connection is not replaced: the error goes to the crawl, whose
//   first-error rule stops it (a rerun resumes: every committed batch
//   stays, the claims of the lost one are released at the next start).
// - The programs (postgres_write_programs.h) are the blocking store's, run
//   by the async driver (pg_async_program.h): same SQL, same decoding, same
//   rollback and URL-id cache clearing. A batch's row statements go in ONE
//   pipeline (one round trip), where the blocking driver syncs every 16 pages.
// - State shared with the store (it is idle while the crawl runs): its
//   URL-id cache, current run id, held hosts; the store outlives the writer.
// - Lease renewal (fleet mode): renew_leases() first stops the store's
//   LeaseKeeper thread (joining it costs at most one renewal in flight,
//   once, at the start of the run), then renews at once and every lease/3
//   on its OWN connection (a slow write never delays a renewal: the reason
//   LeaseKeeper has its own connection, kept), with an asio timer that
//   stop_renewing() cancels. A failed renewal drops that connection and
//   reconnects at the next round. Outside the crawl's runtime the store
//   renews: its LeaseKeeper thread from open until the run starts, and
//   after the run (the crawl's last batch, written by the blocking store in
//   StoreWriter::finish) PostgresCrawlStore::write() renews synchronously
//   when lease/3 has passed since the last renewal; closing the store hands
//   every lease back.
// - Host names in the location are resolved by a blocking getaddrinfo when
//   connecting (pg_async_connection.h): documented there, accepted.
//
// Thread safety: on the event loop thread of its executor (every coroutine
// of the runtime runs there, in parallel mode too: runtime.h).
#pragma once

#include <memory>

#include "store/async_crawl_writer.h"
#include "store/postgres/pg_async_connection.h"
#include "store/postgres/pg_program.h"

namespace preheat::store::postgres {

class PostgresCrawlStore;

class PgAsyncCrawlWriter final : public AsyncCrawlWriter {
 public:
  PgAsyncCrawlWriter(runtime::asio::any_io_executor executor, PostgresCrawlStore& store);

  runtime::Task<Status> write(const WriteBatch& batch) override;
  runtime::Task<Result<std::vector<FrontierEntry>>> claim_due(std::size_t limit, std::int64_t now_ms) override;
  runtime::Task<Result<std::optional<std::int64_t>>> next_due_ms() override;
  runtime::Task<Result<std::vector<std::string>>> held_hosts() override;
  runtime::Task<Result<bool>> fleet_work_left(std::int64_t now_ms) override;
  runtime::Task<void> renew_leases() override;
  void stop_renewing() override;

  // The writer connection's server process (0 before the first call): for
  // tests that end it.
  int backend_pid() const { return conn_ ? conn_->backend_pid() : 0; }

 private:
  runtime::Task<Status> connected();
  runtime::Task<Status> run(PgProgram& program);
  runtime::Task<void> renew_once();
  runtime::Task<bool> wait_a_third();  // false: stopped
  void take_over_renewals();

  runtime::asio::any_io_executor executor_;
  PostgresCrawlStore& store_;
  std::unique_ptr<PgAsyncConnection> conn_;
  std::unique_ptr<PgAsyncConnection> lease_conn_;
  bool stopping_ = false;
  runtime::asio::steady_timer* timer_ = nullptr;  // the renewal loop's wait, while it waits
};

}  // namespace preheat::store::postgres
