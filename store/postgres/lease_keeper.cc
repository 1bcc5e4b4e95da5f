#include "store/postgres/lease_keeper.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "store/postgres/postgres_write_programs.h"

namespace preheat::store::postgres {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// $1 worker, $2 now, $3 lease end.
constexpr std::string_view kRenewWorker =
    "INSERT INTO fleet_workers (worker, lease_until_ms) VALUES ($1, $3) ON CONFLICT (worker) DO UPDATE "
    "SET lease_until_ms = excluded.lease_until_ms WHERE $2::bigint <= $3::bigint";
constexpr std::string_view kRenewHosts =
    "UPDATE host_leases l SET lease_until_ms = $3 FROM (SELECT host FROM host_leases WHERE worker = $1 "
    "FOR UPDATE SKIP LOCKED) mine WHERE l.host = mine.host AND $2::bigint <= $3::bigint";
// Only the rows of hosts still held: rows of a host another worker took
// over expire and become that worker's.
constexpr std::string_view kRenewRows =
    "UPDATE frontier f SET lease_until_ms = $3 FROM (SELECT f2.url_id FROM frontier f2 "
    "WHERE f2.state = 1 AND f2.claimed_by = $1 AND f2.host IN (SELECT host FROM host_leases WHERE worker = $1) "
    "FOR UPDATE OF f2 SKIP LOCKED) mine WHERE f.url_id = mine.url_id AND $2::bigint <= $3::bigint";

}  // namespace

std::vector<PgStepStatement> renewal_statements(const FleetOptions& fleet, std::int64_t now) {
  std::vector<PgStepStatement> out;
  for (std::string_view renew : {kRenewWorker, kRenewHosts, kRenewRows}) {
    Params p;
    p.text(fleet.worker_id).int64(now).int64(now + fleet.lease_ms);
    out.push_back(PgStepStatement{std::string(renew), std::move(p), false});
  }
  return out;
}

std::optional<PgStep> RenewProgram::next(const std::vector<PgRows>&) {
  if (std::exchange(sent_, true)) return std::nullopt;
  PgStep step;
  step.statements = renewal_statements(fleet_, now_ms_);
  return step;
}

Status renew_fleet_leases(PgConnection& db, const FleetOptions& fleet, std::int64_t now) {
  RenewProgram program(fleet, now);
  return run_program(db, program);
}

Result<std::unique_ptr<LeaseKeeper>> LeaseKeeper::start(const std::string& location, const FleetOptions& fleet) {
  Result<PgConnection> db = PgConnection::connect(location);
  if (!db.ok()) return db.status();
  if (Status s = renew_fleet_leases(*db, fleet, now_ms()); !s.ok()) return s;
  std::unique_ptr<LeaseKeeper> keeper(new LeaseKeeper(location, fleet, std::move(*db)));
  keeper->thread_ = std::thread([k = keeper.get()] { k->run(); });
  return keeper;
}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LeaseKeeper::run() {
  const auto every = std::chrono::milliseconds(std::max<std::int64_t>(fleet_.lease_ms / 3, 1));
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, every, [this] { return stop_; })) {
    lock.unlock();
    renew_once();
    lock.lock();
  }
}

void LeaseKeeper::renew_once() {
  if (broken_) {
    Result<PgConnection> db = PgConnection::connect(location_);
    if (!db.ok()) return;
    db_ = std::move(*db);
    broken_ = false;
  }
  if (!renew_fleet_leases(db_, fleet_, now_ms()).ok()) broken_ = true;
}

}  // namespace preheat::store::postgres
