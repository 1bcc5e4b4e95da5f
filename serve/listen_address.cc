#include "serve/listen_address.h"

#include <charconv>

namespace preheat::serve {

std::string ListenAddress::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const auto bad = [&](const char* why) {
    return Status::invalid_argument("listen address '" + std::string(text) + "': " + why);
  };
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("expected ADDR:PORT");
  std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return bad("no address");
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return bad("the port must be 0..65535");
  }
  ListenAddress a;
  a.host = host == "localhost" ? "127.0.0.1" : std::string(host);
  a.port = static_cast<std::uint16_t>(value);
  return a;
}

}  // namespace preheat::serve
