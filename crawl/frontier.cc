#include "crawl/frontier.h"

#include <algorithm>
#include <chrono>

#include "runtime/runtime.h"

namespace preheat::crawl {

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Frontier::Frontier(runtime::Runtime& rt, StoreWriter& writer, std::size_t window, std::int64_t budget)
    : rt_(rt), writer_(writer), window_(std::max<std::size_t>(window, 1)), budget_(budget), changed_(rt.executor()) {}

runtime::Task<std::optional<FrontierItem>> Frontier::next() {
  while (true) {
    if (!error_.ok() || !writer_.error().ok()) break;
    if (budget_ >= 0 && started_ >= budget_) {
      budget_spent_ = true;
      break;
    }
    if (!memory_.empty()) {
      FrontierItem item = std::move(memory_.front());
      memory_.pop_front();
      ++in_flight_;
      ++started_;
      co_return item;
    }
    if (refilling_) {
      co_await changed_.wait();
      continue;
    }
    const std::int64_t now = unix_ms();
    if (db_maybe_ || (next_db_due_ && *next_db_due_ <= now)) {
      co_await refill(now);
      continue;
    }
    if (in_flight_ > 0) {  // a page in flight may still discover URLs
      co_await changed_.wait();
      continue;
    }
    if (next_db_due_) {  // only retries are left: wait for the first one
      co_await rt_.wait(std::chrono::milliseconds(*next_db_due_ - now));
      continue;
    }
    break;  // nothing anywhere: the crawl is complete
  }
  changed_.notify_all();  // the others see it is over too
  co_return std::nullopt;
}

runtime::Task<void> Frontier::refill(std::int64_t now_ms) {
  refilling_ = true;
  // Reset before asking: URLs that overflow, or retries scheduled, while the
  // query runs set them again.
  db_maybe_ = false;
  next_db_due_.reset();
  const std::size_t limit = window_ > memory_.size() ? window_ - memory_.size() : 1;
  Result<std::vector<store::FrontierEntry>> claimed = co_await writer_.claim_due(limit, now_ms);
  if (!claimed.ok()) {
    error_ = claimed.status();
  } else {
    if (claimed->size() >= limit) db_maybe_ = true;
    for (store::FrontierEntry& e : *claimed) {
      memory_.push_back(FrontierItem{std::move(e.url), e.depth, e.attempts});
    }
    if (!db_maybe_) {
      Result<std::optional<std::int64_t>> due = co_await writer_.next_due_ms();
      if (!due.ok()) {
        error_ = due.status();
      } else if (*due) {
        next_db_due_ = next_db_due_ ? std::min(*next_db_due_, **due) : **due;
      }
    }
  }
  refilling_ = false;
  changed_.notify_all();
}

void Frontier::done() {
  --in_flight_;
  changed_.notify_all();
}

std::optional<store::NewUrl> Frontier::discover(const Candidate& candidate) {
  if (!seen_.insert(candidate.url)) return std::nullopt;
  store::NewUrl n{candidate.url, candidate.depth, false};
  // Once URLs wait in the database, new ones queue behind them there too:
  // claims come lowest depth first, so the crawl stays breadth-first.
  if (!db_maybe_ && memory_.size() < window_) {
    n.claimed = true;
    memory_.push_back(FrontierItem{candidate.url, candidate.depth, 0});
  } else {
    db_maybe_ = true;
  }
  return n;
}

void Frontier::retry_at(std::int64_t due_ms) {
  --started_;
  next_db_due_ = next_db_due_ ? std::min(*next_db_due_, due_ms) : due_ms;
}

}  // namespace preheat::crawl
