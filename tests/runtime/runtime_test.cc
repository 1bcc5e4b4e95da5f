// Deterministic tests of the three schedulers: a ManualClock stands in for
// time, so nothing sleeps and nothing reads the wall clock. Overlap and order
// are asserted from recorded events and traces.
#include "runtime/runtime.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/scope.h"
#include "base/interrupt.h"

namespace preheat::runtime {
namespace {

using namespace std::chrono_literals;

Duration since(const ManualClock& clock, TimePoint start) { return clock.now() - start; }

Task<void> waiter(Runtime& rt, Duration d, std::string name, std::vector<std::string>& log) {
  co_await rt.wait(d);
  log.push_back(name);
}

Task<void> two_waits(Runtime& rt, std::vector<std::string>& log) {
  Scope scope(rt.executor());
  scope.spawn(waiter(rt, 10ms, "A", log));
  scope.spawn(waiter(rt, 5ms, "B", log));
  co_await scope.join();
}

TEST(RuntimeTest, AsyncWaitsOverlapAndFinishInDeadlineOrder) {
  ManualClock clock;
  Runtime rt({.mode = ExecutionMode::kAsync, .manual_clock = &clock});
  std::vector<std::string> log;
  const TimePoint start = clock.now();
  rt.run(two_waits(rt, log));
  EXPECT_EQ(log, (std::vector<std::string>{"B", "A"}));
  EXPECT_EQ(since(clock, start), 10ms);  // the waits overlapped: max, not sum
}

TEST(RuntimeTest, SequentialWaitsBlockOneAfterTheOther) {
  ManualClock clock;
  Runtime rt({.mode = ExecutionMode::kSequential, .manual_clock = &clock});
  std::vector<std::string> log;
  const TimePoint start = clock.now();
  rt.run(two_waits(rt, log));
  EXPECT_EQ(log, (std::vector<std::string>{"A", "B"}));  // spawn order, each to completion
  EXPECT_EQ(since(clock, start), 15ms);                   // sum of the waits
}

TEST(RuntimeTest, ParallelWaitsOverlapLikeAsync) {
  ManualClock clock;
  Runtime rt({.mode = ExecutionMode::kParallel, .workers = 2, .manual_clock = &clock});
  std::vector<std::string> log;
  const TimePoint start = clock.now();
  rt.run(two_waits(rt, log));
  EXPECT_EQ(log, (std::vector<std::string>{"B", "A"}));
  EXPECT_EQ(since(clock, start), 10ms);
}

TEST(RuntimeTest, StepByStepWithPollAndAdvance) {
  ManualClock clock;
  Runtime rt({.mode = ExecutionMode::kAsync, .manual_clock = &clock});
  std::vector<std::string> log;
  bool finished = false;
  asio::co_spawn(rt.loop(), two_waits(rt, log), [&](std::exception_ptr) { finished = true; });
  rt.poll();
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(rt.pending_virtual_waits(), 2u);
  rt.advance(4ms);
  EXPECT_TRUE(log.empty());
  rt.advance(1ms);
  EXPECT_EQ(log, (std::vector<std::string>{"B"}));
  EXPECT_FALSE(finished);
  rt.advance(5ms);
  EXPECT_EQ(log, (std::vector<std::string>{"B", "A"}));
  EXPECT_TRUE(finished);
}

Task<void> yielder(Runtime& rt, std::string name, std::vector<std::string>& log) {
  for (int i = 0; i < 3; ++i) {
    log.push_back(name);
    co_await rt.yield();
  }
}

std::vector<std::string> run_yielders(ExecutionMode mode) {
  Runtime rt({.mode = mode});
  std::vector<std::string> log;
  auto main = [&]() -> Task<void> {
    Scope scope(rt.executor());
    scope.spawn(yielder(rt, "a", log));
    scope.spawn(yielder(rt, "b", log));
    co_await scope.join();
  };
  rt.run(main());
  return log;
}

TEST(RuntimeTest, YieldInterleavesInAsyncButNotInSequential) {
  EXPECT_EQ(run_yielders(ExecutionMode::kAsync), (std::vector<std::string>{"a", "b", "a", "b", "a", "b"}));
  EXPECT_EQ(run_yielders(ExecutionMode::kSequential), (std::vector<std::string>{"a", "a", "a", "b", "b", "b"}));
}

TEST(RuntimeTest, ComputeRunsOnTheLoopThreadInAsyncMode) {
  Runtime rt({.mode = ExecutionMode::kAsync});
  const auto loop_thread = std::this_thread::get_id();
  auto main = [&]() -> Task<std::thread::id> { co_return co_await rt.compute([] { return std::this_thread::get_id(); }); };
  EXPECT_EQ(rt.run_for_result(main()), loop_thread);
}

// Two jobs that can only finish if they run at the same time: each waits (with
// a generous deadlock guard, not a timing assertion) until both have started.
struct Rendezvous {
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  bool meet() {
    std::unique_lock lock(mu);
    ++arrived;
    cv.notify_all();
    return cv.wait_for(lock, 30s, [&] { return arrived >= 2; });
  }
};

TEST(RuntimeTest, ParallelComputeRunsOnTwoWorkersAtOnce) {
  trace::Recorder rec(steady_clock());
  Runtime rt({.mode = ExecutionMode::kParallel, .workers = 2, .recorder = &rec});
  Rendezvous rv;
  const auto loop_thread = std::this_thread::get_id();
  std::vector<bool> met(2, false);
  std::vector<std::thread::id> threads(2);
  auto job = [&](int i) -> Task<void> {
    auto fn = [&, i] {
      threads[i] = std::this_thread::get_id();
      return rv.meet();
    };
    met[i] = co_await rt.compute(fn, static_cast<TaskId>(i));
  };
  auto main = [&]() -> Task<void> {
    Scope scope(rt.executor());
    scope.spawn(job(0));
    scope.spawn(job(1));
    co_await scope.join();
  };
  rt.run(main());
  EXPECT_TRUE(met[0]);
  EXPECT_TRUE(met[1]);
  EXPECT_NE(threads[0], threads[1]);
  EXPECT_NE(threads[0], loop_thread);
  // The trace shows the two work spans on two different worker lanes, overlapping.
  auto data = rec.snapshot();
  std::vector<trace::Span> work;
  for (const auto& s : data.spans) {
    if (s.kind == trace::EventKind::kWork) work.push_back(s);
  }
  ASSERT_EQ(work.size(), 2u);
  EXPECT_NE(work[0].lane, work[1].lane);
  EXPECT_LT(std::max(work[0].start_ns, work[1].start_ns), std::min(work[0].end_ns, work[1].end_ns));
  for (const auto& s : work) EXPECT_NE(data.lanes.at(s.lane).name, "event loop");
}

TEST(RuntimeTest, OffloadRunsOffTheLoopInAsyncMode) {
  Runtime rt({.mode = ExecutionMode::kAsync});
  const auto loop_thread = std::this_thread::get_id();
  auto main = [&]() -> Task<std::thread::id> { co_return co_await rt.offload([] { return std::this_thread::get_id(); }); };
  EXPECT_NE(rt.run_for_result(main()), loop_thread);
}

TEST(RuntimeTest, ComputeExceptionsReachTheAwaitingTask) {
  for (ExecutionMode mode : kAllModes) {
    Runtime rt({.mode = mode});
    auto main = [&]() -> Task<void> { co_await rt.compute([]() -> int { throw std::runtime_error("boom"); }); };
    EXPECT_THROW(rt.run(main()), std::runtime_error) << to_string(mode);
  }
}

TEST(RuntimeTest, WaitsAreTracedAsBlockedInSequentialAndAsWaitOtherwise) {
  for (ExecutionMode mode : kAllModes) {
    ManualClock clock;
    trace::Recorder rec(clock);
    Runtime rt({.mode = mode, .manual_clock = &clock, .recorder = &rec});
    auto main = [&]() -> Task<void> { co_await rt.wait(7ms, 3); };
    rt.run(main());
    auto data = rec.snapshot();
    ASSERT_EQ(data.spans.size(), 1u) << to_string(mode);
    const trace::Span& s = data.spans[0];
    EXPECT_EQ(s.task, 3u);
    EXPECT_EQ(s.end_ns - s.start_ns, 7'000'000);
    if (mode == ExecutionMode::kSequential) {
      EXPECT_EQ(s.kind, trace::EventKind::kBlocked);
      ASSERT_NE(s.lane, trace::kNoLane);
      EXPECT_EQ(data.lanes[s.lane].name, "main thread");
    } else {
      EXPECT_EQ(s.kind, trace::EventKind::kWait);
      EXPECT_EQ(s.lane, trace::kNoLane);
    }
  }
}

}  // namespace
}  // namespace preheat::runtime

namespace preheat::runtime {
namespace {

struct InterruptReset {
  ~InterruptReset() { set_interrupt_requested(false); }
};

TEST(RuntimeInterruptTest, CtrlCStopsEveryModeWithInterrupted) {
  InterruptReset reset;
  for (ExecutionMode mode : kAllModes) {
    set_interrupt_requested(false);
    Runtime rt({.mode = mode, .stop_on_interrupt = true});
    int rounds = 0;
    auto main = [&]() -> Task<void> {
      for (;;) {
        ++rounds;
        if (rounds == 3) set_interrupt_requested(true);  // "Ctrl-C" mid-run
        co_await rt.wait(std::chrono::milliseconds(1));
        if (rounds > 1000) co_return;  // would mean the interrupt was ignored
      }
    };
    EXPECT_THROW(rt.run(main()), Interrupted) << to_string(mode);
    EXPECT_LT(rounds, 1000) << to_string(mode);
  }
}

TEST(RuntimeInterruptTest, WithoutTheOptionTheFlagIsIgnored) {
  InterruptReset reset;
  set_interrupt_requested(true);
  Runtime rt({.mode = ExecutionMode::kAsync});
  auto main = [&]() -> Task<void> { co_await rt.wait(std::chrono::milliseconds(1)); };
  EXPECT_NO_THROW(rt.run(main()));
}

}  // namespace
}  // namespace preheat::runtime

namespace preheat::runtime {
namespace {

// A task that yields between CPU chunks lets a timer that fell due during a
// chunk run before its next chunk (not one chunk later: see yield()).
TEST(RuntimeYieldTest, ADueTimerRunsBeforeTheNextChunk) {
  Runtime rt({.mode = ExecutionMode::kAsync});
  std::vector<std::string> log;
  const TimePoint deadline = steady_clock().now() + std::chrono::milliseconds(2);
  auto timer_task = [&]() -> Task<void> {
    co_await rt.wait_until(deadline);
    log.push_back("timer");
  };
  auto chunky = [&]() -> Task<void> {
    for (int i = 0; i < 3; ++i) {
      // A chunk of "CPU work" that surely ends after the deadline (a spin on
      // the clock, not a sleep: the loop thread stays busy).
      while (steady_clock().now() <= deadline) {
      }
      log.push_back("chunk " + std::to_string(i));
      co_await rt.yield();
    }
  };
  auto main = [&]() -> Task<void> {
    Scope scope(rt.executor());
    scope.spawn(timer_task());
    scope.spawn(chunky());
    co_await scope.join();
  };
  rt.run(main());
  EXPECT_EQ(log, (std::vector<std::string>{"chunk 0", "timer", "chunk 1", "chunk 2"}));
}

}  // namespace
}  // namespace preheat::runtime
