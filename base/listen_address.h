// ListenAddress: where a server listens, as typed on a command line:
// "ADDR:PORT" where ADDR is an IPv4 literal, "[IPv6]" or "localhost"
// (127.0.0.1) and PORT is 0..65535 (0 picks a free port). One parser for
// every server preheat has (testsite, serve).
//
// Thread safety: values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace preheat {

struct ListenAddress {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal ("::1", no brackets)
  std::uint16_t port = 0;          // 0 picks a free port

  // "127.0.0.1:8080", "[::1]:8080".
  std::string to_string() const;
};

// Errors (invalid_argument) name the text and what is wrong with it.
Result<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace preheat
