// Runtime: one task model (Asio awaitables), three schedulers.
//
// The same task code runs in each ExecutionMode; only these primitives change:
//
//   primitive      sequential              async                    parallel
//   wait(d)        blocks the thread       timer; loop runs others  timer; loop runs others
//   compute(f)     inline                  inline on the loop       on one of N worker threads
//   yield()        no-op                   lets ready tasks run     lets ready tasks run
//   offload(f)     inline                  offload thread           worker thread
//
// Every coroutine runs on the event loop thread (the thread that calls run());
// worker threads only ever run the plain functions given to compute() and
// offload(). So coroutine state needs no locks in any mode.
//
// In sequential mode no task ever suspends in the middle (waits block, work
// runs inline), so each spawned task runs to completion before the next one
// starts: the synchronous baseline, built from the same code.
//
// Time comes from the injected clock. With a ManualClock, waits are virtual:
// sequential waits move the clock forward (the thread is "blocked" while time
// passes); async/parallel waits complete when a test calls advance(). Tests
// step the system with poll() and advance() and never sleep.
//
// Thread safety: construct, run(), poll() and advance() on one thread.
#pragma once

#include <exception>
#include <stdexcept>
#include <map>
#include <optional>
#include <variant>
#include <memory>
#include <thread>
#include <type_traits>
#include <vector>

#include "base/clock.h"
#include "base/execution_mode.h"
#include "runtime/asio.h"
#include "runtime/event.h"
#include "trace/recorder.h"

namespace preheat::runtime {

using trace::TaskId;
using trace::kNoTask;

struct RuntimeOptions {
  ExecutionMode mode = ExecutionMode::kAsync;
  // Worker threads for CPU work in parallel mode (ignored otherwise).
  int workers = 2;
  // Threads for blocking calls in async mode (parallel mode uses its workers).
  int offload_threads = 2;
  // Where time comes from; nullptr means the steady clock. A ManualClock makes
  // every wait virtual (see above). Must outlive the Runtime.
  ManualClock* manual_clock = nullptr;
  // Optional; records work, wait and blocked spans. Must outlive the Runtime.
  trace::Recorder* recorder = nullptr;
  // Watch base/interrupt.h's flag: on Ctrl-C, cancel main and make run()
  // throw Interrupted.
  bool stop_on_interrupt = false;
};

// Thrown by Runtime::run() when the run was stopped by Ctrl-C or SIGTERM.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

class Runtime {
 public:
  explicit Runtime(RuntimeOptions options);
  ~Runtime();  // stops and joins every thread it started
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  ExecutionMode mode() const { return options_.mode; }
  // Threads that do CPU work: N in parallel mode, else 1.
  int workers() const;
  const Clock& clock() const { return *clock_; }
  trace::Recorder* recorder() const { return options_.recorder; }
  asio::any_io_executor executor() { return loop_.get_executor(); }
  asio::io_context& loop() { return loop_; }

  // Runs `main` on the calling thread (which becomes the event loop) until
  // the loop has no more work, then rethrows main's exception if it threw.
  void run(Task<void> main);
  // Runs `main` and returns its value.
  template <class T>
  T run_for_result(Task<T> main);

  // Test stepping (ManualClock): run what is ready without blocking; move the
  // manual clock and complete the virtual waits that became due.
  std::size_t poll();
  void advance(Duration d);
  // Number of virtual waits not yet due.
  std::size_t pending_virtual_waits() const { return virtual_waits_.size(); }

  // Waits for `d`; records a wait (or, sequential, blocked) span for `task`.
  Task<void> wait(Duration d, TaskId task = kNoTask);
  Task<void> wait_until(TimePoint deadline, TaskId task = kNoTask);

  // Runs CPU work `f` and returns its result; records a work span for `task`.
  template <class F>
  Task<std::invoke_result_t<F>> compute(F f, TaskId task = kNoTask);

  // Runs a blocking call `f` (a database call, a blocking read) where it does
  // not stall the loop; records a work span for `task`.
  template <class F>
  Task<std::invoke_result_t<F>> offload(F f, TaskId task = kNoTask);

  // Gives other ready tasks a turn (async/parallel); no-op in sequential.
  Task<void> yield();

  // Runs `f` on `ex` (a thread the caller owns, e.g. a single database writer
  // thread) and resumes the caller on the loop with its result; records a
  // work span for `task` there. Not cancellable half-way (see below).
  template <class F>
  Task<std::invoke_result_t<F>> run_on(asio::any_io_executor ex, F f, TaskId task = kNoTask);

 private:
  // A pool of threads running one io_context, each bound to a trace lane.
  class ThreadPool;

  template <class F>
  static std::invoke_result_t<F> run_traced(trace::Recorder* rec, F& f, TaskId task);
  ThreadPool& offload_pool();
  asio::any_io_executor worker_executor();
  asio::any_io_executor offload_executor();
  void fire_due_virtual_waits();
  Task<void> watch_interrupt(asio::cancellation_signal& stop, bool& finished);
  void blocking_sleep_until(TimePoint deadline);
  // Throws Interrupted when stop_on_interrupt is set and Ctrl-C arrived.
  void check_interrupt() const;

  RuntimeOptions options_;
  const Clock* clock_;
  trace::LaneId loop_lane_ = trace::kNoLane;
  asio::io_context loop_{1};
  std::unique_ptr<ThreadPool> workers_;  // parallel mode
  std::unique_ptr<ThreadPool> offload_;  // async mode, created on first use
  // Virtual waits (ManualClock, async/parallel): due time -> event to set.
  std::multimap<TimePoint, Event*> virtual_waits_;
};

// ---- implementation of the templates ----

template <class F>
std::invoke_result_t<F> Runtime::run_traced(trace::Recorder* rec, F& f, TaskId task) {
  trace::ScopedSpan span(rec, trace::EventKind::kWork, task);
  return f();
}

template <class F>
Task<std::invoke_result_t<F>> Runtime::run_on(asio::any_io_executor ex, F f, TaskId task) {
  using R = std::invoke_result_t<F>;
  using Value = std::conditional_t<std::is_void_v<R>, std::monostate, R>;
  trace::Recorder* rec = options_.recorder;
  // Post `f` to the pool; post the result back to the awaiting coroutine's
  // executor. No cancellation handler is installed: CPU work cannot be
  // stopped half-way, so a cancelled caller gets the result and throws at its
  // next wait. (A co_spawn onto the pool would carry the caller's
  // cancellation into the pool thread, where Asio rethrows it out of
  // io_context::run() and ends the process.)
  auto initiate = [ex, rec, task](auto handler, F fn) {
    auto back = asio::get_associated_executor(handler);
    auto keep_loop_alive = asio::make_work_guard(back);
    asio::post(ex, [handler = std::move(handler), fn = std::move(fn), rec, task,
                    keep_loop_alive = std::move(keep_loop_alive)]() mutable {
      std::exception_ptr error;
      std::optional<Value> value;
      try {
        if constexpr (std::is_void_v<R>) {
          run_traced(rec, fn, task);
          value.emplace();
        } else {
          value.emplace(run_traced(rec, fn, task));
        }
      } catch (...) {
        error = std::current_exception();
      }
      auto loop = keep_loop_alive.get_executor();
      asio::post(loop, [handler = std::move(handler), error, value = std::move(value)]() mutable {
        std::move(handler)(error, std::move(value));
      });
      keep_loop_alive.reset();
    });
  };
  // Written as its own statement (see DESIGN.md section 5 on GCC 12).
  auto op = asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr, std::optional<Value>)>(
      initiate, asio::use_awaitable, std::move(f));
  std::optional<Value> result = co_await std::move(op);
  if constexpr (!std::is_void_v<R>) co_return std::move(*result);
}

template <class F>
Task<std::invoke_result_t<F>> Runtime::compute(F f, TaskId task) {
  check_interrupt();
  if (options_.mode == ExecutionMode::kParallel) {
    co_return co_await run_on(worker_executor(), std::move(f), task);
  }
  co_return run_traced(options_.recorder, f, task);
}

template <class F>
Task<std::invoke_result_t<F>> Runtime::offload(F f, TaskId task) {
  switch (options_.mode) {
    case ExecutionMode::kSequential:
      co_return run_traced(options_.recorder, f, task);
    case ExecutionMode::kParallel:
      co_return co_await run_on(worker_executor(), std::move(f), task);
    case ExecutionMode::kAsync:
      break;
  }
  co_return co_await run_on(offload_executor(), std::move(f), task);
}

template <class T>
T Runtime::run_for_result(Task<T> main) {
  std::optional<T> result;
  auto body = [&result](Task<T> m) -> Task<void> { result.emplace(co_await std::move(m)); };
  run(body(std::move(main)));
  return std::move(*result);
}

}  // namespace preheat::runtime
