// Counters both servers keep, shown by /metrics (serve/metrics.h) and by the
// summary `preheat serve` prints when it stops.
//
// Requests are counted by status class and timed from the moment a complete
// request was read to the moment its answer was handed to the socket (the
// time the server needed; the client's own network time is not in it). The
// latency histogram has fixed buckets (kLatencyBucketsS), Prometheus style.
// The database gauges say where requests wait: queued for a reader thread
// (async) or running a handler on one.
//
// Thread safety: atomics; updated and read from any thread. A snapshot reads
// each atomic once: counts are consistent with themselves (the histogram's
// total is the sum of its buckets), not with each other to the request.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace preheat::serve {

// Upper bounds of the latency buckets, seconds (a last, unbounded bucket
// follows). From 0.5 ms (a cached page on loopback) to 10 s (Alice's query).
inline constexpr std::array<double, 14> kLatencyBucketsS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                            0.1,    0.25,  0.5,    1,     2.5,  5,     10};

struct ServerStats {
  std::uint64_t requests = 0;     // answered or being answered
  std::uint64_t in_flight = 0;    // being answered right now
  std::uint64_t connections = 0;  // accepted in total
  std::uint64_t open_connections = 0;
  // Answers by status class: [1] 1xx ... [5] 5xx; [0] requests that ended
  // without an answer (the peer left, a write failed).
  std::array<std::uint64_t, 6> by_class{};
  // Latency of answered requests: counts per bucket (not cumulative), the
  // last one unbounded; their sum in seconds.
  std::array<std::uint64_t, kLatencyBucketsS.size() + 1> latency_buckets{};
  double latency_sum_s = 0;
  std::uint64_t db_queued = 0;   // database calls waiting for a reader thread
  std::uint64_t db_running = 0;  // database calls running now
};

class Counters {
 public:
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> in_flight{0};
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> open{0};
  std::atomic<std::uint64_t> db_queued{0};
  std::atomic<std::uint64_t> db_running{0};

  // One answered request (status 0: no answer was given).
  void record(int status, std::chrono::steady_clock::duration latency);
  ServerStats snapshot() const;

 private:
  std::array<std::atomic<std::uint64_t>, 6> by_class_{};
  std::array<std::atomic<std::uint64_t>, kLatencyBucketsS.size() + 1> latency_{};
  std::atomic<std::uint64_t> latency_sum_ns_{0};
};

// Counts one request in flight for as long as it lives; records its status
// and latency when it ends (status 0 unless answered() was called).
class InFlight {
 public:
  explicit InFlight(Counters& c) : c_(c), start_(std::chrono::steady_clock::now()) {
    c_.requests.fetch_add(1, std::memory_order_relaxed);
    c_.in_flight.fetch_add(1, std::memory_order_relaxed);
  }
  ~InFlight() {
    c_.record(status_, std::chrono::steady_clock::now() - start_);
    c_.in_flight.fetch_sub(1, std::memory_order_relaxed);
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

  // The answer's status, set once it has been written.
  void answered(int status) { status_ = status; }

 private:
  Counters& c_;
  std::chrono::steady_clock::time_point start_;
  int status_ = 0;
};

// Counts one database call from the moment it is queued: queued until
// running() is called, then running until it ends.
class DbCall {
 public:
  explicit DbCall(Counters& c) : c_(c) { c_.db_queued.fetch_add(1, std::memory_order_relaxed); }
  void running() {
    c_.db_queued.fetch_sub(1, std::memory_order_relaxed);
    c_.db_running.fetch_add(1, std::memory_order_relaxed);
    running_ = true;
  }
  ~DbCall() { (running_ ? c_.db_running : c_.db_queued).fetch_sub(1, std::memory_order_relaxed); }
  DbCall(const DbCall&) = delete;
  DbCall& operator=(const DbCall&) = delete;

 private:
  Counters& c_;
  bool running_ = false;
};

// Counts one open connection for as long as it lives.
class OpenConnection {
 public:
  explicit OpenConnection(Counters& c) : c_(c) {
    c_.connections.fetch_add(1, std::memory_order_relaxed);
    c_.open.fetch_add(1, std::memory_order_relaxed);
  }
  ~OpenConnection() { c_.open.fetch_sub(1, std::memory_order_relaxed); }
  OpenConnection(const OpenConnection&) = delete;
  OpenConnection& operator=(const OpenConnection&) = delete;

 private:
  Counters& c_;
};

}  // namespace preheat::serve
