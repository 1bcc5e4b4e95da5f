// Clock: where "now" comes from. Injected so that tests run on a ManualClock
// and never sleep or read the wall clock.
//
// Thread safety: SteadyClock is stateless. ManualClock may be read from any
// thread; advance()/set() are meant for the single test thread that steps the
// system forward.
#pragma once

#include <atomic>
#include <chrono>

namespace preheat {

using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  // True when time only moves when someone moves it (tests, simulations).
  virtual bool is_manual() const { return false; }
};

class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

// Time stands still until advance() or set() moves it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{}) : now_ns_(start.time_since_epoch().count()) {}

  TimePoint now() const override { return TimePoint(Duration(now_ns_.load(std::memory_order_acquire))); }
  bool is_manual() const override { return true; }

  void advance(Duration d) { now_ns_.fetch_add(d.count(), std::memory_order_acq_rel); }
  // REQUIRES: t >= now(); time never runs backwards.
  void set(TimePoint t) { now_ns_.store(t.time_since_epoch().count(), std::memory_order_release); }

 private:
  std::atomic<Duration::rep> now_ns_;
};

// The process-wide steady clock, for callers that take a Clock&.
Clock& steady_clock();

inline double to_seconds(Duration d) { return std::chrono::duration<double>(d).count(); }
// Seconds as people type them ("--timeout 2.5").
inline Duration from_seconds(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}
inline double to_millis(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace preheat
