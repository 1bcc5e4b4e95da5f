// TransferLimits: the per-transfer limits of fetch/fetch_options.h as command
// line flags, shared by `preheat fetch` and `preheat crawl` so that both
// spell and check them the same way. Seconds and bytes as typed by people.
#pragma once

#include <cstdint>
#include <string>

#include "fetch/fetch_options.h"

namespace CLI {
class App;
}

namespace preheat::cli {

struct TransferLimits {
  double connect_timeout_s = 10;
  double timeout_s = 60;              // one hop, start to last byte
  double stall_timeout_s = 15;        // no body byte for this long mid-body
  int max_redirects = 10;
  double max_body_bytes = 16u << 20;  // on the wire
  double max_decompressed_bytes = 64u << 20;
  // --http-client: "native" (plain http:// over preheat's HTTP/1.1 client in
  // the async modes) or "curl" (libcurl for every URL).
  std::string http_client = "native";
};

// --connect-timeout, --timeout, --stall-timeout, --max-redirects, --max-body,
// --max-decompressed, --http-client, with `limits`' values as the defaults shown.
void add_transfer_limit_options(CLI::App& sub, TransferLimits& limits);
void apply(const TransferLimits& limits, fetch::FetchOptions& options);

}  // namespace preheat::cli
