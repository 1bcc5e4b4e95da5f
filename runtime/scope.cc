#include "runtime/scope.h"

#include <cstdio>
#include <cstdlib>

namespace preheat::runtime {

namespace {
bool is_cancellation(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const boost::system::system_error& err) {
    return err.code() == asio::error::operation_aborted;
  } catch (...) {
    return false;
  }
}
}  // namespace

Scope::Scope(const asio::any_io_executor& executor) : executor_(executor) {}

Scope::~Scope() {
  if (active_ != 0) {
    // A scope destroyed with running children would leave them pointing at
    // freed memory: this is a programming error, fail loudly.
    std::fprintf(stderr, "preheat: Scope destroyed with %zu running tasks (join() was not awaited)\n", active_);
    std::abort();
  }
}

void Scope::reap() {
  // Children are erased only here, never inside their own completion handler:
  // co_spawn still uses the cancellation slot while it calls that handler.
  children_.remove_if([](const Child& c) { return c.done; });
}

void Scope::spawn(Task<void> task) {
  reap();
  Child& child = children_.emplace_back();
  ++active_;
  auto on_done = [this, &child](std::exception_ptr e) { on_child_done(child, e); };
  asio::co_spawn(executor_, std::move(task), asio::bind_cancellation_slot(child.signal.slot(), std::move(on_done)));
  if (first_error_) child.signal.emit(asio::cancellation_type::terminal);
}

void Scope::on_child_done(Child& child, std::exception_ptr error) {
  child.done = true;
  --active_;
  if (error) {
    // The first real failure wins; a cancellation that follows it is only its
    // consequence. A cancellation alone still counts as a failure.
    if (!first_error_ || (is_cancellation(first_error_) && !is_cancellation(error))) {
      const bool was_first = !first_error_;
      first_error_ = error;
      if (was_first) cancel();
    }
  }
  if (active_ == 0 && all_done_) all_done_->set();
}

void Scope::cancel() {
  for (Child& c : children_) {
    if (!c.done) c.signal.emit(asio::cancellation_type::terminal);
  }
}

Task<void> Scope::join() {
  std::exception_ptr join_cancelled;
  while (active_ > 0) {
    all_done_ = std::make_unique<Event>(executor_);
    try {
      co_await all_done_->wait();
    } catch (...) {
      join_cancelled = std::current_exception();
      break;
    }
  }
  if (join_cancelled) {
    // The joiner was cancelled: cancel the children, then still wait for
    // them, since nothing may outlive the scope. Further cancellations of the
    // joiner are absorbed until the children are gone.
    cancel();
    while (active_ > 0) {
      co_await asio::this_coro::reset_cancellation_state();
      all_done_ = std::make_unique<Event>(executor_);
      try {
        co_await all_done_->wait();
      } catch (...) {
        cancel();
      }
    }
  }
  all_done_.reset();
  reap();
  if (join_cancelled) std::rethrow_exception(join_cancelled);
  if (first_error_) {
    std::exception_ptr e = first_error_;
    first_error_ = nullptr;
    std::rethrow_exception(e);
  }
}

}  // namespace preheat::runtime
