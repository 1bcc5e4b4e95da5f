#include "base/clock.h"

namespace preheat {

Clock& steady_clock() {
  static SteadyClock clock;
  return clock;
}

}  // namespace preheat
