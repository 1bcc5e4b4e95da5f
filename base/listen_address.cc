#include "base/listen_address.h"

#include <charconv>

namespace preheat {

namespace {

// A whole decimal number in [0, max].
bool parse_number(std::string_view s, std::uint64_t max, std::uint64_t& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out <= max;
}

bool is_ipv4(std::string_view s) {
  int parts = 0;
  while (true) {
    const std::size_t dot = s.find('.');
    std::uint64_t n = 0;
    const std::string_view part = s.substr(0, dot);
    if (part.size() > 3 || !parse_number(part, 255, n)) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return parts == 4;
}

bool is_ipv6(std::string_view s) {
  if (s.size() < 2 || s.find(':') == std::string_view::npos) return false;
  for (char c : s) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex && c != ':' && c != '.') return false;
  }
  return true;
}

}  // namespace

std::string ListenAddress::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return Status::invalid_argument("listen address '" + std::string(text) + "': " + std::string(why));
  };
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("expected ADDR:PORT, like 127.0.0.1:8080");
  std::string_view host = text.substr(0, colon);
  std::uint64_t port = 0;
  if (!parse_number(text.substr(colon + 1), 65535, port)) return bad("the port must be a number from 0 to 65535");
  ListenAddress out;
  out.port = static_cast<std::uint16_t>(port);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (!is_ipv6(host)) return bad("not an IPv6 address between the brackets");
  } else if (host == "localhost") {
    host = "127.0.0.1";
  } else if (!is_ipv4(host)) {
    return bad("the address must be an IPv4 literal, [IPv6] or localhost");
  }
  out.host = std::string(host);
  return out;
}

}  // namespace preheat
