// Semaphore: at most N holders at once; the others wait in FIFO order
// ("at most 8 requests in flight to this host").
//
//   auto permit = co_await slots.acquire();   // released when permit dies
//
// Thread safety: not thread-safe; use it on the runtime's event loop.
// Cancellation: a cancelled waiter leaves the queue and throws
// operation_aborted; it never holds a permit.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>

#include "runtime/asio.h"
#include "runtime/event.h"

namespace preheat::runtime {

class Semaphore {
 public:
  class Permit {
   public:
    Permit() = default;
    explicit Permit(Semaphore* s) : s_(s) {}
    Permit(Permit&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
    Permit& operator=(Permit&& o) noexcept {
      if (this != &o) {
        release();
        s_ = o.s_;
        o.s_ = nullptr;
      }
      return *this;
    }
    ~Permit() { release(); }
    void release() {
      if (s_ != nullptr) s_->release();
      s_ = nullptr;
    }
    bool held() const { return s_ != nullptr; }

   private:
    Semaphore* s_ = nullptr;
  };

  // REQUIRES: limit >= 1.
  Semaphore(const asio::any_io_executor& executor, std::size_t limit);
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  Task<Permit> acquire();
  // A permit now, or an empty one when none is free.
  Permit try_acquire();

  std::size_t in_use() const { return in_use_; }
  std::size_t waiting() const { return waiters_.size(); }
  std::size_t limit() const { return limit_; }

 private:
  void release();

  asio::any_io_executor executor_;
  std::size_t limit_;
  std::size_t in_use_ = 0;
  // Each waiter's event is set when a permit has been handed to it.
  std::deque<std::shared_ptr<Event>> waiters_;
};

}  // namespace preheat::runtime
