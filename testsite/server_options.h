// What the testsite server is told: where to listen, how many io threads,
// how much latency to add, where to log. Plain values with parsers for the
// flag syntax (the CLI parses flags; these parse one value each).
//
// Thread safety: values and pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/listen_address.h"
#include "base/status.h"

namespace preheat::testsite {

// Where to listen: base/listen_address.h (one parser for every server).
using preheat::ListenAddress;
using preheat::parse_listen_address;

// Every response is delayed by `base` +- `jitter` (uniform, never below 0).
struct Latency {
  std::chrono::milliseconds base{0};
  std::chrono::milliseconds jitter{0};

  bool none() const { return base.count() == 0 && jitter.count() == 0; }
};

// "MS" or "MS:JITTER" (milliseconds, 0 .. 3,600,000 each).
Result<Latency> parse_latency(std::string_view text);

// The delay of a response to `target`: deterministic from `seed` and the
// target, so that the same request is always delayed the same.
std::chrono::milliseconds delay_for(const Latency& latency, std::uint64_t seed, std::string_view target);

struct ServerOptions {
  ListenAddress listen;
  // io threads, each with its own event loop and its own listening socket on
  // the same port (SO_REUSEPORT: the kernel spreads connections). The first
  // one is the caller's loop.
  int threads = 1;
  Latency latency;
  std::uint64_t seed = 1;  // for the latency jitter
  // A connection that sends no complete request for this long is closed.
  std::chrono::seconds idle_timeout{60};
  // When not empty: one line per request (see server.h).
  std::string log_path;
};

}  // namespace preheat::testsite
