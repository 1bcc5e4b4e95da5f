#include "runtime/runtime.h"

#include <stdexcept>

#include "base/interrupt.h"
#include <string>

namespace preheat::runtime {

class Runtime::ThreadPool {
 public:
  // Starts `threads` threads named "<prefix> 1".."<prefix> N" in the trace.
  ThreadPool(int threads, const std::string& prefix, trace::Recorder* rec)
      : ctx_(threads), guard_(asio::make_work_guard(ctx_)) {
    std::vector<trace::LaneId> lanes;
    for (int i = 0; i < threads; ++i) {
      lanes.push_back(rec != nullptr ? rec->add_lane(prefix + " " + std::to_string(i + 1)) : trace::kNoLane);
    }
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this, rec, lane = lanes[i]] {
        if (rec != nullptr) rec->bind_thread(lane);
        ctx_.run();
      });
    }
  }
  ~ThreadPool() {
    guard_.reset();
    ctx_.stop();
    for (auto& t : threads_) t.join();
  }
  asio::any_io_executor executor() { return ctx_.get_executor(); }

 private:
  asio::io_context ctx_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

Runtime::Runtime(RuntimeOptions options)
    : options_(options),
      clock_(options.manual_clock != nullptr ? static_cast<const Clock*>(options.manual_clock) : &steady_clock()) {
  if (options_.workers < 1) throw std::invalid_argument("workers must be at least 1");
  if (options_.offload_threads < 1) throw std::invalid_argument("offload_threads must be at least 1");
  trace::Recorder* rec = options_.recorder;
  if (rec != nullptr) {
    const char* loop_name = options_.mode == ExecutionMode::kSequential ? "main thread" : "event loop";
    loop_lane_ = rec->add_lane(loop_name);
    rec->bind_thread(loop_lane_);
  }
  if (options_.mode == ExecutionMode::kParallel) {
    workers_ = std::make_unique<ThreadPool>(options_.workers, "worker", rec);
  }
}

Runtime::~Runtime() = default;

int Runtime::workers() const { return options_.mode == ExecutionMode::kParallel ? options_.workers : 1; }

Runtime::ThreadPool& Runtime::offload_pool() {
  if (!offload_) offload_ = std::make_unique<ThreadPool>(options_.offload_threads, "offload", options_.recorder);
  return *offload_;
}

asio::any_io_executor Runtime::worker_executor() { return workers_->executor(); }
asio::any_io_executor Runtime::offload_executor() { return offload_pool().executor(); }

Task<void> Runtime::watch_interrupt(asio::cancellation_signal& stop, bool& finished) {
  asio::steady_timer timer(loop_);
  while (!finished) {
    if (interrupt_requested()) {
      stop.emit(asio::cancellation_type::terminal);
      co_return;
    }
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

void Runtime::run(Task<void> main) {
  std::exception_ptr error;
  bool finished = false;
  asio::cancellation_signal stop;
  asio::cancellation_signal stop_watching;
  asio::co_spawn(loop_, std::move(main), asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e) {
                   error = e;
                   finished = true;
                   stop_watching.emit(asio::cancellation_type::terminal);
                 }));
  if (options_.stop_on_interrupt) {
    // The watcher ends when main ends (cancelled then: its normal end) or
    // after it has cancelled main; it cannot fail otherwise.
    asio::co_spawn(loop_, watch_interrupt(stop, finished),
                   asio::bind_cancellation_slot(stop_watching.slot(), [](std::exception_ptr) {}));
  }
  if (options_.recorder != nullptr) options_.recorder->bind_thread(loop_lane_);
  if (options_.manual_clock != nullptr) {
    // Virtual time: whenever nothing is ready, jump to the next virtual wait.
    for (;;) {
      loop_.restart();
      loop_.poll();
      if (finished && virtual_waits_.empty()) break;
      if (virtual_waits_.empty()) {
        // Nothing ready and nothing due: only other threads can make progress.
        loop_.restart();
        loop_.run_one();
        continue;
      }
      options_.manual_clock->set(std::max(options_.manual_clock->now(), virtual_waits_.begin()->first));
      fire_due_virtual_waits();
    }
  } else {
    loop_.restart();
    loop_.run();
  }
  if (options_.stop_on_interrupt && interrupt_requested()) throw Interrupted();
  if (error) std::rethrow_exception(error);
}

std::size_t Runtime::poll() {
  loop_.restart();
  return loop_.poll();
}

void Runtime::advance(Duration d) {
  if (options_.manual_clock == nullptr) throw std::logic_error("advance() needs a ManualClock");
  options_.manual_clock->advance(d);
  fire_due_virtual_waits();
  poll();
}

void Runtime::fire_due_virtual_waits() {
  const TimePoint now = clock_->now();
  while (!virtual_waits_.empty() && virtual_waits_.begin()->first <= now) {
    Event* e = virtual_waits_.begin()->second;
    virtual_waits_.erase(virtual_waits_.begin());
    e->set();
  }
}

Task<void> Runtime::wait(Duration d, TaskId task) { return wait_until(clock_->now() + d, task); }

namespace {
class WaitSpan {
 public:
  WaitSpan(trace::Recorder* rec, TaskId task, TimePoint deadline)
      : rec_(rec), task_(task), start_(rec ? rec->now_ns() : 0), deadline_(rec ? rec->to_ns(deadline) : 0) {}
  ~WaitSpan() {
    if (rec_ == nullptr) return;
    const std::int64_t end = std::max(start_, std::min(rec_->now_ns(), deadline_));
    rec_->record(trace::Span{trace::EventKind::kWait, trace::kNoLane, task_, start_, end, 0});
  }
  WaitSpan(const WaitSpan&) = delete;
  WaitSpan& operator=(const WaitSpan&) = delete;

 private:
  trace::Recorder* rec_;
  TaskId task_;
  std::int64_t start_;
  std::int64_t deadline_;
};
}  // namespace

void Runtime::check_interrupt() const {
  if (options_.stop_on_interrupt && interrupt_requested()) throw Interrupted();
}

Task<void> Runtime::wait_until(TimePoint deadline, TaskId task) {
  check_interrupt();
  co_await throw_if_cancelled();
  if (options_.mode == ExecutionMode::kSequential) {
    trace::ScopedSpan span(options_.recorder, trace::EventKind::kBlocked, task);
    if (options_.manual_clock != nullptr) {
      if (deadline > clock_->now()) options_.manual_clock->set(deadline);
    } else {
      blocking_sleep_until(deadline);
    }
    co_return;
  }
  // The wait is over at the deadline even when the loop, busy with other
  // work, resumes this task later: the span ends at the deadline, and the lag
  // shows as the task not running yet.
  WaitSpan span(options_.recorder, task, deadline);
  if (options_.manual_clock != nullptr) {
    if (deadline <= clock_->now()) co_return;
    Event done(loop_.get_executor());
    auto it = virtual_waits_.emplace(deadline, &done);
    try {
      co_await done.wait();
    } catch (...) {
      if (!done.is_set()) virtual_waits_.erase(it);
      throw;
    }
    co_return;
  }
  if (deadline <= clock_->now()) {
    // Already due: no timer and no trip through the reactor (~30 us), but
    // still a turn for the other ready tasks, as at every wait.
    co_await asio::post(loop_.get_executor(), asio::use_awaitable);
    co_return;
  }
  asio::steady_timer timer(loop_, std::chrono::time_point_cast<asio::steady_timer::duration>(deadline));
  co_await timer.async_wait(asio::use_awaitable);
}

void Runtime::blocking_sleep_until(TimePoint deadline) {
  if (!options_.stop_on_interrupt) {
    std::this_thread::sleep_until(deadline);
    return;
  }
  // Sleep in slices so that Ctrl-C is noticed while the thread is blocked.
  while (clock_->now() < deadline) {
    if (interrupt_requested()) throw Interrupted();
    std::this_thread::sleep_until(std::min(deadline, clock_->now() + std::chrono::milliseconds(50)));
  }
}

Task<void> Runtime::yield() {
  check_interrupt();
  if (options_.mode == ExecutionMode::kSequential) co_return;
  // Two posts, not one. Asio's loop runs its reactor (timers, sockets) as one
  // entry in the same FIFO as posted handlers: after the first post the
  // reactor runs and queues what became ready (a due timer) behind us; the
  // second post puts us behind those handlers. With a single post, a task that
  // yields between CPU chunks would run one more chunk before a due timer's
  // task ran (measured: cursor lateness up to 3 chunks instead of 1).
  co_await asio::post(loop_.get_executor(), asio::use_awaitable);
  co_await asio::post(loop_.get_executor(), asio::use_awaitable);
}

}  // namespace preheat::runtime
