#include "bake/simulate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace preheat::bake {

namespace {

struct Running {
  std::size_t piece;
  std::int64_t end;
  trace::LaneId lane;  // kNoLane for waits that hold nobody
};

std::int64_t to_ns(double minutes) { return std::llround(minutes * kNanosPerMinute); }

class Simulator {
 public:
  explicit Simulator(const Plan& plan) : plan_(plan), n_(plan.pieces.size()) {
    data_.title = plan.title;
    data_.unit = trace::TimeUnit{"min", kNanosPerMinute};
    for (const std::string& t : plan.tasks) data_.tasks.push_back(trace::TaskInfo{t});
    for (std::size_t i = 0; i < plan.task_after.size(); ++i) {
      for (std::size_t d : plan.task_after[i]) data_.edges.push_back(trace::Edge{static_cast<trace::TaskId>(d), static_cast<trace::TaskId>(i)});
    }
    if (plan.mode == ExecutionMode::kSequential) {
      data_.lanes.push_back(trace::Lane{"main thread"});
    } else {
      data_.lanes.push_back(trace::Lane{"event loop"});
    }
    if (plan.mode == ExecutionMode::kParallel) {
      for (int w = 0; w < plan.workers; ++w) data_.lanes.push_back(trace::Lane{"worker " + std::to_string(w + 1)});
      first_worker_lane_ = 1;
    }
    worker_busy_.assign(plan.workers, false);
    missing_.resize(n_);
    next_.resize(n_);
    for (std::size_t i = 0; i < n_; ++i) {
      missing_[i] = plan.pieces[i].after.size();
      for (std::size_t p : plan.pieces[i].after) next_[p].push_back(i);
    }
    task_first_.assign(plan.tasks.size(), std::numeric_limits<std::int64_t>::max());
    task_last_.assign(plan.tasks.size(), 0);
  }

  trace::TraceData run() {
    for (std::size_t i = 0; i < n_; ++i) {
      if (missing_[i] == 0) ready_.push_back(i);
    }
    std::int64_t now = 0;
    std::size_t finished = 0;
    while (finished < n_) {
      start_what_can_start(now);
      // Advance to the earliest end; finish every piece that ends then, in
      // plan order.
      std::int64_t next = std::numeric_limits<std::int64_t>::max();
      for (const Running& r : running_) next = std::min(next, r.end);
      now = next;
      std::vector<Running> ending;
      std::erase_if(running_, [&](const Running& r) {
        if (r.end != now) return false;
        ending.push_back(r);
        return true;
      });
      std::sort(ending.begin(), ending.end(), [](const Running& a, const Running& b) { return a.piece < b.piece; });
      std::vector<std::size_t> became_ready;
      for (const Running& r : ending) {
        ++finished;
        if (r.lane != trace::kNoLane && plan_.mode == ExecutionMode::kParallel) worker_busy_[r.lane - first_worker_lane_] = false;
        if (r.lane != trace::kNoLane && plan_.mode != ExecutionMode::kParallel) worker_busy_[0] = false;
        for (std::size_t s : next_[r.piece]) {
          if (--missing_[s] == 0) became_ready.push_back(s);
        }
      }
      std::sort(became_ready.begin(), became_ready.end());
      ready_.insert(ready_.end(), became_ready.begin(), became_ready.end());
    }
    for (std::size_t t = 0; t < plan_.tasks.size(); ++t) {
      if (task_first_[t] > task_last_[t]) continue;
      data_.spans.push_back(trace::Span{trace::EventKind::kTask, trace::kNoLane, static_cast<trace::TaskId>(t), task_first_[t], task_last_[t], 0});
    }
    std::sort(data_.spans.begin(), data_.spans.end(), [](const trace::Span& a, const trace::Span& b) { return a.start_ns < b.start_ns; });
    data_.summary = trace::summarize(data_.spans, now);
    return std::move(data_);
  }

 private:
  void start_what_can_start(std::int64_t now) {
    if (plan_.mode == ExecutionMode::kSequential) {
      // One piece at a time, in plan (topological) order.
      if (!running_.empty()) return;
      std::sort(ready_.begin(), ready_.end());
      if (ready_.empty()) return;
      const std::size_t p = ready_.front();
      ready_.erase(ready_.begin());
      const auto kind = plan_.pieces[p].kind == TaskKind::kWait ? trace::EventKind::kBlocked : trace::EventKind::kWork;
      worker_busy_[0] = true;
      start(p, now, kind, 0);
      return;
    }
    std::vector<std::size_t> still_waiting;
    for (std::size_t p : ready_) {
      if (plan_.pieces[p].kind == TaskKind::kWait) {
        start(p, now, trace::EventKind::kWait, trace::kNoLane);
        continue;
      }
      auto free = std::find(worker_busy_.begin(), worker_busy_.end(), false);
      if (free == worker_busy_.end()) {
        still_waiting.push_back(p);
        continue;
      }
      *free = true;
      start(p, now, trace::EventKind::kWork, first_worker_lane_ + static_cast<trace::LaneId>(free - worker_busy_.begin()));
    }
    ready_ = std::move(still_waiting);
  }

  void start(std::size_t p, std::int64_t now, trace::EventKind kind, trace::LaneId lane) {
    const Piece& piece = plan_.pieces[p];
    const std::int64_t end = now + to_ns(piece.minutes);
    running_.push_back(Running{p, end, lane});
    trace::Span s{kind, lane, static_cast<trace::TaskId>(piece.task), now, end, 0};
    if (kind == trace::EventKind::kWork) s.cpu_ns = end - now;
    data_.spans.push_back(s);
    task_first_[piece.task] = std::min(task_first_[piece.task], now);
    task_last_[piece.task] = std::max(task_last_[piece.task], end);
  }

  const Plan& plan_;
  const std::size_t n_;
  trace::TraceData data_;
  trace::LaneId first_worker_lane_ = 0;
  std::vector<bool> worker_busy_;
  std::vector<std::size_t> missing_;
  std::vector<std::vector<std::size_t>> next_;
  std::vector<std::size_t> ready_;  // in order of readiness, ties in plan order
  std::vector<Running> running_;
  std::vector<std::int64_t> task_first_;
  std::vector<std::int64_t> task_last_;
};

}  // namespace

trace::TraceData simulate(const Plan& plan) { return Simulator(plan).run(); }

}  // namespace preheat::bake
