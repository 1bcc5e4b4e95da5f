// PostgresCrawlStore's fleet mode: several crawler processes on one frontier
// (crawl_store.h FleetOptions; docs/architecture.md, "Several crawlers on one
// PostgreSQL").
//
// A host (fleet_host(): the URL up to its path) is crawled by one worker at
// a time, the one whose row in host_leases names it with a live lease. So a
// worker's politeness state (crawl/host_politeness.h: connections, delays,
// Crawl-delay, pauses, robots.txt) is the whole fleet's for its hosts, with
// no round trip per request. Frontier rows a worker claims carry its id and
// a lease; both kinds of lease are renewed every lease/3 by the store's
// LeaseKeeper (its own thread and connection: lease_keeper.h; during a
// crawl's run on the loop, by the async writer: pg_async_crawl_writer.h) and expire
// when a worker dies, and then another worker takes the host and the rows
// over: a killed worker loses nothing committed.
//
// The lease table is coordination state, not crawl data: it is created
// (idempotently, under an advisory lock) by the first fleet open instead of
// by a schema migration, because the schema version is shared with SQLite,
// which has no fleet.
//
// The claim and the work-left query are step programs (FleetClaimProgram,
// WorkLeftProgram: postgres_write_programs.h) defined at the end of this
// file, next to their SQL, and run by the blocking store and the async
// writer alike.
#include "store/postgres/postgres_crawl_store.h"

#include "store/postgres/lease_keeper.h"
#include "store/postgres/postgres_write_programs.h"

#include <algorithm>
#include <chrono>

namespace preheat::store::postgres {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A frontier row a worker may claim: queued and due, or claimed under a
// lease that expired (its worker died or lost the host). $2 = now. The
// state test first: frontier_claimable (migration 4) holds only those states.
#define PREHEAT_CLAIMABLE                                                                        \
  "f.state IN (0, 1) AND ((f.state = 0 AND f.next_due_ms <= $2) OR (f.state = 1 AND (f.lease_until_ms IS NULL " \
  "OR f.lease_until_ms < $2)))"

// $1 worker, $2 now, $3 lease end, $4 limit. Per held host, its lowest rows
// through frontier_claimable (host, depth, url_id): a claim reads about
// `limit` index entries per host, not the frontier. Rows another
// transaction is claiming are skipped, not waited for.
constexpr std::string_view kClaimRows =
    "WITH c AS (SELECT h.url_id FROM host_leases l CROSS JOIN LATERAL (SELECT f.url_id, f.depth FROM frontier f "
    "WHERE f.host = l.host AND " PREHEAT_CLAIMABLE " ORDER BY f.depth, f.url_id LIMIT $4 FOR UPDATE OF f SKIP LOCKED) h "
    "WHERE l.worker = $1 AND NOT l.draining ORDER BY h.depth, h.url_id LIMIT $4) "
    "UPDATE frontier f SET state = 1, claimed_by = $1, lease_until_ms = $3 "
    "FROM c JOIN urls u ON u.id = c.url_id LEFT JOIN pages p ON p.url_id = c.url_id "
    "WHERE f.url_id = c.url_id RETURNING f.url_id, u.url, f.depth, f.attempts, p.url_id IS NOT NULL, p.status, "
    "p.etag, p.last_modified, p.content_hash, p.bytes, p.final_url_id <> p.url_id";
// One more host with claimable rows whose lease is free or expired, picked
// at random, and only while this worker holds fewer hosts than its fair
// share: ceil(hosts (held by live leases, or free with work) / live
// workers). Without the share the first worker to start took every host
// (measured: 5 of 6 hosts, a third worker idle). Progress holds: while a
// free host has work, some live worker is below its share. Two workers
// racing for a host: the second's ON CONFLICT waits for the first's commit,
// then sees a live lease and takes nothing. The hosts with queued or
// claimed rows are walked through frontier_claimable one host at a time
// (a recursive "skip scan": one index probe per host, not a scan of every
// row), then each free one is checked for a claimable row.
constexpr std::string_view kAcquireHost =
    "WITH RECURSIVE hosts(h) AS ((SELECT host FROM frontier WHERE state IN (0, 1) AND host IS NOT NULL "
    "ORDER BY host LIMIT 1) UNION ALL SELECT (SELECT host FROM frontier WHERE state IN (0, 1) AND host > hosts.h "
    "ORDER BY host LIMIT 1) FROM hosts WHERE hosts.h IS NOT NULL), "
    "free AS (SELECT h FROM hosts WHERE h IS NOT NULL AND NOT EXISTS (SELECT 1 FROM host_leases l "
    "WHERE l.host = hosts.h AND l.lease_until_ms >= $2) "
    "AND EXISTS (SELECT 1 FROM frontier f WHERE f.host = hosts.h AND " PREHEAT_CLAIMABLE ")), "
    "workers AS (SELECT greatest(count(*), 1) AS n FROM fleet_workers WHERE lease_until_ms >= $2), "
    "share AS (SELECT ((SELECT count(*) FROM host_leases WHERE lease_until_ms >= $2) + (SELECT count(*) FROM free) "
    "+ workers.n - 1) / workers.n AS n FROM workers) "
    "INSERT INTO host_leases (host, worker, lease_until_ms) "
    "SELECT h, $1, $3 FROM free WHERE $2::bigint <= $3::bigint "
    "AND (SELECT count(*) FROM host_leases WHERE worker = $1 AND lease_until_ms >= $2) < (SELECT n FROM share) "
    "ORDER BY random() LIMIT 1 "
    "ON CONFLICT (host) DO UPDATE SET worker = excluded.worker, lease_until_ms = excluded.lease_until_ms, "
    "draining = false "
    "WHERE host_leases.lease_until_ms < $2 RETURNING host";

// $1 worker, $2 now. Rebalancing, in two steps. A worker that holds more
// hosts than its fair share, while another live worker holds fewer than
// its share (one that started after the first took every host), marks one
// of its hosts `draining` (kDrainHost): its claims take no more rows of it
// (kClaimRows). Once none of its rows is claimed by the worker (nothing of
// it in memory or in flight), the host is handed back (kReleaseDrained).
// Without the drain a worker never had an idle host to give: its window
// holds rows of every host it holds. The share is kAcquireHost's, with the
// hosts handed back and not taken yet (those with queued rows: one whose
// work is gone will not be taken) counted as the needy worker's; at most
// one host of a worker drains at a time. Only a host with queued due rows
// (of use to the taker) drains, the one with the fewest rows claimed here.
constexpr std::string_view kDrainHost =
    "WITH workers AS (SELECT greatest(count(*), 1) AS n FROM fleet_workers WHERE lease_until_ms >= $2), "
    "released AS (SELECT count(*) AS n FROM host_leases r WHERE r.worker = '' AND EXISTS (SELECT 1 FROM frontier f "
    "WHERE f.host = r.host AND f.state = 0)), "
    "share AS (SELECT ((SELECT count(*) FROM host_leases WHERE worker <> '' AND lease_until_ms >= $2) + released.n "
    "+ workers.n - 1) "
    "/ workers.n AS n FROM workers, released), "
    "needy AS (SELECT 1 FROM fleet_workers w WHERE w.worker <> $1 AND w.lease_until_ms >= $2 AND (SELECT count(*) "
    "FROM host_leases l WHERE l.worker = w.worker AND l.lease_until_ms >= $2) + (SELECT n FROM released) < "
    "(SELECT n FROM share) LIMIT 1), "
    "pick AS (SELECT l.host FROM host_leases l WHERE l.worker = $1 AND l.lease_until_ms >= $2 "
    "AND (SELECT count(*) FROM host_leases WHERE worker = $1 AND lease_until_ms >= $2) > (SELECT n FROM share) "
    "AND EXISTS (SELECT 1 FROM needy) "
    "AND NOT EXISTS (SELECT 1 FROM host_leases d WHERE d.worker = $1 AND d.draining) "
    "AND EXISTS (SELECT 1 FROM frontier f WHERE f.host = l.host AND f.state = 0 AND f.next_due_ms <= $2) "
    "ORDER BY (SELECT count(*) FROM frontier f WHERE f.host = l.host AND f.state = 1 AND f.claimed_by = $1), l.host "
    "LIMIT 1 FOR UPDATE OF l SKIP LOCKED) "
    "UPDATE host_leases l SET draining = true FROM pick WHERE l.host = pick.host RETURNING l.host";
// $1 worker, $2 now, $3 grace (ms). A drained host goes to nobody (worker
// ''): the LeaseKeeper renews only rows naming its worker, kAcquireHost
// takes it as a free host once its lease ends, and the giver, at its share
// now, does not take it back. The lease ends `grace` later (release_grace_ms):
// meanwhile the giver, which learns of the hand-back from this same claim,
// closes its idle connections to the host (Fetcher::close_idle), so that the
// taker's are not opened beside them.
constexpr std::string_view kReleaseDrained =
    "UPDATE host_leases l SET worker = '', lease_until_ms = $2::bigint + $3::bigint, draining = false "
    "WHERE l.worker = $1 AND l.draining "
    "AND NOT EXISTS (SELECT 1 FROM frontier f WHERE f.host = l.host AND f.state = 1 AND f.claimed_by = $1) "
    "RETURNING l.host";

// The fleet's page budget (FleetOptions::max_pages). The claims of a
// budgeted crawl serialise on this lock, held to the claim's commit, so that
// two claims never grant the same room; unlimited crawls claim without it.
constexpr std::string_view kBudgetLock = "SELECT pg_advisory_xact_lock(hashtext('preheat fleet budget'))";
// $1 now, $2 max_pages: the room left (max_pages - committed pages - rows
// claimed under a live lease), whether any row is claimed under a live
// lease, whether any row is queued; one snapshot. A page's commit turns its
// claimed row done in the same transaction, so no row counts twice or not
// at all. Committed: the page rows, or (a recrawl) the frontier rows done or
// failed, as the single-process budget counts them (crawl/crawler.cc).
#define PREHEAT_LIVE_CLAIMS "FROM frontier WHERE state = 1 AND lease_until_ms >= $1"
#define PREHEAT_BUDGET(committed)                                                                               \
  "SELECT $2::bigint - " committed " - (SELECT count(*) " PREHEAT_LIVE_CLAIMS "), EXISTS (SELECT 1 " \
  PREHEAT_LIVE_CLAIMS "), EXISTS (SELECT 1 FROM frontier WHERE state = 0)"
constexpr std::string_view kBudgetPages = PREHEAT_BUDGET("(SELECT count(*) FROM pages)");
constexpr std::string_view kBudgetPass = PREHEAT_BUDGET("(SELECT count(*) FROM frontier WHERE state IN (2, 3))");
#undef PREHEAT_BUDGET
#undef PREHEAT_LIVE_CLAIMS

#undef PREHEAT_CLAIMABLE

constexpr std::string_view kHeldHosts = "SELECT host FROM host_leases WHERE worker = $1 ORDER BY host";
constexpr std::string_view kWorkLeft =
    "SELECT EXISTS (SELECT 1 FROM frontier WHERE state = 0) "
    "OR EXISTS (SELECT 1 FROM frontier WHERE state = 1 AND lease_until_ms >= $1)";

}  // namespace

Status PostgresCrawlStore::prepare_fleet(const std::string& location) {
  Status created = db_.exec(
      "BEGIN; SELECT pg_advisory_xact_lock(hashtext('preheat host_leases')); "
      "CREATE TABLE IF NOT EXISTS host_leases (host TEXT PRIMARY KEY, worker TEXT NOT NULL, "
      "lease_until_ms BIGINT NOT NULL); "
      "ALTER TABLE host_leases ADD COLUMN IF NOT EXISTS draining BOOLEAN NOT NULL DEFAULT false; "
      "CREATE TABLE IF NOT EXISTS fleet_workers (worker TEXT PRIMARY KEY, lease_until_ms BIGINT NOT NULL); COMMIT",
      "create the fleet's lease tables");
  if (!created.ok()) return created;
  // Registered at once (by the first renewal), so that workers starting
  // together count each other in the fair share before the first of them
  // takes hosts.
  if (!options_.fleet->renew_in_background) return renew_fleet_leases(db_, *options_.fleet, now_ms());
  Result<std::unique_ptr<LeaseKeeper>> keeper = LeaseKeeper::start(location, *options_.fleet);
  if (!keeper.ok()) return keeper.status();
  keeper_ = std::move(*keeper);
  return Status();
}

PostgresCrawlStore::~PostgresCrawlStore() {
  if (!options_.fleet || options_.read_only) return;
  // A worker that ends (not a killed one) hands back at once what it holds,
  // rather than after its lease: its hosts, its unfinished claims (an
  // interrupted crawl), its registration. Errors are ignored: the leases
  // then expire as a killed worker's do.
  keeper_.reset();
  Params me;
  me.text(options_.fleet->worker_id);
  (void)db_.query("UPDATE frontier SET state = 0, claimed_by = NULL, lease_until_ms = NULL "
                  "WHERE state = 1 AND claimed_by = $1",
                  me);
  (void)db_.query("DELETE FROM host_leases WHERE worker = $1", me);
  (void)db_.query("DELETE FROM fleet_workers WHERE worker = $1", me);
}

Status PostgresCrawlStore::renew_if_keeper_stopped() {
  if (!options_.fleet || !keeper_handed_over_) return Status();
  const std::int64_t now = now_ms();
  if (now - last_renewal_ms_ < options_.fleet->lease_ms / 3) return Status();
  if (Status s = renew_fleet_leases(db_, *options_.fleet, now); !s.ok()) return s;
  last_renewal_ms_ = now;
  return Status();
}

Status PostgresCrawlStore::no_other_live_worker() {
  Params p;
  p.text(options_.fleet->worker_id).int64(now_ms());
  Result<std::int64_t> others = db_.query_int64(
      "SELECT count(*) FROM (SELECT worker FROM fleet_workers WHERE worker <> $1 AND lease_until_ms >= $2 "
      "UNION SELECT worker FROM host_leases WHERE worker <> $1 AND worker <> '' AND lease_until_ms >= $2) w",
      p);
  if (!others.ok()) return others.status();
  if (*others == 0) return Status();
  return Status::invalid_argument(
      "cannot empty the PostgreSQL crawl database (fresh): " + std::to_string(*others) +
      " other crawl worker(s) are live on it; stop them first (a killed worker counts until its lease expires)");
}

std::optional<std::int64_t> PostgresCrawlStore::fleet_lease_ms() const {
  if (!options_.fleet) return std::nullopt;
  return options_.fleet->lease_ms;
}

Result<std::vector<std::string>> PostgresCrawlStore::held_hosts() {
  if (!options_.fleet) return CrawlStore::held_hosts();
  return held_hosts_;
}

Result<std::int64_t> PostgresCrawlStore::fleet_release_claims() {
  // Live leases belong to running workers: only expired (or lease-less,
  // single-process) claims go back to the queue.
  Params p;
  p.int64(now_ms());
  Result<PgResult> r = db_.query(
      "UPDATE frontier SET state = 0, claimed_by = NULL, lease_until_ms = NULL "
      "WHERE state = 1 AND (lease_until_ms IS NULL OR lease_until_ms < $1)",
      p);
  if (!r.ok()) return r.status();
  return r->affected();
}

Result<std::vector<FrontierEntry>> PostgresCrawlStore::fleet_claim_due(std::size_t limit, std::int64_t now) {
  FleetClaimProgram program(*options_.fleet, limit, now);
  if (Status s = run_program(db_, program); !s.ok()) return s;
  held_hosts_ = std::move(program.held_hosts);
  return std::move(program.value);
}

Result<bool> PostgresCrawlStore::fleet_work_left(std::int64_t now) {
  if (!options_.fleet) return CrawlStore::fleet_work_left(now);
  WorkLeftProgram program(*options_.fleet, now);
  if (Status s = run_program(db_, program); !s.ok()) return s;
  fleet_budget_spent_ = program.budget_spent;
  return program.value;
}

// ---- the programs (postgres_write_programs.h) ----

PgStep FleetClaimProgram::claim_rows() const {
  Params p;
  p.text(fleet_.worker_id).int64(now_ms_).int64(now_ms_ + fleet_.lease_ms);
  p.int64(static_cast<std::int64_t>(std::min<std::size_t>(limit_ - value.size(), 1u << 30)));
  PgStep step;
  step.statements.push_back(PgStepStatement{std::string(kClaimRows), std::move(p), false});
  return step;
}

PgStep FleetClaimProgram::acquire_host() const {
  Params p;
  p.text(fleet_.worker_id).int64(now_ms_).int64(now_ms_ + fleet_.lease_ms);
  PgStep step;
  step.statements.push_back(PgStepStatement{std::string(kAcquireHost), std::move(p), false});
  return step;
}

PgStep FleetClaimProgram::budget() const {
  Params p;
  p.int64(now_ms_).int64(fleet_.max_pages);
  PgStep step;
  step.statements.push_back(PgStepStatement{std::string(kBudgetLock), Params(), false});
  step.statements.push_back(
      PgStepStatement{std::string(fleet_.count_pass ? kBudgetPass : kBudgetPages), std::move(p), false});
  return step;
}

// How long a handed-back host stays nobody's before another worker may take
// it: half a lease, at least 250 ms. The giver closes its idle connections
// there once its claim returns; 250 ms flat was not always enough for that
// on a loaded machine under ASan (CliCrawlFleetTest's handover test saw the
// giver's idle connections beside the taker's). Rebalancing is rare, so a
// handover of half a lease (15 s by default) costs little.
std::int64_t release_grace_ms(const FleetOptions& fleet) { return std::max<std::int64_t>(250, fleet.lease_ms / 2); }

PgStep FleetClaimProgram::rebalance() const {
  PgStep step;
  Params release;
  release.text(fleet_.worker_id).int64(now_ms_).int64(release_grace_ms(fleet_));
  step.statements.push_back(PgStepStatement{std::string(kReleaseDrained), std::move(release), false});
  Params drain;
  drain.text(fleet_.worker_id).int64(now_ms_);
  step.statements.push_back(PgStepStatement{std::string(kDrainHost), std::move(drain), false});
  return step;
}

PgStep FleetClaimProgram::read_held() const {
  Params me;
  me.text(fleet_.worker_id);
  PgStep step;
  step.statements.push_back(PgStepStatement{std::string(kHeldHosts), std::move(me), false});
  return step;
}

// renew (when no keeper renews) -> [budget] -> rebalance -> claim ->
// [acquire one host -> claim] -> held hosts.
std::optional<PgStep> FleetClaimProgram::next(const std::vector<PgRows>& previous) {
  switch (stage_) {
    case Stage::kStart:
      // The heartbeat, when no LeaseKeeper renews (tests driving the time).
      if (!fleet_.renew_in_background) {
        stage_ = Stage::kRenewed;
        PgStep step;
        step.statements = renewal_statements(fleet_, now_ms_);
        return step;
      }
      [[fallthrough]];
    case Stage::kRenewed:
      // A budgeted crawl claims at most the room left (under the budget
      // lock, taken before any row lock: budgeted claims lock in one order).
      if (fleet_.max_pages >= 0 && limit_ > 0) {
        stage_ = Stage::kBudgeted;
        return budget();
      }
      stage_ = Stage::kRebalanced;
      return rebalance();
    case Stage::kBudgeted:
      limit_ = static_cast<std::size_t>(
          std::clamp<std::int64_t>(previous.at(1).int64(0, 0), 0, static_cast<std::int64_t>(limit_)));
      // Rebalancing: a drained host is handed back before rows are claimed,
      // and a host marked draining gets none of this claim's rows.
      stage_ = Stage::kRebalanced;
      return rebalance();
    case Stage::kRebalanced:
      if (limit_ == 0) {
        stage_ = Stage::kHeld;
        return read_held();
      }
      stage_ = Stage::kClaimed;
      return claim_rows();
    case Stage::kClaimed:
      for (FrontierEntry& e : read_claimed(previous.at(0))) value.push_back(std::move(e));
      // Room left: one more host (at most one per claim, so that workers
      // starting together share the hosts rather than the first taking all).
      if (value.size() >= limit_ || acquired_) {
        stage_ = Stage::kHeld;
        return read_held();
      }
      stage_ = Stage::kAcquired;
      return acquire_host();
    case Stage::kAcquired:
      if (previous.at(0).rows() == 0) {
        stage_ = Stage::kHeld;
        return read_held();
      }
      acquired_ = true;
      stage_ = Stage::kClaimed;
      return claim_rows();
    case Stage::kHeld:
      for (int i = 0; i < previous.at(0).rows(); ++i) held_hosts.emplace_back(previous[0].text(i, 0));
      sort_claimed(value);
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<PgStep> WorkLeftProgram::next(const std::vector<PgRows>& previous) {
  const bool budgeted = fleet_.max_pages >= 0;
  if (sent_) {
    if (!budgeted) {
      value = previous.at(0).boolean(0, 0);
      return std::nullopt;
    }
    // Live claims may still end in a retry (room again) or discover URLs;
    // queued rows wait only while there is room for them.
    const PgRows& b = previous.at(0);
    const std::int64_t left = b.int64(0, 0);
    value = b.boolean(0, 1) || (b.boolean(0, 2) && left > 0);
    budget_spent = !value && left <= 0;
    return std::nullopt;
  }
  sent_ = true;
  Params p;
  p.int64(now_ms_);
  if (budgeted) p.int64(fleet_.max_pages);
  const std::string_view sql = !budgeted ? kWorkLeft : fleet_.count_pass ? kBudgetPass : kBudgetPages;
  PgStep step;
  step.statements.push_back(PgStepStatement{std::string(sql), std::move(p), false});
  return step;
}

}  // namespace preheat::store::postgres
