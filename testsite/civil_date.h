// HTTP-dates for the testsite ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110
// section 5.6.7), computed without the C library's time zone machinery (pure,
// thread-safe). The calendar itself is base/civil_date.h.
#pragma once

#include <cstdint>
#include <string>

#include "base/civil_date.h"

namespace preheat::testsite {

// Named here too: the testsite's calendar days are base's CivilDate.
using preheat::CivilDate;
using preheat::parse_civil_date;

// The IMF-fixdate for `unix_seconds`: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::int64_t unix_seconds);

}  // namespace preheat::testsite
