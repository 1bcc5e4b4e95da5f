// Real CPU work of a chosen length, for `preheat bake` runs: "make dough for
// 25 minutes" at --scale 0.01 must keep a core busy for 0.25 s of CPU time.
//
// Calibration is by the thread's own CPU clock rather than by an iteration
// count measured up front: the work runs in small chunks (a few microseconds
// of hashing) until the calling thread has consumed `cpu` of CPU time. So the
// execution time is right even when the machine is loaded (then the wall time
// stretches instead, which is the honest outcome).
#pragma once

#include <cstdint>

#include "base/clock.h"

namespace preheat::bake {

// Burns `cpu` of the calling thread's CPU time (less if Ctrl-C arrives); returns a checksum of the work
// done so the compiler cannot remove it.
std::uint64_t burn_cpu(Duration cpu);

}  // namespace preheat::bake
