#include "runtime/semaphore.h"

#include <algorithm>
#include <stdexcept>

namespace preheat::runtime {

Semaphore::Semaphore(const asio::any_io_executor& executor, std::size_t limit) : executor_(executor), limit_(limit) {
  if (limit_ == 0) throw std::invalid_argument("a semaphore needs a limit of at least 1");
}

Semaphore::Permit Semaphore::try_acquire() {
  if (in_use_ >= limit_ || !waiters_.empty()) return Permit();
  ++in_use_;
  return Permit(this);
}

Task<Semaphore::Permit> Semaphore::acquire() {
  if (in_use_ < limit_ && waiters_.empty()) {
    ++in_use_;
    co_return Permit(this);
  }
  auto granted = std::make_shared<Event>(executor_);
  waiters_.push_back(granted);
  std::exception_ptr cancelled;
  try {
    co_await granted->wait();
  } catch (...) {
    cancelled = std::current_exception();
  }
  if (cancelled) {
    if (granted->is_set()) {
      // The permit was handed over just as we were cancelled: pass it on.
      release();
    } else {
      waiters_.erase(std::find(waiters_.begin(), waiters_.end(), granted));
    }
    std::rethrow_exception(cancelled);
  }
  co_return Permit(this);
}

void Semaphore::release() {
  if (!waiters_.empty()) {
    // Hand the permit straight to the first waiter: in_use_ stays the same.
    std::shared_ptr<Event> next = std::move(waiters_.front());
    waiters_.pop_front();
    next->set();
    return;
  }
  --in_use_;
}

}  // namespace preheat::runtime
