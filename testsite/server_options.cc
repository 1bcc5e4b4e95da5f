#include "testsite/server_options.h"

#include <charconv>

#include "testsite/rng.h"

namespace preheat::testsite {

namespace {

// A whole decimal number in [0, max].
bool parse_number(std::string_view s, std::uint64_t max, std::uint64_t& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out <= max;
}

}  // namespace

Result<Latency> parse_latency(std::string_view text) {
  const std::size_t colon = text.find(':');
  std::uint64_t base = 0;
  std::uint64_t jitter = 0;
  constexpr std::uint64_t kMax = 3'600'000;
  if (!parse_number(text.substr(0, colon), kMax, base) ||
      (colon != std::string_view::npos && !parse_number(text.substr(colon + 1), kMax, jitter))) {
    return Status::invalid_argument("latency '" + std::string(text) +
                                    "': expected MS or MS:JITTER in milliseconds (0 to 3600000), like 50 or 50:10");
  }
  return Latency{std::chrono::milliseconds(base), std::chrono::milliseconds(jitter)};
}

std::chrono::milliseconds delay_for(const Latency& latency, std::uint64_t seed, std::string_view target) {
  if (latency.jitter.count() == 0) return latency.base;
  const auto span = static_cast<std::uint64_t>(2 * latency.jitter.count() + 1);
  const auto offset = static_cast<std::int64_t>(hash_bytes(seed, target) % span) - latency.jitter.count();
  return std::max(std::chrono::milliseconds(0), latency.base + std::chrono::milliseconds(offset));
}

}  // namespace preheat::testsite
