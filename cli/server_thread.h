// ServerThread: `preheat serve` in-process, for `preheat demo server`: an
// AsyncServer (its own runtime, its io threads and its database readers:
// serve/open_serve_readers.h) or a
// SyncServer (its connection threads), started on threads of its own so
// that the caller's thread is free to drive it as a client.
//
// Thread safety: one owner thread. The destructor drains the server (stop())
// and joins every thread it started.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "base/status.h"
#include "serve/serve_options.h"
#include "serve/server_stats.h"

namespace preheat::serve {
class AsyncServer;
class SyncServer;
}  // namespace preheat::serve

namespace preheat::cli {

class ServerThread {
 public:
  // Opens the server of options.mode (options.listen as given; port 0 picks
  // one) on the database at `db`, and starts serving. Errors as
  // AsyncServer::open / SyncServer::open / open_serve_readers.
  static Result<std::unique_ptr<ServerThread>> start(const std::string& db, const serve::ServeOptions& options);
  ~ServerThread();
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  std::uint16_t port() const { return port_; }
  serve::ServerStats stats() const;  // REQUIRES: before stop()
  // Drains (requests in flight are answered) and joins. Idempotent.
  void stop();

 private:
  ServerThread() = default;

  std::unique_ptr<serve::SyncServer> sync_;
  serve::AsyncServer* async_ = nullptr;  // owned by thread_ (opened and destroyed there)
  std::thread thread_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace preheat::cli
