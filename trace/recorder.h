// Recorder: collects the spans of one run from any thread.
//
// Memory stays bounded: at most Options::max_spans spans are kept. When the
// buffer fills, the recorder keeps one task in two (by task id; spans with no
// task by sequence number), then one in four, and so on: the kept spans are a
// uniform sample of whole tasks, so a sampled timeline still shows complete
// tasks. The Summary (wall, execution, waiting) is accumulated from every span
// at record time and stays exact however much is dropped. With the default
// cap of 1,000,000 spans (48 bytes each) the buffer never passes ~48 MB.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "trace/trace_data.h"

namespace preheat::trace {

class Recorder {
 public:
  struct Options {
    std::size_t max_spans = 1'000'000;
    std::string title;
    TimeUnit unit;
  };

  // `clock` must outlive the recorder. The origin is "now" at construction.
  explicit Recorder(const Clock& clock, Options options);
  explicit Recorder(const Clock& clock) : Recorder(clock, Options{}) {}

  const Clock& clock() const { return clock_; }

  // Restarts the run: origin = now. Keeps lanes and tasks.
  void start();
  // Ends the run: wall = now - origin. Until stop(), wall runs to "now".
  void stop();

  // Nanoseconds since the origin according to the clock.
  std::int64_t now_ns() const;
  std::int64_t to_ns(TimePoint t) const;

  LaneId add_lane(std::string name);
  // Binds the calling thread to `lane`: spans it records via current_lane()
  // land there.
  void bind_thread(LaneId lane);
  // The lane bound to the calling thread, or kNoLane.
  LaneId current_lane() const;

  TaskId add_task(std::string name);
  void add_edge(TaskId from, TaskId to);

  void record(const Span& span);

  Summary summary() const;
  TraceData snapshot() const;
  std::size_t kept_spans() const;

 private:
  bool keep_locked(const Span& span, std::uint64_t seq) const;
  void halve_locked();

  const Clock& clock_;
  const Options options_;
  mutable std::mutex mu_;
  TimePoint origin_;
  std::int64_t stopped_at_ns_ = -1;
  std::vector<Lane> lanes_;
  std::unordered_map<std::thread::id, LaneId> thread_lanes_;
  std::vector<TaskInfo> tasks_;
  std::vector<Edge> edges_;
  std::vector<Span> spans_;
  std::vector<std::uint64_t> seqs_;  // sequence number of each kept span
  std::uint64_t next_seq_ = 0;
  std::uint32_t stride_ = 1;
  Summary totals_;
};

// Records one span of `kind` for `task` on the calling thread's lane when it
// goes out of scope; work spans also measure the thread's CPU time.
// A null recorder makes it a no-op.
class ScopedSpan {
 public:
  ScopedSpan(Recorder* recorder, EventKind kind, TaskId task);
  ~ScopedSpan();
  ScopedSpan(const ScopedSpan&) = delete;
  ScopedSpan& operator=(const ScopedSpan&) = delete;

 private:
  Recorder* recorder_;
  EventKind kind_;
  TaskId task_;
  std::int64_t start_ns_ = 0;
  std::int64_t cpu_start_ns_ = 0;
};

}  // namespace preheat::trace
