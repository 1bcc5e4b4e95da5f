// Counters both servers keep (and /metrics will show).
//
// Thread safety: atomics; read from any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace preheat::serve {

struct ServerStats {
  std::uint64_t requests = 0;     // answered or being answered
  std::uint64_t in_flight = 0;    // being answered right now
  std::uint64_t connections = 0;  // accepted in total
  std::uint64_t open_connections = 0;
};

struct Counters {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> in_flight{0};
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> open{0};
  ServerStats snapshot() const { return {requests.load(), in_flight.load(), connections.load(), open.load()}; }
};

// Counts one request in flight for as long as it lives.
class InFlight {
 public:
  explicit InFlight(Counters& c) : c_(c) {
    c_.requests.fetch_add(1, std::memory_order_relaxed);
    c_.in_flight.fetch_add(1, std::memory_order_relaxed);
  }
  ~InFlight() { c_.in_flight.fetch_sub(1, std::memory_order_relaxed); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  Counters& c_;
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
