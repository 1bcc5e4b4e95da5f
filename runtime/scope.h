// Scope: structured concurrency. A Scope owns every task it spawns; join()
// waits for all of them. The first task to fail makes the scope cancel the
// others; join() then rethrows that first exception once every task has
// finished.
//
//   Scope scope(rt.executor());
//   scope.spawn(fetch(a));
//   scope.spawn(fetch(b));
//   co_await scope.join();   // both done, or the first error rethrown
//
// A Scope destroyed before join() finished (the usual cause: the owning
// coroutine was cancelled, and Asio throws at its next co_await, which is the
// co_await of join() itself) cancels its remaining tasks; they end at their
// next wait, still inside Runtime::run(), which returns only when they have.
// Their bookkeeping lives in state shared with them, so nothing dangles.
//
// Thread safety: not thread-safe; use it on the runtime's event loop (where
// every coroutine runs, see runtime.h).
#pragma once

#include <cstddef>
#include <exception>
#include <list>
#include <memory>

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
  // of the joining coroutine cancels every child first and still waits.
  Task<void> join();

  // Asks every running child to stop (terminal cancellation): each one throws
  // operation_aborted at its next wait.
  void cancel();

  std::size_t active() const { return state_->active; }
  bool failed() const { return state_->first_error != nullptr; }

 private:
  struct Child {
    asio::cancellation_signal signal;
    bool done = false;
  };
  // Shared by the Scope and its running children's completion handlers.
  struct State {
    explicit State(const asio::any_io_executor& ex) : executor(ex) {}
    asio::any_io_executor executor;
    std::list<Child> children;
    std::size_t active = 0;
    std::size_t done_not_reaped = 0;
    std::exception_ptr first_error;
    std::unique_ptr<Event> all_done;
    void cancel_all();
    void reap();
  };
  static void on_child_done(const std::shared_ptr<State>& state, Child& child, std::exception_ptr error);

  std::shared_ptr<State> state_;
};

}  // namespace preheat::runtime
