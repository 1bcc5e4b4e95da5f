// LeaseKeeper: renews a fleet worker's leases (crawl_store.h FleetOptions) -
// its fleet_workers row, its host_leases rows and the lease of every frontier
// row it has claimed - every lease/3, from its own thread on its own
// connection.
//
// Why not with the claims: claims run on the crawl's writer thread, behind
// the write batches queued before them, in the writer's connection. A slow
// write (a loaded machine, a lock held by someone else) then delayed the
// renewal, and a lease could expire while its worker was alive (measured:
// 0.5 s leases were missed on the loaded 2-core machine). Here nothing the
// writer does can delay a renewal: the statements skip rows another
// transaction has locked (FOR UPDATE SKIP LOCKED: a claimed row the writer
// is finishing needs no renewal, and a host row another worker is looking at
// is renewed at the next round) instead of waiting for them.
//
// The cost: a worker whose crawl is wedged (alive, not progressing) keeps its
// hosts for as long as the process lives; a killed or stopped process
// (SIGSTOP too) stops renewing, and its leases expire as before.
//
// During a crawl's run in async or parallel mode the renewals move to the
// event loop (PgAsyncCrawlWriter::renew_leases, pg_async_crawl_writer.h: a
// coroutine with its own PgAsyncConnection, the same RenewProgram), and the
// store's keeper is destroyed; this thread renews from open until then.
//
// Thread safety: start() and the destructor on one thread; the keeper's
// thread owns its connection.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"
#include "store/crawl_store.h"
#include "store/postgres/pg_connection.h"

namespace preheat::store::postgres {

// One renewal of `fleet`'s leases, until now_ms + lease, in `db`: three
// autocommit statements (or part of the caller's transaction). Rows locked
// by another transaction are skipped (see above). The statements are
// RenewProgram's (postgres_write_programs.h), shared with the async writer.
Status renew_fleet_leases(PgConnection& db, const FleetOptions& fleet, std::int64_t now_ms);

class LeaseKeeper {
 public:
  // Connects to `location`, renews once (the worker is registered when this
  // returns), then renews every lease/3 until destroyed. Errors: the
  // connection's or the first renewal's.
  static Result<std::unique_ptr<LeaseKeeper>> start(const std::string& location, const FleetOptions& fleet);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

 private:
  LeaseKeeper(std::string location, FleetOptions fleet, PgConnection db)
      : location_(std::move(location)), fleet_(std::move(fleet)), db_(std::move(db)) {}
  void run();
  // One round; a failed one reconnects at the next (the server restarted).
  void renew_once();

  const std::string location_;
  const FleetOptions fleet_;
  PgConnection db_;  // the keeper's thread only (after start())
  bool broken_ = false;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace preheat::store::postgres
