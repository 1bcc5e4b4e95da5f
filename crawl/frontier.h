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
// Thread safety: not thread-safe; the event loop only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "base/status.h"
#include "crawl/page_analysis.h"
#include "crawl/seen_set.h"
#include "crawl/store_writer.h"
#include "runtime/condition.h"

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

  std::size_t queued() const { return memory_.size(); }
  std::size_t in_flight() const { return in_flight_; }
  bool budget_spent() const { return budget_spent_; }
  bool db_has_more() const { return db_maybe_; }
  // The first error reading the database (the writer's errors are its own).
  const Status& error() const { return error_; }

 private:
  runtime::Task<void> refill(std::int64_t now_ms);

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
};

// Unix time in milliseconds (what the store keeps).
std::int64_t unix_ms();

}  // namespace preheat::crawl
