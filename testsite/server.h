// Server: the testsite's HTTP/1.1 server (Boost.Beast, one coroutine per
// connection), serving a Site (site.h) on loopback or any local address.
//
//   listener (one per io thread) -> session (a coroutine per connection,
//   state in its locals) -> Site::respond (pure) -> latency timer -> delivery
//
// - GET and HEAD; any other method is 405 (with Allow). A request that cannot
//   be parsed is 400 (a header block over 16 KiB 431, a body over 64 KiB 413,
//   a version other than HTTP/1.0 and 1.1 505) and its connection is closed; the server keeps serving everyone else.
//   HTTP/1.1 without Host is 400; HTTP/1.0 without Host gets the local address.
//   An absolute-form target ("GET http://host/p/1") is served like "/p/1".
// - Conditional GETs: a 200 whose ETag matches If-None-Match, or whose
//   Last-Modified is not after If-Modified-Since, is answered 304 without a
//   body (testsite/conditional.h; logged as 304).
// - Keep-alive (HTTP/1.1 default, HTTP/1.0 on request); pipelined requests are
//   answered in order. A connection idle for idle_timeout is closed.
// - Latency: every response waits delay_for(latency, seed, target) first.
// - Deliveries (site.h): whole, streamed in 64 KiB chunks, reset (TCP RST
//   after the first bytes: SO_LINGER 0), stall (the first bytes, then nothing
//   for the stall time, then close).
// - --log: one line per request, flushed at once:
//     2024-05-01T12:00:00.123Z GET /p/1 200 4096 open=3 delay_ms=50
//   (UTC time the response finished, method, target, status, body bytes
//   sent, connections open at that moment, the added delay).
// - Sessions are owned by a runtime::Scope per io thread: stopping cancels
//   them all and serve() returns only once every one has ended. A session
//   never fails its scope: connection errors end that connection only.
//
// Thread safety: open(), serve() and the destructor on the thread that runs
// `executor`; stop() and stats() from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/asio.h"
#include "testsite/server_options.h"
#include "testsite/site.h"

namespace preheat::testsite {

struct ServerStats {
  std::uint64_t open_connections = 0;  // right now
  std::uint64_t peak_connections = 0;  // the most open at once so far
  std::uint64_t connections = 0;       // accepted in total
  std::uint64_t requests = 0;          // received in total (counted before the answer is sent)
};

class Server {
 public:
  // Binds and listens at once, so that port() is known and an address in use
  // is reported here (io_error: "cannot listen on 127.0.0.1:8080: Address
  // already in use"). The first io thread is `executor`'s; threads - 1 more
  // are started by serve(). `site` must outlive the Server.
  static Result<std::unique_ptr<Server>> open(const runtime::asio::any_io_executor& executor, const Site& site,
                                              const ServerOptions& options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:PORT/" ("http://[::1]:PORT/").
  std::string url() const;

  // Accepts and serves until stop() or until the calling coroutine is
  // cancelled; then closes every connection and returns (or rethrows the
  // cancellation) once every session on every io thread has ended.
  // REQUIRES: called once.
  runtime::Task<void> serve();

  // Makes serve() stop accepting and end. Thread-safe; idempotent.
  void stop();

  ServerStats stats() const;

  struct Shared;  // what every session reads: the site, options, counters, log

 private:
  struct Loop;  // one io thread: its event loop (but the first), acceptor, thread
  Server(std::unique_ptr<Shared> shared, std::vector<std::unique_ptr<Loop>> loops, std::uint16_t port);

  std::unique_ptr<Shared> shared_;
  std::vector<std::unique_ptr<Loop>> loops_;
  std::uint16_t port_ = 0;
};

}  // namespace preheat::testsite
