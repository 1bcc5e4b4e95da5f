#include "bake/real_run.h"

#include <chrono>
#include <limits>

#include "bake/cpu_burn.h"
#include "runtime/runtime.h"
#include "runtime/task_graph.h"
#include "trace/recorder.h"

namespace preheat::bake {

trace::TraceData run_real(const Plan& plan, const RealRunOptions& options) {
  const double ns_per_minute = options.scale * 1e9;
  trace::Recorder rec(steady_clock(), {.max_spans = options.max_spans, .title = plan.title, .unit = {"min", ns_per_minute}});
  runtime::Runtime rt({.mode = plan.mode, .workers = plan.workers, .recorder = &rec, .stop_on_interrupt = options.stop_on_interrupt});

  for (const std::string& name : plan.tasks) rec.add_task(name);
  for (std::size_t i = 0; i < plan.task_after.size(); ++i) {
    for (std::size_t d : plan.task_after[i]) rec.add_edge(static_cast<trace::TaskId>(d), static_cast<trace::TaskId>(i));
  }
  runtime::TaskGraph graph;
  for (const Piece& p : plan.pieces) graph.add(plan.tasks[p.task], p.after);

  // Each recipe task's lifetime: from its first piece's start to its last
  // piece's end (all on the loop thread, so no lock).
  std::vector<std::int64_t> first(plan.tasks.size(), std::numeric_limits<std::int64_t>::max());
  std::vector<std::int64_t> last(plan.tasks.size(), std::numeric_limits<std::int64_t>::min());

  auto body = [&](runtime::TaskGraph::NodeId id) -> runtime::Task<void> {
    const Piece& piece = plan.pieces[id];
    const auto task = static_cast<trace::TaskId>(piece.task);
    const auto length = std::chrono::nanoseconds(static_cast<std::int64_t>(piece.minutes * ns_per_minute));
    first[piece.task] = std::min(first[piece.task], rec.now_ns());
    if (piece.kind == TaskKind::kWait) {
      co_await rt.wait(length, task);
    } else {
      co_await rt.compute([length] { return burn_cpu(length); }, task);
    }
    last[piece.task] = std::max(last[piece.task], rec.now_ns());
  };
  rec.start();
  rt.run(runtime::run_graph(rt, graph, body));
  rec.stop();
  for (std::size_t t = 0; t < plan.tasks.size(); ++t) {
    if (first[t] > last[t]) continue;
    rec.record(trace::Span{trace::EventKind::kTask, trace::kNoLane, static_cast<trace::TaskId>(t), first[t], last[t], 0});
  }
  return rec.snapshot();
}

}  // namespace preheat::bake
