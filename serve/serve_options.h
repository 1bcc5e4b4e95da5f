// What `preheat serve` is told: where to listen, which model, how many
// threads, the limits every request meets, the simulated database latency.
// Plain values with documented defaults; only the CLI parses flags.
//
// Thread safety: values.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "base/listen_address.h"
#include "serve/request.h"

namespace preheat::serve {

enum class ServeMode {
  kAsync,  // Beast coroutines on N io threads; SQLite reads on a reader pool, PostgreSQL on the loop
  kSync,   // N threads, each serving one connection at a time, blocking
};

// Limits (hardening). A request over a limit is answered with its status and
// its connection closed; nothing else is affected.
struct ServeLimits {
  std::size_t max_header_bytes = 16 * 1024;  // request line + headers; over it: 431
  std::size_t max_target_bytes = 4 * 1024;   // the request target; over it: 414
  std::size_t max_body_bytes = 16 * 1024;    // GET/HEAD need none; over it: 413
  // A connection must deliver a complete request within this time of the
  // previous answer (or of connecting), else it is closed (slowloris, idle
  // keep-alive).
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::size_t max_requests_per_connection = 1000;  // then Connection: close
  std::size_t max_connections = 10'000;            // over it (async): 503 and close
  // On stop (SIGTERM): in-flight requests get this long to finish.
  std::chrono::milliseconds drain_timeout{10'000};
};

struct ServeOptions {
  ListenAddress listen{"127.0.0.1", 8080};  // loopback unless told otherwise
  ServeMode mode = ServeMode::kAsync;
  // async: io threads (each its own loop, SO_REUSEPORT); sync: connection threads.
  int threads = 1;
  // async on SQLite: reader threads, each with its own read-only database
  // connection. PostgreSQL has none (serve/pg_reader.h).
  int db_threads = 2;
  // async on PostgreSQL: connections per io thread (each io thread has its
  // own pool; at most threads x db_connections in all).
  int db_connections = 4;
  // Added to every database call: a timer in async mode, a sleeping thread in
  // sync mode (the article's slow database; a demonstration setting).
  std::chrono::milliseconds simulated_db_latency{0};
  // Optional: the simulated latency of one request, instead of
  // simulated_db_latency. `preheat demo server` uses it for its one slow
  // request among fast ones (Alice's 5 s), the tests for Alice and Bob; the
  // `preheat serve` command never sets it (a client could otherwise choose
  // how long it holds the server). Called on an io thread (async) or a
  // connection thread (sync), concurrently: it must be thread-safe.
  std::function<std::chrono::milliseconds(const Request&)> db_latency_for;
  ServeLimits limits;
};

// The simulated database latency for `request` (db_latency_for, else
// simulated_db_latency).
inline std::chrono::milliseconds db_latency(const ServeOptions& options, const Request& request) {
  if (options.db_latency_for) return options.db_latency_for(request);
  return options.simulated_db_latency;
}

}  // namespace preheat::serve
