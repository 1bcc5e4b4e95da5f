// Condition: "something changed, look again". Coroutines wait(); notify_all()
// wakes every coroutine waiting at that moment. Like a condition variable
// without a mutex (everything runs on the event loop): the waiter re-checks
// its predicate in a loop.
//
//   while (queue.empty() && !finished) co_await changed.wait();
//
// Thread safety: not thread-safe; use it on the runtime's event loop.
// Cancellation: a cancelled waiter throws operation_aborted.
#pragma once

#include <memory>

#include "runtime/asio.h"
#include "runtime/event.h"

namespace preheat::runtime {

class Condition {
 public:
  explicit Condition(const asio::any_io_executor& executor);
  Condition(const Condition&) = delete;
  Condition& operator=(const Condition&) = delete;

  Task<void> wait();
  void notify_all();

 private:
  asio::any_io_executor executor_;
  // One Event per generation: notify_all() sets the current one and starts a
  // new one, so a waiter that arrives after a notify waits for the next.
  std::shared_ptr<Event> current_;
};

}  // namespace preheat::runtime
