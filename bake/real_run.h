// A real run of a plan on the runtime: a wait is a timer (or, sequential, a
// blocked thread), work is real CPU work (bake/cpu_burn.h). One recipe minute
// lasts `scale` seconds. Returns the recorded timeline, in recipe minutes.
#pragma once

#include "bake/plan.h"
#include "runtime/asio.h"
#include "trace/trace_data.h"

namespace preheat::bake {

struct RealRunOptions {
  double scale = 0.01;  // seconds per recipe minute
  std::size_t max_spans = 1'000'000;
  bool stop_on_interrupt = false;  // Ctrl-C makes run_real throw runtime::Interrupted
};

// Runs on the calling thread (it becomes the event loop). Throws on failure.
trace::TraceData run_real(const Plan& plan, const RealRunOptions& options);

}  // namespace preheat::bake
