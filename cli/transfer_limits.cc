#include "cli/transfer_limits.h"

#include <CLI/CLI.hpp>

#include "base/clock.h"

namespace preheat::cli {

void add_transfer_limit_options(CLI::App& sub, TransferLimits& l) {
  sub.add_option("--connect-timeout", l.connect_timeout_s, "Seconds to connect")->check(CLI::Range(0.001, 3600.0))->capture_default_str();
  sub.add_option("--timeout", l.timeout_s, "Seconds for one transfer (each redirect hop)")->check(CLI::Range(0.001, 86400.0))->capture_default_str();
  sub.add_option("--stall-timeout", l.stall_timeout_s, "Seconds without a body byte before a transfer is given up (error: stall)")
      ->check(CLI::Range(0.001, 86400.0))->capture_default_str();
  sub.add_option("--max-redirects", l.max_redirects, "Redirects to follow")->check(CLI::Range(0, 100))->capture_default_str();
  sub.add_option("--max-body", l.max_body_bytes, "Bytes on the wire per response at most (error: too-large)")
      ->check(CLI::Range(1.0, 1e12))->capture_default_str();
  sub.add_option("--max-decompressed", l.max_decompressed_bytes, "Bytes after gzip/br/zstd decoding at most (error: too-large)")
      ->check(CLI::Range(1.0, 1e12))->capture_default_str();
  sub.add_option("--http-client", l.http_client,
                 "Client for plain http:// in the async and parallel modes: native (preheat's HTTP/1.1 client, "
                 "half of libcurl's CPU per request) or curl (libcurl, as https:// and the sequential mode always use)")
      ->check(CLI::IsMember({"native", "curl"}))->capture_default_str();
}

void apply(const TransferLimits& l, fetch::FetchOptions& o) {
  o.connect_timeout = from_seconds(l.connect_timeout_s);
  o.total_timeout = from_seconds(l.timeout_s);
  o.stall_time = from_seconds(l.stall_timeout_s);
  o.max_redirects = l.max_redirects;
  o.max_body_bytes = static_cast<std::uint64_t>(l.max_body_bytes);
  o.max_decompressed_bytes = static_cast<std::uint64_t>(l.max_decompressed_bytes);
  o.native_http1 = l.http_client == "native";
}

}  // namespace preheat::cli
