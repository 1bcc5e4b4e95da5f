#include "runtime/runtime.h"

#include <stdexcept>
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

void Runtime::run(Task<void> main) {
  std::exception_ptr error;
  bool finished = false;
  asio::co_spawn(loop_, std::move(main), [&](std::exception_ptr e) {
    error = e;
    finished = true;
  });
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

Task<void> Runtime::wait_until(TimePoint deadline, TaskId task) {
  co_await throw_if_cancelled();
  if (options_.mode == ExecutionMode::kSequential) {
    trace::ScopedSpan span(options_.recorder, trace::EventKind::kBlocked, task);
    if (options_.manual_clock != nullptr) {
      if (deadline > clock_->now()) options_.manual_clock->set(deadline);
    } else {
      std::this_thread::sleep_until(deadline);
    }
    co_return;
  }
  trace::ScopedSpan span(options_.recorder, trace::EventKind::kWait, task);
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
  asio::steady_timer timer(loop_, std::chrono::time_point_cast<asio::steady_timer::duration>(deadline));
  co_await timer.async_wait(asio::use_awaitable);
}

Task<void> Runtime::yield() {
  if (options_.mode == ExecutionMode::kSequential) co_return;
  co_await asio::post(loop_.get_executor(), asio::use_awaitable);
}

}  // namespace preheat::runtime
