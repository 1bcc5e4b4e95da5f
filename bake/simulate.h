// Discrete-event simulation of a plan: exact and instant. Time is virtual;
// one recipe minute is kNanosPerMinute nanoseconds in the returned trace.
//
// The scheduling policy is the runtime's (runtime/runtime.h), written out:
//   sequential  one worker ("main thread"); pieces one after the other in
//               topological order; a wait holds the worker (blocked).
//   async       one worker ("event loop"); a wait starts as soon as it is
//               ready and holds nobody; work runs on the worker in the order
//               it became ready.
//   parallel    an event loop plus N workers ("worker 1".."worker N"); work
//               goes to the lowest-numbered free worker in order of readiness;
//               waits hold nobody.
// Ties (pieces ready at the same moment) go in plan order, as in the runtime.
#pragma once

#include "bake/plan.h"
#include "trace/trace_data.h"

namespace preheat::bake {

inline constexpr double kNanosPerMinute = 1e9;

trace::TraceData simulate(const Plan& plan);

}  // namespace preheat::bake
