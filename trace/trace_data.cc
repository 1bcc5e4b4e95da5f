#include "trace/trace_data.h"

namespace preheat::trace {

const std::string& TraceData::task_name(TaskId id) const {
  static const std::string kNone;
  return id < tasks.size() ? tasks[id].name : kNone;
}

Summary summarize(const std::vector<Span>& spans, std::int64_t wall_ns) {
  Summary s;
  s.wall_ns = wall_ns;
  for (const Span& sp : spans) {
    ++s.spans;
    if (is_working(sp.kind)) s.execution_ns += sp.cpu_ns;
    if (is_waiting(sp.kind)) s.waiting_ns += sp.end_ns - sp.start_ns;
  }
  return s;
}

}  // namespace preheat::trace
