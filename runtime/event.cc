#include "runtime/event.h"

namespace preheat::runtime {

Task<void> throw_if_cancelled() {
  auto state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() != asio::cancellation_type::none) {
    throw boost::system::system_error(asio::error::operation_aborted, "cancelled");
  }
}

Event::Event(const asio::any_io_executor& executor) : timer_(executor, asio::steady_timer::time_point::max()) {}

void Event::set() {
  if (set_) return;
  set_ = true;
  timer_.cancel();
}

Task<void> Event::wait() {
  while (!set_) {
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!set_) co_await throw_if_cancelled();
  }
}

}  // namespace preheat::runtime
