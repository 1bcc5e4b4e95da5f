// Test helper: a testsite Server running on its own thread (its own
// Runtime), on 127.0.0.1 and a free port, stopped and joined on destruction.
#pragma once

#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

#include "runtime/runtime.h"
#include "testsite/server.h"

namespace preheat::testsite::testing {

class RunningServer {
 public:
  RunningServer(const Site& site, ServerOptions options) {
    // A member, not a local: set_value() may still be running on the server
    // thread when get() returns here.
    std::future<Status> ready = opened_.get_future();
    thread_ = std::thread([this, &site, options] {
      std::promise<Status>& opened = opened_;
      runtime::Runtime rt({.mode = ExecutionMode::kAsync});
      auto server = Server::open(rt.executor(), site, options);
      if (!server.ok()) {
        opened.set_value(server.status());
        return;
      }
      server_ = server->get();
      opened.set_value(Status());
      try {
        rt.run(server_->serve());
      } catch (const std::exception& e) {
        error_ = e.what();
      }
      final_stats_ = server_->stats();
    });
    const Status s = ready.get();
    if (!s.ok()) {
      thread_.join();
      throw std::runtime_error(s.message());
    }
  }
  ~RunningServer() { stop(); }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  // Stops the server and waits until serve() returned (every session ended).
  void stop() {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
  }

  std::uint16_t port() const { return server_->port(); }
  // Live while running; after stop(), the figures at the end.
  ServerStats stats() const { return thread_.joinable() ? server_->stats() : final_stats_; }
  const std::string& error() const { return error_; }

 private:
  std::promise<Status> opened_;
  Server* server_ = nullptr;  // lives on the thread's stack until serve() returns
  std::string error_;
  ServerStats final_stats_;
  std::thread thread_;
};

}  // namespace preheat::testsite::testing
