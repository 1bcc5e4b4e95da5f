// Limits and identity of the HTTP client. Plain data with safe defaults: a
// careful crawler's settings. Zero never means "unlimited" here; pick a big
// number on purpose.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/clock.h"

namespace preheat::fetch {

struct FetchOptions {
  std::size_t max_in_flight = 256;   // requests in flight overall
  std::size_t max_per_host = 8;      // requests in flight to one host (scheme://host:port)
  Duration connect_timeout = std::chrono::seconds(10);
  Duration total_timeout = std::chrono::seconds(60);   // one hop, from start to last byte
  // Stall: fewer than stall_min_bytes arrived during stall_time (mid-body).
  Duration stall_time = std::chrono::seconds(15);
  std::uint64_t stall_min_bytes = 1;
  std::uint64_t max_body_bytes = 16ull << 20;          // as received on the wire
  std::uint64_t max_decompressed_bytes = 64ull << 20;  // after gzip/br/zstd decoding
  std::size_t max_header_bytes = 64u << 10;            // all response header lines of a hop
  int max_redirects = 10;
  std::string user_agent;             // empty: "preheat/VERSION (+local crawler)"
  std::string accept_encoding = "gzip, br, zstd";
  bool verify_tls = true;
  // A PEM file of CA certificates to verify servers with instead of the
  // system's (a test server's self-signed certificate, a private CA); empty:
  // the system's CA store.
  std::string ca_file;
  // Async and parallel modes: plain http:// over preheat's own HTTP/1.1
  // client (fetch/detail/http1_transport.h) instead of libcurl. The
  // sequential mode's blocking fetcher is libcurl either way.
  bool native_http1 = true;
};

// "preheat/0.1.0"
std::string default_user_agent();

}  // namespace preheat::fetch
