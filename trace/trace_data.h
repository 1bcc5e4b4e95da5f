// The recorded timeline of one run, as plain data: what the writers
// (Chrome JSON, SVG) and the summary read. Produced by Recorder::snapshot()
// or built by hand (tests, the discrete-event simulator).
//
// Times are nanoseconds since the run's origin. A run may use virtual time
// (a simulation, or a recipe where one minute lasts `scale` seconds); the
// TimeUnit says how to label it.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "trace/event_kind.h"

namespace preheat::trace {

using LaneId = std::uint32_t;
using TaskId = std::uint32_t;
inline constexpr LaneId kNoLane = std::numeric_limits<LaneId>::max();
inline constexpr TaskId kNoTask = std::numeric_limits<TaskId>::max();

// A lane is one worker thread (or the event loop thread). Spans that occupy
// a worker (work, blocked) sit on its lane; spans that hold no worker (wait,
// task) have lane kNoLane.
struct Lane {
  std::string name;  // "event loop", "worker 1", "main thread"
};

struct TaskInfo {
  std::string name;
};

// A dependency edge: `to` could not start before `from` finished.
struct Edge {
  TaskId from = kNoTask;
  TaskId to = kNoTask;
};

struct Span {
  EventKind kind = EventKind::kWork;
  LaneId lane = kNoLane;
  TaskId task = kNoTask;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  // CPU time the lane's thread consumed during the span (work spans; a
  // simulation sets it to the span's length). Execution time sums this.
  std::int64_t cpu_ns = 0;
};

// How to label time on axes and in summaries.
struct TimeUnit {
  std::string name = "ms";          // "ms", "s", "min"
  double ns_per_unit = 1e6;         // 1 ms = 1e6 ns
};

// Totals over every span recorded, kept exact even when spans are sampled.
struct Summary {
  std::int64_t wall_ns = 0;        // from the run's start to its end
  std::int64_t execution_ns = 0;   // sum of CPU time of work spans, over all lanes
  std::int64_t waiting_ns = 0;     // sum of wait and blocked span lengths
  std::uint64_t spans = 0;         // spans recorded (kept or not)
  // execution / wall: how many workers were busy on average.
  double parallelism() const {
    return wall_ns > 0 ? static_cast<double>(execution_ns) / static_cast<double>(wall_ns) : 0.0;
  }
};

struct TraceData {
  std::string title;
  TimeUnit unit;
  std::vector<Lane> lanes;
  std::vector<TaskInfo> tasks;
  std::vector<Edge> edges;
  std::vector<Span> spans;  // possibly sampled: see Recorder
  Summary summary;
  // 1 when every span was kept; k when about one in k tasks' spans were kept.
  std::uint32_t sample_stride = 1;

  const std::string& task_name(TaskId id) const;
};

// Computes the exact summary of a complete (unsampled) list of spans.
Summary summarize(const std::vector<Span>& spans, std::int64_t wall_ns);

}  // namespace preheat::trace
