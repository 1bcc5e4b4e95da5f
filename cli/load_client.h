// The load generator of `preheat demo server`: preheat's own small HTTP/1.1
// client for one loopback server, on the runtime's event loop (Beast).
//
// Each client is a coroutine with one connection: it sends a GET, reads the
// whole answer, records the latency and sends the next one (a closed loop:
// one request in flight per client), until the run's end. With keep_alive
// the connection is reused (a new one only when the server closes it);
// without, every request is a new visitor on a new connection.
//
// Not a general HTTP client (fetch/ is: redirects, TLS, decompression,
// politeness). The demo needs what curl's multi interface decides for
// itself: exactly one connection per client, kept alive or new for every
// request, a latency that includes the connect, and the requests a server
// never answered. Its cost is of the same order as curl's (measured: about
// 37 us of CPU a request for 2-3 KB answers on this shared VM; preheat fetch
// 25 us for a 3-byte one), far below the server's.
//
// Unanswered requests count: a request still waiting at the deadline is a
// sample whose latency is its age then (a lower bound), so that a server
// that never answers some clients cannot look fast. Requests sent before
// `end` get until `deadline` to be answered (those in flight at the end of
// a run are not unanswered, just late).
//
// Thread safety: run_load() on one event loop; results are plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "runtime/asio.h"

namespace preheat::cli {

struct LoadSpec {
  std::uint16_t port = 0;             // the server: 127.0.0.1:port
  std::vector<std::string> targets;   // request targets, taken in turn by all clients; not empty
  std::size_t clients = 1;            // connections, each with one request in flight
  bool keep_alive = true;             // false: a new connection for every request
  std::size_t requests_per_client = 0;  // 0: until `end`
  TimePoint end;                      // no request starts after it
  TimePoint deadline;                 // requests still unanswered then are cut (>= end)
};

struct Sample {
  TimePoint sent;      // when the request started (its connect included, if it needed one)
  TimePoint done;      // the last byte of the answer; `deadline` (or the interrupt) if unanswered
  int status = 0;      // 0: no answer
  bool answered() const { return status != 0; }
  Duration latency() const { return done - sent; }
};

struct LoadResult {
  std::vector<Sample> samples;  // answered and unanswered, in completion order
  std::size_t failures = 0;     // broken connections and answers that are not 2xx
  std::string first_failure;
  bool interrupted = false;     // Ctrl-C (base/interrupt.h) ended the run early
};

// Runs the clients until spec.end and their last answers (or spec.deadline,
// or their request count, or Ctrl-C: then every connection is closed at
// once, within 50 ms).
runtime::Task<LoadResult> run_load(LoadSpec spec);

}  // namespace preheat::cli
