#include "bake/cpu_burn.h"

#include "base/interrupt.h"
#include "base/thread_cpu_time.h"

namespace preheat::bake {

namespace {
// About 2-5 microseconds of integer mixing on this machine class.
std::uint64_t chunk(std::uint64_t x) {
  for (int i = 0; i < 2000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return x;
}
}  // namespace

std::uint64_t burn_cpu(Duration cpu) {
  const Duration start = thread_cpu_time();
  std::uint64_t x = 0x9e3779b97f4a7c15ULL ^ static_cast<std::uint64_t>(start.count());
  // Ctrl-C stops the work early; the runtime then ends the run at the
  // task's next wait (runtime/runtime.h).
  while (thread_cpu_time() - start < cpu && !interrupt_requested()) x = chunk(x);
  return x;
}

}  // namespace preheat::bake
