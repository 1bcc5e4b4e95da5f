#include "runtime/semaphore.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/runtime.h"
#include "runtime/scope.h"

namespace preheat::runtime {
namespace {

using namespace std::chrono_literals;

TEST(SemaphoreTest, AtMostLimitHoldersAndFifoOrder) {
  ManualClock clock;
  Runtime rt({.mode = ExecutionMode::kAsync, .manual_clock = &clock});
  Semaphore slots(rt.executor(), 2);
  std::vector<std::string> log;
  std::size_t peak = 0;
  auto user = [&](std::string name, Duration hold) -> Task<void> {
    auto permit = co_await slots.acquire();
    peak = std::max(peak, slots.in_use());
    log.push_back(name + "+");
    co_await rt.wait(hold);
    log.push_back(name + "-");
  };
  auto main = [&]() -> Task<void> {
    Scope scope(rt.executor());
    scope.spawn(user("a", 10ms));
    scope.spawn(user("b", 5ms));
    scope.spawn(user("c", 1ms));
    scope.spawn(user("d", 1ms));
    co_await scope.join();
  };
  rt.run(main());
  EXPECT_EQ(peak, 2u);
  EXPECT_EQ(log, (std::vector<std::string>{"a+", "b+", "b-", "c+", "c-", "d+", "d-", "a-"}));
  EXPECT_EQ(slots.in_use(), 0u);
}

TEST(SemaphoreTest, ACancelledWaiterLeavesTheQueue) {
  ManualClock clock;
  Runtime rt({.mode = ExecutionMode::kAsync, .manual_clock = &clock});
  Semaphore slots(rt.executor(), 1);
  std::vector<std::string> log;
  asio::cancellation_signal stop_b;
  auto holder = [&]() -> Task<void> {
    auto permit = co_await slots.acquire();
    co_await rt.wait(10ms);
    log.push_back("a done");
  };
  auto waiter = [&](std::string name) -> Task<void> {
    auto permit = co_await slots.acquire();
    log.push_back(name + " got it");
  };
  asio::co_spawn(rt.loop(), holder(), [](std::exception_ptr) {});
  rt.poll();
  bool b_failed = false;
  asio::co_spawn(rt.loop(), waiter("b"),
                 asio::bind_cancellation_slot(stop_b.slot(), [&](std::exception_ptr e) { b_failed = e != nullptr; }));
  asio::co_spawn(rt.loop(), waiter("c"), [](std::exception_ptr) {});
  rt.poll();
  EXPECT_EQ(slots.waiting(), 2u);
  stop_b.emit(asio::cancellation_type::terminal);
  rt.poll();
  EXPECT_TRUE(b_failed);
  EXPECT_EQ(slots.waiting(), 1u);
  rt.advance(10ms);
  EXPECT_EQ(log, (std::vector<std::string>{"a done", "c got it"}));
  EXPECT_EQ(slots.in_use(), 0u);
}

TEST(SemaphoreTest, TryAcquire) {
  Runtime rt({.mode = ExecutionMode::kAsync});
  Semaphore slots(rt.executor(), 1);
  auto p = slots.try_acquire();
  EXPECT_TRUE(p.held());
  EXPECT_FALSE(slots.try_acquire().held());
  p.release();
  EXPECT_TRUE(slots.try_acquire().held());
}

}  // namespace
}  // namespace preheat::runtime
