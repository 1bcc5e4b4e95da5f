#include "runtime/condition.h"

namespace preheat::runtime {

Condition::Condition(const asio::any_io_executor& executor)
    : executor_(executor), current_(std::make_shared<Event>(executor)) {}

Task<void> Condition::wait() {
  std::shared_ptr<Event> generation = current_;  // kept alive while we wait
  co_await generation->wait();
}

void Condition::notify_all() {
  current_->set();
  current_ = std::make_shared<Event>(executor_);
}

}  // namespace preheat::runtime
