// Dates in the proleptic Gregorian calendar, computed without the C library's
// time zone machinery (pure, thread-safe): the infinite calendar's days and
// HTTP-dates ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 section 5.6.7).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace preheat::testsite {

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31

  // Days since 1970-01-01 (negative before).
  std::int64_t days_since_epoch() const;
  static CivilDate from_days_since_epoch(std::int64_t days);
  CivilDate next_day() const { return from_days_since_epoch(days_since_epoch() + 1); }
  // "2024-01-31".
  std::string to_string() const;

  friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

// "YYYY-MM-DD" with a real day (leap years counted), year 0001..9999; exactly
// ten characters, nothing else.
std::optional<CivilDate> parse_civil_date(std::string_view text);

// The IMF-fixdate for `unix_seconds`: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::int64_t unix_seconds);

}  // namespace preheat::testsite
