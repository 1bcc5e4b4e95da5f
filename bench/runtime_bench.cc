// Scheduler overhead per task and per wait in each mode (Google Benchmark).
// Each iteration runs a batch of kBatch operations inside one Runtime::run so
// that the figure is the cost of the operation, not of starting a runtime.
// Reported as time per operation (items_per_second is its inverse).
#include <benchmark/benchmark.h>

#include "runtime/runtime.h"
#include "runtime/scope.h"

namespace preheat::runtime {
namespace {

constexpr int kBatch = 1000;

ExecutionMode mode_of(const benchmark::State& state) { return kAllModes[static_cast<std::size_t>(state.range(0))]; }

void set_label(benchmark::State& state) {
  state.SetLabel(std::string(to_string(mode_of(state))));
  state.SetItemsProcessed(state.iterations() * kBatch);
}

// Spawning a task into a scope and joining it.
void BM_SpawnJoin(benchmark::State& state) {
  Runtime rt({.mode = mode_of(state), .workers = 2});
  for (auto _ : state) {
    auto main = [&]() -> Task<void> {
      Scope scope(rt.executor());
      auto empty = []() -> Task<void> { co_return; };
      for (int i = 0; i < kBatch; ++i) scope.spawn(empty());
      co_await scope.join();
    };
    rt.run(main());
  }
  set_label(state);
}

// A wait that is already due: the bookkeeping of a wait without its length
// (sequential: a blocking sleep call; async/parallel: a timer through the loop).
void BM_Wait(benchmark::State& state) {
  Runtime rt({.mode = mode_of(state), .workers = 2});
  for (auto _ : state) {
    auto main = [&]() -> Task<void> {
      for (int i = 0; i < kBatch; ++i) co_await rt.wait(Duration(0));
    };
    rt.run(main());
  }
  set_label(state);
}

// A real timer wait of 100 us, run by 100 tasks at once: what a wait costs
// when it is not already due (the runtime's overhead is the time per wait
// beyond 100 us / 100 concurrent waits).
void BM_TimerWait100us(benchmark::State& state) {
  Runtime rt({.mode = mode_of(state), .workers = 2});
  for (auto _ : state) {
    auto main = [&]() -> Task<void> {
      Scope scope(rt.executor());
      auto waiter = [&]() -> Task<void> {
        for (int i = 0; i < kBatch / 100; ++i) co_await rt.wait(std::chrono::microseconds(100));
      };
      for (int t = 0; t < 100; ++t) scope.spawn(waiter());
      co_await scope.join();
    };
    rt.run(main());
  }
  set_label(state);
}

// Handing a trivial piece of CPU work to the scheduler and getting the result
// back (inline in sequential/async; a round trip to a worker in parallel).
void BM_Compute(benchmark::State& state) {
  Runtime rt({.mode = mode_of(state), .workers = 2});
  for (auto _ : state) {
    auto main = [&]() -> Task<void> {
      int sum = 0;
      for (int i = 0; i < kBatch; ++i) sum += co_await rt.compute([i] { return i; });
      benchmark::DoNotOptimize(sum);
    };
    rt.run(main());
  }
  set_label(state);
}

// Giving other tasks a turn.
void BM_Yield(benchmark::State& state) {
  Runtime rt({.mode = mode_of(state), .workers = 2});
  for (auto _ : state) {
    auto main = [&]() -> Task<void> {
      for (int i = 0; i < kBatch; ++i) co_await rt.yield();
    };
    rt.run(main());
  }
  set_label(state);
}

// With tracing on: the cost the recorder adds to each compute.
void BM_ComputeTraced(benchmark::State& state) {
  trace::Recorder rec(steady_clock());
  Runtime rt({.mode = mode_of(state), .workers = 2, .recorder = &rec});
  for (auto _ : state) {
    auto main = [&]() -> Task<void> {
      for (int i = 0; i < kBatch; ++i) co_await rt.compute([] { return 0; }, 0);
    };
    rt.run(main());
  }
  set_label(state);
}

BENCHMARK(BM_SpawnJoin)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Wait)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TimerWait100us)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Compute)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Yield)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ComputeTraced)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace preheat::runtime

BENCHMARK_MAIN();
