// Frontier: which URL to fetch next.
//
// The database is the source of truth (store/crawl_store.h); memory holds a
// bounded window of claimed URLs (at most `window`) and the SeenSet of every
// URL known to the crawl. A discovered URL that is new goes into the window
// when there is room (its row is written as claimed) and otherwise only into
// the database (queued), to be claimed later, lowest depth first.
//
// next() hands out URLs until the crawl is over: nothing in memory, nothing
// due in the database, nothing in flight that could still discover more, and
// no retry waiting for its time (it waits for that time), or the page budget
// is spent, or the writer failed.
//
// Parked items (politeness, crawl/host_politeness.h): an item handed out
// whose host may not be sent a request yet is park()ed under its host with
// the time the host is ready; the worker takes another URL instead (no
// head-of-line blocking across hosts). Per host, parked items are first in,
// first out: the crawler parks a fresh item behind the host's parked ones
// even when the host is ready (a long chain of links, like a calendar, would
// otherwise overtake every older URL of its host for ever), and an item that
// came out of the queue (FrontierItem::parked) goes back to its front.
// next() hands out a parked item once
// its host is due, one at a time per host: after that the host's due time is
// "unknown" until the crawler says it again (host_due(), when a request to
// the host starts or ends, or park()). A short timer task (owned by the
// frontier, async/parallel modes) wakes waiting workers when the earliest
// parked host becomes due; stop_timers() ends them when the crawl is over.
//
// Fleet mode (set_fleet(); the store was opened with FleetOptions: several
// crawler processes on one PostgreSQL, docs/architecture.md): discovered URLs
// all go to the database as queued (the database deduplicates; the SeenSet
// is only a cache), memory holds only what claim_due() handed this worker
// (URLs of the hosts it holds a lease on). The store renews the leases on
// its own (store/postgres/lease_keeper.h); a claim is still made at least
// every lease/3 (by next(), and by a timer task while every worker waits on
// a fetch), to learn which hosts are held: a host whose lease was lost
// (taken over after an expiry) has its URLs dropped from memory: they
// belong to the new owner. An empty claim makes the
// frontier wait a poll interval before the next one. The crawl is over when
// nothing is in memory or in flight here and the store says no worker has
// work left (nothing queued, nothing claimed under a live lease): while
// others hold claims they may still discover URLs, so it waits and polls.
// The crawler gives a fleet frontier no budget (-1): the store's claims keep
// the whole fleet within --max-pages (store::FleetOptions::max_pages).
//
// Thread safety: not thread-safe; the event loop only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <optional>
#include <string>

#include "base/status.h"
#include "crawl/page_analysis.h"
#include "crawl/seen_set.h"
#include "crawl/store_writer.h"
#include "runtime/condition.h"
#include "runtime/scope.h"

namespace preheat::runtime {
class Runtime;
}

namespace preheat::crawl {

class Frontier {
 public:
  // `budget`: how many more fetches this run may start (-1: no limit).
  // `rt` and `writer` must outlive the frontier.
  Frontier(runtime::Runtime& rt, StoreWriter& writer, std::size_t window, std::int64_t budget);

  SeenSet& seen() { return seen_; }

  // Fleet mode (see above), before the first next(). `host_gained` is
  // called with each host (store::fleet_host()) this worker starts to hold,
  // `host_lost` with each it no longer holds (handed back, or taken over).
  void set_fleet(std::int64_t lease_ms, std::function<void(const std::string& host)> host_gained,
                 std::function<void(const std::string& host)> host_lost);
  bool fleet() const { return fleet_lease_ms_ > 0; }

  // The next URL to fetch (counted in flight until done()), or nothing when
  // the crawl is over (see above).
  runtime::Task<std::optional<FrontierItem>> next();
  // The item handed out by next() is finished and its record submitted.
  void done();
  // A candidate link: the frontier entry to store when it is new to the crawl.
  std::optional<store::NewUrl> discover(const Candidate& candidate);
  // The item handed out by next() will be retried at `due_ms` (Unix ms): it
  // does not count against the budget, and the frontier wakes up for it.
  void retry_at(std::int64_t due_ms);
  // A fetch made outside next() (a sitemap: crawl/crawler_sitemaps.cc) takes
  // one page of the budget: false when none is left (do not fetch then).
  // give_back_budget() returns it (the fetch made no page row).
  bool take_budget();
  void give_back_budget() { --started_; }

  // The item handed out by next() waits for its host, due at `due`
  // (TimePoint::max(): until host_due()). done() is still called for it.
  // `front`: ahead of the host's other parked items (it was first).
  void park(FrontierItem item, const std::string& host, TimePoint due, bool front);
  // The host's parked items are due at `due` now.
  void host_due(const std::string& host, TimePoint due);
  // Items parked under the host now.
  std::size_t parked_for(const std::string& host) const;
  // Ends the wake-up timers (after the workers are done).
  runtime::Task<void> stop_timers();
  std::size_t parked() const { return parked_count_; }

  std::size_t queued() const { return memory_.size(); }
  std::size_t in_flight() const { return in_flight_; }
  bool budget_spent() const { return budget_spent_; }
  bool db_has_more() const { return db_maybe_; }
  // The first error reading the database (the writer's errors are its own).
  const Status& error() const { return error_; }

 private:
  runtime::Task<void> refill(std::int64_t now_ms);
  runtime::Task<void> fleet_refill(std::int64_t now_ms);
  // Fleet mode (async/parallel; a timer task in timers_): a claim every
  // lease/3 when no worker made one, so that a lost host is noticed also
  // while every worker waits on a slow fetch.
  runtime::Task<void> heartbeat();
  // The hosts held after a claim: URLs of lost hosts leave memory.
  void apply_held_hosts(const std::vector<std::string>& hosts);
  // Plain code after a fleet claim: true when it came back empty with this
  // worker idle (then the store is asked whether the fleet is done).
  bool absorb_claim(Result<std::vector<store::FrontierEntry>>& claimed, const Result<std::vector<std::string>>& hosts,
                    std::int64_t now_ms, std::uint64_t done_before);
  bool fleet_idle(std::uint64_t done_before) const;
  // How long to wait after an empty fleet claim.
  std::int64_t fleet_poll_ms() const;
  // A parked item whose host is due now, if any (its host becomes unknown).
  std::optional<FrontierItem> take_parked();
  // The earliest due time of a parked host later than `after` (not "unknown").
  std::optional<TimePoint> earliest_parked_due(TimePoint after = TimePoint::min()) const;
  // Wake-up timers: one is armed for the earliest parked due time.
  void arm();
  runtime::Task<void> sleep_until(TimePoint due);

  runtime::Runtime& rt_;
  StoreWriter& writer_;
  std::size_t window_;
  std::int64_t budget_;
  std::int64_t started_ = 0;
  bool budget_spent_ = false;
  SeenSet seen_;
  std::deque<FrontierItem> memory_;
  std::size_t in_flight_ = 0;
  // The database may hold queued URLs that are due now (at start, after an
  // overflow of the window, after a claim that filled the window).
  bool db_maybe_ = true;
  // The earliest queued-but-not-yet-due row (retries), when known.
  std::optional<std::int64_t> next_db_due_;
  bool refilling_ = false;
  Status error_;
  runtime::Condition changed_;
  struct ParkedHost {
    TimePoint due = TimePoint::max();
    std::deque<FrontierItem> items;
  };
  std::map<std::string, ParkedHost> parked_;
  std::size_t parked_count_ = 0;
  TimePoint armed_ = TimePoint::max();
  runtime::Scope timers_;
  // Fleet mode.
  std::int64_t fleet_lease_ms_ = 0;  // 0: off
  std::function<void(const std::string&)> host_gained_;
  std::function<void(const std::string&)> host_lost_;
  std::set<std::string> held_hosts_;
  std::int64_t last_claim_ms_ = 0;
  std::int64_t quiet_until_ms_ = 0;  // no claim before (after an empty one)
  std::uint64_t done_count_ = 0;     // done() calls (a finished item may have written URLs)
  bool fleet_over_ = false;
  bool heartbeat_started_ = false;
};

// Unix time in milliseconds (what the store keeps).
std::int64_t unix_ms();

}  // namespace preheat::crawl
