// The address a server listens on: "ADDR:PORT" (IPv4 literal, "[IPv6]" or
// "localhost"). Port 0 picks a free port.
//
// (testsite/server_options.h has the same syntax; serve may not depend on
// testsite, so both parse it: moving one parser to base/ is a follow-up.)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace preheat::serve {

struct ListenAddress {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal, no brackets
  std::uint16_t port = 8080;
  std::string to_string() const;   // "127.0.0.1:8080", "[::1]:8080"
};

Result<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace preheat::serve
