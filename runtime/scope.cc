#include "runtime/scope.h"

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

Scope::Scope(const asio::any_io_executor& executor) : state_(std::make_shared<State>(executor)) {}

Scope::~Scope() {
  // Normally every child has finished (join() returned). If not, stop them:
  // they hold the shared state and finish on their own (see the header).
  if (state_->active != 0) state_->cancel_all();
}

void Scope::State::reap() {
  // Children are erased only here, never inside their own completion handler:
  // co_spawn still uses the cancellation slot while it calls that handler.
  // Amortised: only once as many have finished as are still running.
  if (done_not_reaped == 0 || done_not_reaped < active) return;
  children.remove_if([](const Child& c) { return c.done; });
  done_not_reaped = 0;
}

void Scope::State::cancel_all() {
  for (Child& c : children) {
    if (!c.done) c.signal.emit(asio::cancellation_type::terminal);
  }
}

void Scope::spawn(Task<void> task) {
  state_->reap();
  Child& child = state_->children.emplace_back();
  ++state_->active;
  auto on_done = [state = state_, &child](std::exception_ptr e) { on_child_done(state, child, e); };
  asio::co_spawn(state_->executor, std::move(task),
                 asio::bind_cancellation_slot(child.signal.slot(), std::move(on_done)));
  if (state_->first_error) child.signal.emit(asio::cancellation_type::terminal);
}

void Scope::on_child_done(const std::shared_ptr<State>& state, Child& child, std::exception_ptr error) {
  child.done = true;
  --state->active;
  ++state->done_not_reaped;
  if (error) {
    // The first real failure wins; a cancellation that follows it is only its
    // consequence. A cancellation alone still counts as a failure.
    if (!state->first_error || (is_cancellation(state->first_error) && !is_cancellation(error))) {
      const bool was_first = !state->first_error;
      state->first_error = error;
      if (was_first) state->cancel_all();
    }
  }
  if (state->active == 0 && state->all_done) state->all_done->set();
}

void Scope::cancel() { state_->cancel_all(); }

Task<void> Scope::join() {
  // Keep the state alive even if the Scope object goes away meanwhile.
  std::shared_ptr<State> s = state_;
  std::exception_ptr join_cancelled;
  while (s->active > 0) {
    s->all_done = std::make_unique<Event>(s->executor);
    try {
      co_await s->all_done->wait();
    } catch (...) {
      join_cancelled = std::current_exception();
      break;
    }
  }
  if (join_cancelled) {
    // The joiner was cancelled: cancel the children, then still wait for
    // them, since nothing may outlive the scope. Further cancellations of the
    // joiner are absorbed until the children are gone.
    s->cancel_all();
    while (s->active > 0) {
      co_await asio::this_coro::reset_cancellation_state();
      s->all_done = std::make_unique<Event>(s->executor);
      try {
        co_await s->all_done->wait();
      } catch (...) {
        s->cancel_all();
      }
    }
  }
  s->all_done.reset();
  s->children.clear();  // every child has finished and its handler returned
  s->done_not_reaped = 0;
  if (join_cancelled) std::rethrow_exception(join_cancelled);
  if (s->first_error) {
    std::exception_ptr e = s->first_error;
    s->first_error = nullptr;
    std::rethrow_exception(e);
  }
}

}  // namespace preheat::runtime
