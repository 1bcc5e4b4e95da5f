#include "runtime/scope.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "runtime/runtime.h"

namespace preheat::runtime {
namespace {

using namespace std::chrono_literals;

Task<void> fail_after(Runtime& rt, Duration d, std::string what) {
  co_await rt.wait(d);
  throw std::runtime_error(what);
}

Task<void> wait_and_log(Runtime& rt, Duration d, std::vector<std::string>& log, std::string name) {
  try {
    co_await rt.wait(d);
    log.push_back(name + " finished");
  } catch (const boost::system::system_error& e) {
    log.push_back(name + " cancelled");
    throw;
  }
}

TEST(ScopeTest, FirstErrorCancelsTheOthersAndIsRethrownAfterAllStopped) {
  ManualClock clock;
  Runtime rt({.mode = ExecutionMode::kAsync, .manual_clock = &clock});
  std::vector<std::string> log;
  const TimePoint start = clock.now();
  auto main = [&]() -> Task<void> {
    Scope scope(rt.executor());
    scope.spawn(wait_and_log(rt, 100ms, log, "slow"));
    scope.spawn(fail_after(rt, 1ms, "first"));
    scope.spawn(fail_after(rt, 2ms, "second"));
    co_await scope.join();
  };
  try {
    rt.run(main());
    FAIL() << "join() should rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "first");
  }
  EXPECT_EQ(log, (std::vector<std::string>{"slow cancelled"}));
  EXPECT_EQ(clock.now() - start, 1ms);  // nobody waited for the slow one
  EXPECT_EQ(rt.pending_virtual_waits(), 0u);
}

TEST(ScopeTest, JoinWaitsForTasksSpawnedWhileJoining) {
  ManualClock clock;
  Runtime rt({.mode = ExecutionMode::kAsync, .manual_clock = &clock});
  std::vector<std::string> log;
  auto main = [&]() -> Task<void> {
    Scope scope(rt.executor());
    auto parent = [&]() -> Task<void> {
      co_await rt.wait(1ms);
      scope.spawn(wait_and_log(rt, 5ms, log, "child"));
      log.push_back("parent finished");
    };
    scope.spawn(parent());
    co_await scope.join();
    log.push_back("joined");
  };
  rt.run(main());
  EXPECT_EQ(log, (std::vector<std::string>{"parent finished", "child finished", "joined"}));
}

TEST(ScopeTest, CancellingTheJoinerCancelsAndStillJoinsTheChildren) {
  ManualClock clock;
  Runtime rt({.mode = ExecutionMode::kAsync, .manual_clock = &clock});
  std::vector<std::string> log;
  asio::cancellation_signal stop;
  bool main_done = false;
  std::exception_ptr main_error;
  auto main = [&]() -> Task<void> {
    Scope scope(rt.executor());
    scope.spawn(wait_and_log(rt, 50ms, log, "a"));
    scope.spawn(wait_and_log(rt, 60ms, log, "b"));
    co_await scope.join();
  };
  asio::co_spawn(rt.loop(), main(), asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e) {
                   main_done = true;
                   main_error = e;
                 }));
  rt.poll();
  rt.advance(10ms);
  EXPECT_TRUE(log.empty());
  stop.emit(asio::cancellation_type::terminal);
  rt.poll();
  EXPECT_TRUE(main_done);
  EXPECT_TRUE(main_error != nullptr);
  EXPECT_EQ(log, (std::vector<std::string>{"a cancelled", "b cancelled"}));
  EXPECT_EQ(rt.pending_virtual_waits(), 0u);
}

TEST(ScopeTest, EmptyScopeJoinsAtOnce) {
  Runtime rt({.mode = ExecutionMode::kAsync});
  bool joined = false;
  auto main = [&]() -> Task<void> {
    Scope scope(rt.executor());
    co_await scope.join();
    joined = true;
  };
  rt.run(main());
  EXPECT_TRUE(joined);
}

TEST(ScopeTest, ManyShortTasksDoNotAccumulate) {
  Runtime rt({.mode = ExecutionMode::kAsync});
  int done = 0;
  auto main = [&]() -> Task<void> {
    Scope scope(rt.executor());
    auto tiny = [&]() -> Task<void> {
      ++done;
      co_return;
    };
    for (int i = 0; i < 10000; ++i) {
      scope.spawn(tiny());
      if (i % 100 == 0) co_await rt.yield();
    }
    co_await scope.join();
  };
  rt.run(main());
  EXPECT_EQ(done, 10000);
}

}  // namespace
}  // namespace preheat::runtime

namespace preheat::runtime {
namespace {

// Regression: cancelling a task while its compute() runs on a worker thread
// used to carry the cancellation into the pool, where Asio rethrew it out of
// io_context::run() and the process aborted (found by the Ctrl-C CLI test).
TEST(ScopeTest, CancellingATaskDuringParallelComputeIsClean) {
  Runtime rt({.mode = ExecutionMode::kParallel, .workers = 2});
  std::atomic<bool> release{false};
  std::atomic<bool> started{false};
  bool a_resumed_after_compute = false;
  bool a_cancelled = false;
  auto a = [&]() -> Task<void> {
    auto slow = [&] {
      started = true;
      while (!release) std::this_thread::yield();
      return 7;
    };
    const int v = co_await rt.compute(slow);
    a_resumed_after_compute = v == 7;
    try {
      co_await rt.wait(std::chrono::hours(1));
    } catch (const boost::system::system_error&) {
      a_cancelled = true;
      throw;
    }
  };
  auto b = [&]() -> Task<void> {
    while (!started) co_await rt.yield();
    release = true;  // a's compute finishes after the scope has cancelled a
    throw std::runtime_error("b failed");
  };
  auto main = [&]() -> Task<void> {
    Scope scope(rt.executor());
    scope.spawn(a());
    scope.spawn(b());
    co_await scope.join();
  };
  EXPECT_THROW(rt.run(main()), std::runtime_error);
  EXPECT_TRUE(a_resumed_after_compute);
  EXPECT_TRUE(a_cancelled);
}

}  // namespace
}  // namespace preheat::runtime

namespace preheat::runtime {
namespace {

// Regression (found by the testsite on SIGTERM): once a coroutine has been
// cancelled, Asio throws at its next co_await, which can be the co_await of
// join() itself; the Scope is then destroyed unjoined. It must cancel its
// children and let them finish, not abort the process.
TEST(ScopeTest, AScopeDestroyedByACancelledParentCancelsItsChildren) {
  ManualClock clock;
  Runtime rt({.mode = ExecutionMode::kAsync, .manual_clock = &clock});
  std::vector<std::string> log;
  asio::cancellation_signal stop;
  bool parent_done = false;
  auto parent = [&]() -> Task<void> {
    Scope scope(rt.executor());
    scope.spawn(wait_and_log(rt, 50ms, log, "child"));
    try {
      co_await rt.wait(10ms);
    } catch (const boost::system::system_error&) {
      log.push_back("parent cancelled");
    }
    co_await scope.join();  // throws at once: this coroutine is cancelled
    log.push_back("joined");
  };
  asio::co_spawn(rt.loop(), parent(), asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e) {
                   parent_done = e != nullptr;
                 }));
  rt.poll();
  rt.advance(1ms);
  stop.emit(asio::cancellation_type::terminal);
  rt.poll();
  EXPECT_TRUE(parent_done);
  EXPECT_EQ(log, (std::vector<std::string>{"parent cancelled", "child cancelled"}));
  EXPECT_EQ(rt.pending_virtual_waits(), 0u);
}

}  // namespace
}  // namespace preheat::runtime
