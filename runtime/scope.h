// Scope: structured concurrency. A Scope owns every task it spawns; join()
// waits for all of them. The first task to fail makes the scope cancel the
// others; join() then rethrows that first exception once every task has
// finished. Nothing a scope spawns outlives it.
//
//   Scope scope(rt.executor());
//   scope.spawn(fetch(a));
//   scope.spawn(fetch(b));
//   co_await scope.join();   // both done, or the first error rethrown
//
// Thread safety: not thread-safe; use it on the runtime's event loop (where
// every coroutine runs, see runtime.h).
// REQUIRES: join() has completed before the Scope is destroyed (checked).
#pragma once

#include <cstddef>
#include <exception>
#include <list>

#include "runtime/asio.h"
#include "runtime/event.h"

namespace preheat::runtime {

class Scope {
 public:
  explicit Scope(const asio::any_io_executor& executor);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  // Starts `task` (it first runs when the caller next suspends).
  void spawn(Task<void> task);

  // Waits until every spawned task has finished (including tasks spawned
  // while waiting), then rethrows the first failure, if any. A cancellation
  // of the joining coroutine cancels every child first.
  Task<void> join();

  // Asks every running child to stop (terminal cancellation): each one throws
  // operation_aborted at its next wait.
  void cancel();

  std::size_t active() const { return active_; }
  bool failed() const { return first_error_ != nullptr; }

 private:
  struct Child {
    asio::cancellation_signal signal;
    bool done = false;
  };
  void on_child_done(Child& child, std::exception_ptr error);
  void reap();

  asio::any_io_executor executor_;
  std::list<Child> children_;
  std::size_t active_ = 0;
  std::exception_ptr first_error_;
  std::unique_ptr<Event> all_done_;
};

}  // namespace preheat::runtime
