#include "crawl/frontier.h"

#include <algorithm>
#include <chrono>

#include "runtime/runtime.h"
#include "store/crawl_store.h"

namespace preheat::crawl {

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Frontier::Frontier(runtime::Runtime& rt, StoreWriter& writer, std::size_t window, std::int64_t budget)
    : rt_(rt),
      writer_(writer),
      window_(std::max<std::size_t>(window, 1)),
      budget_(budget),
      changed_(rt.executor()),
      timers_(rt.executor()) {}

runtime::Task<std::optional<FrontierItem>> Frontier::next() {
  while (true) {
    if (!error_.ok() || !writer_.error().ok()) break;
    if (fleet() && !heartbeat_started_ && rt_.mode() != ExecutionMode::kSequential) {
      heartbeat_started_ = true;
      timers_.spawn(heartbeat());
    }
    // Fleet heartbeat: a claim learns the hosts held, also while memory is full.
    if (fleet() && !refilling_ && !fleet_over_ && unix_ms() - last_claim_ms_ >= fleet_lease_ms_ / 3) {
      co_await fleet_refill(unix_ms());
      continue;
    }
    if (std::optional<FrontierItem> parked = take_parked()) {
      ++in_flight_;  // already counted against the budget when first handed out
      co_return std::move(*parked);
    }
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
    if (fleet()) {
      if (fleet_over_) break;
      // New URLs submitted since the last claim (discover()), or the poll.
      if (db_maybe_ || now >= quiet_until_ms_) {
        co_await fleet_refill(now);
        continue;
      }
      // After an empty claim: wait for the next poll, or a parked host.
      TimePoint wake = rt_.clock().now() + std::chrono::milliseconds(quiet_until_ms_ - now);
      if (const std::optional<TimePoint> due = earliest_parked_due(); due && *due < wake) wake = *due;
      co_await rt_.wait_until(wake);
      continue;
    }
    if (db_maybe_ || (next_db_due_ && *next_db_due_ <= now)) {
      co_await refill(now);
      continue;
    }
    if (in_flight_ == 0 && parked_count_ > 0) {  // only parked hosts are left: wait for the first
      const std::optional<TimePoint> due = earliest_parked_due();
      if (due) co_await rt_.wait_until(*due);
      if (!due) host_due(parked_.begin()->first, rt_.clock().now());  // cannot happen: nothing in flight to wait for
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

std::optional<FrontierItem> Frontier::take_parked() {
  if (parked_count_ == 0) return std::nullopt;
  const TimePoint now = rt_.clock().now();
  for (auto it = parked_.begin(); it != parked_.end(); ++it) {
    ParkedHost& h = it->second;
    if (h.items.empty() || h.due > now) continue;
    FrontierItem item = std::move(h.items.front());
    item.parked = true;
    h.items.pop_front();
    --parked_count_;
    h.due = TimePoint::max();  // until the crawler says again
    if (h.items.empty()) parked_.erase(it);
    return item;
  }
  return std::nullopt;
}

std::optional<TimePoint> Frontier::earliest_parked_due(TimePoint after) const {
  std::optional<TimePoint> due;
  for (const auto& [host, h] : parked_) {
    if (!h.items.empty() && h.due != TimePoint::max() && h.due > after) due = due ? std::min(*due, h.due) : h.due;
  }
  return due;
}

void Frontier::park(FrontierItem item, const std::string& host, TimePoint due, bool front) {
  ParkedHost& h = parked_[host];
  if (front) {
    h.items.push_front(std::move(item));
  } else {
    h.items.push_back(std::move(item));
  }
  ++parked_count_;
  h.due = due;
  changed_.notify_all();
  arm();
}

std::size_t Frontier::parked_for(const std::string& host) const {
  auto it = parked_.find(host);
  return it == parked_.end() ? 0 : it->second.items.size();
}

void Frontier::host_due(const std::string& host, TimePoint due) {
  auto it = parked_.find(host);
  if (it == parked_.end()) return;
  it->second.due = due;
  changed_.notify_all();
  arm();
}

void Frontier::arm() {
  if (rt_.mode() == ExecutionMode::kSequential) return;  // next() waits itself
  // Hosts due already were announced by the caller's notify_all(); a timer
  // is for the first one due later.
  const std::optional<TimePoint> due = earliest_parked_due(rt_.clock().now());
  if (!due || *due >= armed_) return;
  armed_ = *due;
  timers_.spawn(sleep_until(*due));
}

runtime::Task<void> Frontier::sleep_until(TimePoint due) {
  try {
    co_await rt_.wait_until(due);
  } catch (const std::exception&) {
    co_return;  // stop_timers(): the crawl is over
  }
  if (armed_ == due) armed_ = TimePoint::max();
  changed_.notify_all();
  arm();
}

runtime::Task<void> Frontier::stop_timers() {
  timers_.cancel();
  co_await timers_.join();
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
      memory_.push_back(FrontierItem{std::move(e.url), e.depth, e.attempts, std::move(e.previous)});
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

void Frontier::set_fleet(std::int64_t lease_ms, std::function<void(const std::string& host)> host_gained,
                         std::function<void(const std::string& host)> host_lost) {
  fleet_lease_ms_ = std::max<std::int64_t>(lease_ms, 3);
  host_gained_ = std::move(host_gained);
  host_lost_ = std::move(host_lost);
}

std::int64_t Frontier::fleet_poll_ms() const {
  return std::clamp<std::int64_t>(fleet_lease_ms_ / 10, 20, 500);
}

runtime::Task<void> Frontier::fleet_refill(std::int64_t now_ms) {
  refilling_ = true;
  db_maybe_ = false;  // set again by URLs discovered while the claim runs
  const std::uint64_t done_before = done_count_;
  const std::size_t limit = window_ > memory_.size() ? window_ - memory_.size() : 1;
  Result<std::vector<store::FrontierEntry>> claimed = co_await writer_.claim_due(limit, now_ms);
  last_claim_ms_ = now_ms;
  Result<std::vector<std::string>> hosts = std::vector<std::string>();
  if (claimed.ok()) hosts = co_await writer_.held_hosts();
  if (absorb_claim(claimed, hosts, now_ms, done_before)) {
    // Everything this worker submitted was written before the claim (the
    // writer's queue is FIFO): the store sees the whole fleet's state.
    Result<bool> left = co_await writer_.fleet_work_left(now_ms);
    if (!left.ok()) {
      error_ = left.status();
    } else if (!*left && fleet_idle(done_before)) {
      fleet_over_ = true;
    }
  }
  refilling_ = false;
  changed_.notify_all();
}

runtime::Task<void> Frontier::heartbeat() {
  try {
    while (!fleet_over_) {
      co_await rt_.wait(std::chrono::milliseconds(fleet_lease_ms_ / 3));
      if (!refilling_ && !fleet_over_ && unix_ms() - last_claim_ms_ >= fleet_lease_ms_ / 3) {
        co_await fleet_refill(unix_ms());
      }
    }
  } catch (const std::exception&) {
    // stop_timers(): the crawl is over.
  }
}

bool Frontier::fleet_idle(std::uint64_t done_before) const {
  return memory_.empty() && in_flight_ == 0 && parked_count_ == 0 && done_count_ == done_before;
}

bool Frontier::absorb_claim(Result<std::vector<store::FrontierEntry>>& claimed,
                            const Result<std::vector<std::string>>& hosts, std::int64_t now_ms,
                            std::uint64_t done_before) {
  if (!claimed.ok() || !hosts.ok()) {
    error_ = claimed.ok() ? hosts.status() : claimed.status();
    return false;
  }
  for (store::FrontierEntry& e : *claimed) {
    memory_.push_back(FrontierItem{std::move(e.url), e.depth, e.attempts, std::move(e.previous)});
  }
  apply_held_hosts(*hosts);
  if (!claimed->empty()) return false;
  quiet_until_ms_ = now_ms + fleet_poll_ms();
  return fleet_idle(done_before);
}

void Frontier::apply_held_hosts(const std::vector<std::string>& hosts) {
  std::set<std::string> held(hosts.begin(), hosts.end());
  for (const std::string& h : held) {
    if (!held_hosts_.contains(h) && host_gained_) host_gained_(h);
  }
  for (const std::string& h : held_hosts_) {
    if (!held.contains(h) && host_lost_) host_lost_(h);
  }
  const auto lost = [&](const FrontierItem& item) { return !held.contains(store::fleet_host(item.url)); };
  // A lost host's URLs belong to its new owner now (their rows' leases are
  // no longer renewed and expire): not fetched here.
  const std::size_t before = memory_.size();
  std::erase_if(memory_, lost);
  started_ -= static_cast<std::int64_t>(before - memory_.size());
  for (auto it = parked_.begin(); it != parked_.end();) {
    const std::size_t n = it->second.items.size();
    std::erase_if(it->second.items, lost);
    parked_count_ -= n - it->second.items.size();
    it = it->second.items.empty() ? parked_.erase(it) : std::next(it);
  }
  held_hosts_ = std::move(held);
}

void Frontier::done() {
  ++done_count_;
  --in_flight_;
  changed_.notify_all();
}

std::optional<store::NewUrl> Frontier::discover(const Candidate& candidate) {
  if (!seen_.insert(candidate.url)) return std::nullopt;
  store::NewUrl n{candidate.url, candidate.depth, false};
  if (fleet()) {  // queued: its host's lease holder claims it
    db_maybe_ = true;
    return n;
  }
  // Once URLs wait in the database, new ones queue behind them there too:
  // claims come lowest depth first, so the crawl stays breadth-first.
  if (!db_maybe_ && memory_.size() < window_) {
    n.claimed = true;
    memory_.push_back(FrontierItem{candidate.url, candidate.depth, 0, std::nullopt});
  } else {
    db_maybe_ = true;
  }
  return n;
}

bool Frontier::take_budget() {
  if (budget_ >= 0 && started_ >= budget_) return false;
  ++started_;
  return true;
}

void Frontier::retry_at(std::int64_t due_ms) {
  --started_;
  next_db_due_ = next_db_due_ ? std::min(*next_db_due_, due_ms) : due_ms;
}

}  // namespace preheat::crawl
