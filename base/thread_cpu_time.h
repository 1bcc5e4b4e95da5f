// CPU time consumed by the calling thread: the honest measure of "execution
// time" for CPU work (a thread that sleeps or waits does not accumulate it).
#pragma once

#include "base/clock.h"

namespace preheat {

// CLOCK_THREAD_CPUTIME_ID of the calling thread.
Duration thread_cpu_time();

}  // namespace preheat
