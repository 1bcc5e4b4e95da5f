// Dates in the proleptic Gregorian calendar, computed without the C library's
// time zone machinery (pure, thread-safe): the testsite's infinite calendar,
// its HTTP-dates, and the crawler's calendar-trap rule (crawl/trap_guard.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace preheat {

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

bool is_leap_year(int year);
// REQUIRES: 1 <= month <= 12.
int days_in_month(int year, int month);
// True when year/month/day name a real day (leap years counted), year 1..9999.
bool is_civil_date(int year, int month, int day);

// "YYYY-MM-DD" with a real day (leap years counted), year 0001..9999; exactly
// ten characters, nothing else.
std::optional<CivilDate> parse_civil_date(std::string_view text);

// Floor division (rounds towards minus infinity). REQUIRES: b > 0.
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - (a % b < 0 ? 1 : 0);
}

}  // namespace preheat
