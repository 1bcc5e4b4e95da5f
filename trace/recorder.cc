#include "trace/recorder.h"

#include <algorithm>

#include "base/thread_cpu_time.h"

namespace preheat::trace {

namespace {
// Spreads task ids so that "keep one in k" does not follow any pattern in how
// ids were handed out.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;  // so that 0 does not map to 0 (kept at every stride)
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}
}  // namespace

Recorder::Recorder(const Clock& clock, Options options)
    : clock_(clock), options_(std::move(options)), origin_(clock.now()) {
  if (options_.max_spans > 0) spans_.reserve(std::min<std::size_t>(options_.max_spans, 4096));
}

void Recorder::start() {
  std::lock_guard lock(mu_);
  origin_ = clock_.now();
  stopped_at_ns_ = -1;
}

void Recorder::stop() {
  std::lock_guard lock(mu_);
  stopped_at_ns_ = (clock_.now() - origin_).count();
}

std::int64_t Recorder::now_ns() const { return to_ns(clock_.now()); }

std::int64_t Recorder::to_ns(TimePoint t) const {
  std::lock_guard lock(mu_);
  return (t - origin_).count();
}

LaneId Recorder::add_lane(std::string name) {
  std::lock_guard lock(mu_);
  lanes_.push_back(Lane{std::move(name)});
  return static_cast<LaneId>(lanes_.size() - 1);
}

void Recorder::bind_thread(LaneId lane) {
  std::lock_guard lock(mu_);
  thread_lanes_[std::this_thread::get_id()] = lane;
}

LaneId Recorder::current_lane() const {
  std::lock_guard lock(mu_);
  auto it = thread_lanes_.find(std::this_thread::get_id());
  return it == thread_lanes_.end() ? kNoLane : it->second;
}

TaskId Recorder::add_task(std::string name) {
  std::lock_guard lock(mu_);
  tasks_.push_back(TaskInfo{std::move(name)});
  return static_cast<TaskId>(tasks_.size() - 1);
}

void Recorder::add_edge(TaskId from, TaskId to) {
  std::lock_guard lock(mu_);
  edges_.push_back(Edge{from, to});
}

bool Recorder::keep_locked(const Span& span, std::uint64_t seq) const {
  if (stride_ == 1) return true;
  const std::uint64_t key = span.task != kNoTask ? span.task : seq;
  return mix(key) % stride_ == 0;
}

void Recorder::halve_locked() {
  stride_ *= 2;
  std::size_t out = 0;
  for (std::size_t i = 0; i < spans_.size(); ++i) {
    if (keep_locked(spans_[i], seqs_[i])) {
      spans_[out] = spans_[i];
      seqs_[out] = seqs_[i];
      ++out;
    }
  }
  spans_.resize(out);
  seqs_.resize(out);
}

void Recorder::record(const Span& span) {
  std::lock_guard lock(mu_);
  ++totals_.spans;
  if (is_working(span.kind)) totals_.execution_ns += span.cpu_ns;
  if (is_waiting(span.kind)) totals_.waiting_ns += span.end_ns - span.start_ns;
  const std::uint64_t seq = next_seq_++;
  if (options_.max_spans == 0) return;
  if (!keep_locked(span, seq)) return;
  while (spans_.size() >= options_.max_spans) {
    // A halving that frees nothing (one task holds every kept span) or a
    // stride at its limit: drop this span rather than loop.
    const std::size_t before = spans_.size();
    if (stride_ >= (1u << 30)) return;
    halve_locked();
    if (!keep_locked(span, seq)) return;
    if (spans_.size() == before) return;
  }
  spans_.push_back(span);
  seqs_.push_back(seq);
}

Summary Recorder::summary() const {
  std::lock_guard lock(mu_);
  Summary s = totals_;
  s.wall_ns = stopped_at_ns_ >= 0 ? stopped_at_ns_ : (clock_.now() - origin_).count();
  return s;
}

TraceData Recorder::snapshot() const {
  TraceData data;
  data.summary = summary();
  std::lock_guard lock(mu_);
  data.title = options_.title;
  data.unit = options_.unit;
  data.lanes = lanes_;
  data.tasks = tasks_;
  data.edges = edges_;
  data.spans = spans_;
  data.sample_stride = stride_;
  return data;
}

std::size_t Recorder::kept_spans() const {
  std::lock_guard lock(mu_);
  return spans_.size();
}

ScopedSpan::ScopedSpan(Recorder* recorder, EventKind kind, TaskId task)
    : recorder_(recorder), kind_(kind), task_(task) {
  if (recorder_ == nullptr) return;
  start_ns_ = recorder_->now_ns();
  if (is_working(kind_)) cpu_start_ns_ = thread_cpu_time().count();
}

ScopedSpan::~ScopedSpan() {
  if (recorder_ == nullptr) return;
  Span s;
  s.kind = kind_;
  s.task = task_;
  s.lane = occupies_worker(kind_) ? recorder_->current_lane() : kNoLane;
  s.start_ns = start_ns_;
  s.end_ns = recorder_->now_ns();
  if (is_working(kind_)) s.cpu_ns = thread_cpu_time().count() - cpu_start_ns_;
  recorder_->record(s);
}

}  // namespace preheat::trace
