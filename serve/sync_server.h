// SyncServer: `preheat serve --mode sync`, the classic model kept for
// comparison. A fixed pool of N threads; each takes one connection at a time
// and serves it to its end with blocking reads, blocking database calls (its
// own read-only connection) and blocking writes. While Alice's request waits
// on the database, her thread waits too; with every thread waiting, Bob
// waits in the listen queue.
//
// Same router, handlers, limits and answers as AsyncServer (request deadline,
// sizes, 400/405/413/414/431). The simulated database latency is a sleep on
// the connection's thread. stop() drains: no new connections, idle ones are
// closed, requests in flight are answered.
//
// Thread safety: open() and serve() on one thread; stop() and stats() from any.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "serve/serve_options.h"
#include "serve/server_stats.h"
#include "store/crawl_store.h"

namespace preheat::serve {

class SyncServer {
 public:
  // Binds and listens; opens one read-only connection per thread.
  static Result<std::unique_ptr<SyncServer>> open(const std::string& db_path, const ServeOptions& options);
  ~SyncServer();
  SyncServer(const SyncServer&) = delete;
  SyncServer& operator=(const SyncServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const;

  // Serves on options.threads threads until stop(); returns when they all
  // ended. REQUIRES: called once.
  void serve();
  void stop();
  ServerStats stats() const { return counters_.snapshot(); }

 private:
  SyncServer(int listen_fd, std::uint16_t port, ServeOptions options,
             std::vector<std::unique_ptr<store::CrawlStore>> stores);
  void worker(store::CrawlStore& store);
  void serve_connection(int fd, store::CrawlStore& store);

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  const ServeOptions options_;
  std::vector<std::unique_ptr<store::CrawlStore>> stores_;
  std::atomic<bool> stopping_{false};
  Counters counters_;
};

}  // namespace preheat::serve
