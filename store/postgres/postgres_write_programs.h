// The PostgreSQL store's write-side programs (pg_program.h): each is written
// once and run by the blocking store (PostgresCrawlStore, run_program on its
// PgConnection) and by the crawler's async writer (pg_async_crawl_writer.h,
// run_program on a PgAsyncConnection). SQL lives next to the code that owned
// it before: the batch write's here (postgres_write_programs.cc), the fleet's
// claim and work-left in postgres_fleet.cc, the lease renewal in
// lease_keeper.cc.
//
// State they share with the store (by reference, the store outlives them;
// one driver at a time uses it, see PostgresCrawlStore): the URL-id cache,
// the current run id, the held hosts of the last fleet claim.
//
// Thread safety: values used by one driver at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/crawl_store.h"
#include "store/postgres/pg_program.h"
#include "store/url_id_cache.h"

namespace preheat::store::postgres {

// The claimed rows of a claim statement (see kClaimRows), sorted lowest
// depth first, then oldest.
std::vector<FrontierEntry> read_claimed(const PgRows& rows);
void sort_claimed(std::vector<FrontierEntry>& entries);

// CrawlStore::write(): intern the batch's URLs (the cache's misses; then a
// look-up of those another writer inserted meanwhile), the 304s' page-row
// look-up, the row statements in one pipeline, in one transaction. On
// failure the URL-id cache is cleared (ids handed out in the transaction may
// be reused).
class WriteProgram final : public PgProgram {
 public:
  WriteProgram(const WriteBatch& batch, UrlIdCache& url_ids, std::optional<std::int64_t> run_id);
  bool transaction() const override { return true; }
  std::optional<PgStep> next(const std::vector<PgRows>& previous) override;
  void failed() override { url_ids_.clear(); }

 private:
  std::optional<PgStep> intern_step();
  std::optional<PgStep> missing_step(const PgRows& interned);
  std::optional<PgStep> has_row_step();
  PgStep pipeline_step();
  bool cache_interned();  // false: status_ set
  UrlId id_of(std::string_view url);
  void add_page(PgStep& step, const PageRecord& page, bool has_page_row);
  void add_new_urls(PgStep& step, const std::vector<NewUrl>& urls, Params p);

  const WriteBatch& batch_;
  UrlIdCache& url_ids_;
  const std::optional<std::int64_t> run_id_;
  std::unordered_map<std::string, UrlId> ids_;  // every URL of the batch, as stored (pg_text)
  std::vector<std::string_view> misses_;        // not in the cache: interned
  std::unordered_set<UrlId> has_row_;
  enum class Stage { kStart, kInterned, kLookedUp, kHasRow, kSent } stage_ = Stage::kStart;
};

// CrawlStore::claim_due() outside fleet mode: one UPDATE over SELECT ... FOR
// UPDATE SKIP LOCKED.
class ClaimProgram final : public PgProgram {
 public:
  ClaimProgram(std::size_t limit, std::int64_t now_ms) : limit_(limit), now_ms_(now_ms) {}
  std::optional<PgStep> next(const std::vector<PgRows>& previous) override;
  std::vector<FrontierEntry> value;

 private:
  std::size_t limit_;
  std::int64_t now_ms_;
  bool sent_ = false;
};

// CrawlStore::next_due_ms().
class NextDueProgram final : public PgProgram {
 public:
  std::optional<PgStep> next(const std::vector<PgRows>& previous) override;
  std::optional<std::int64_t> value;

 private:
  bool sent_ = false;
};

// One renewal of `fleet`'s leases until now_ms + lease (lease_keeper.cc):
// three statements, autocommit (or inside the caller's transaction).
std::vector<PgStepStatement> renewal_statements(const FleetOptions& fleet, std::int64_t now_ms);
class RenewProgram final : public PgProgram {
 public:
  RenewProgram(const FleetOptions& fleet, std::int64_t now_ms) : fleet_(fleet), now_ms_(now_ms) {}
  std::optional<PgStep> next(const std::vector<PgRows>& previous) override;

 private:
  const FleetOptions& fleet_;
  std::int64_t now_ms_;
  bool sent_ = false;
};

// Fleet mode's claim_due() (postgres_fleet.cc): in one transaction, renew
// (when no keeper renews: !renew_in_background), with a fleet budget
// (FleetOptions::max_pages) lock it and cut the limit to the room left,
// rebalance (hand back a drained host, maybe mark one draining), claim rows
// of the held hosts, maybe acquire one more host and claim again, read the
// held hosts.
class FleetClaimProgram final : public PgProgram {
 public:
  FleetClaimProgram(const FleetOptions& fleet, std::size_t limit, std::int64_t now_ms)
      : fleet_(fleet), limit_(limit), now_ms_(now_ms) {}
  bool transaction() const override { return true; }
  std::optional<PgStep> next(const std::vector<PgRows>& previous) override;
  std::vector<FrontierEntry> value;
  std::vector<std::string> held_hosts;  // set when the program is done

 private:
  PgStep budget() const;     // the budget lock, then the room left
  PgStep rebalance() const;  // hand back a drained host, maybe drain one
  PgStep claim_rows() const;
  PgStep acquire_host() const;
  PgStep read_held() const;

  const FleetOptions& fleet_;
  std::size_t limit_;
  std::int64_t now_ms_;
  bool acquired_ = false;
  enum class Stage { kStart, kRenewed, kBudgeted, kRebalanced, kClaimed, kAcquired, kHeld } stage_ = Stage::kStart;
};

// Fleet mode's fleet_work_left() (postgres_fleet.cc). With a fleet budget:
// work is left while a row is claimed under a live lease, or rows are queued
// and room is left; budget_spent says the budget ended the crawl.
class WorkLeftProgram final : public PgProgram {
 public:
  WorkLeftProgram(const FleetOptions& fleet, std::int64_t now_ms) : fleet_(fleet), now_ms_(now_ms) {}
  std::optional<PgStep> next(const std::vector<PgRows>& previous) override;
  bool value = false;
  bool budget_spent = false;

 private:
  const FleetOptions& fleet_;
  std::int64_t now_ms_;
  bool sent_ = false;
};

}  // namespace preheat::store::postgres
