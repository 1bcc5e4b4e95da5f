// Event: a one-shot signal that coroutines can wait for ("the dough is
// ready"). Once set it stays set; wait() on a set event returns at once.
//
// Thread safety: not thread-safe. set() and wait() must run on the executor
// the Event was made with (in preheat: the runtime's event loop thread).
// Cancellation: a waiting coroutine that is cancelled throws operation_aborted.
#pragma once

#include "runtime/asio.h"

namespace preheat::runtime {

class Event {
 public:
  explicit Event(const asio::any_io_executor& executor);
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  void set();
  bool is_set() const { return set_; }
  Task<void> wait();

 private:
  // Never expires by itself: set() cancels it to wake every waiter.
  asio::steady_timer timer_;
  bool set_ = false;
};

}  // namespace preheat::runtime
