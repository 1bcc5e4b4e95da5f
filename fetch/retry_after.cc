#include "fetch/retry_after.h"

#include <curl/curl.h>

#include <cctype>
#include <string>

namespace preheat::fetch {

std::optional<Duration> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.remove_prefix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (char c : value) digits &= std::isdigit(static_cast<unsigned char>(c)) != 0;
  if (digits) {
    if (value.size() > 9) return std::chrono::seconds(999'999'999);  // absurd, but a number: clamp
    return std::chrono::seconds(std::stoll(std::string(value)));
  }
  // An HTTP-date. libcurl's parser knows all three RFC 9110 forms; a date
  // parser is what a library should do, not this file.
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  // Insist on a date-looking value: curl_getdate is lenient about garbage
  // with a digit in it, HTTP-dates always name a weekday or a month.
  bool has_alpha = false;
  for (char c : value) has_alpha |= std::isalpha(static_cast<unsigned char>(c)) != 0;
  if (!has_alpha) return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(when);
  if (at <= now) return Duration::zero();
  return std::chrono::duration_cast<Duration>(at - now);
}

}  // namespace preheat::fetch
