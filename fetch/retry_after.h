// Retry-After (RFC 9110 section 10.2.3): either delay-seconds ("120") or an
// HTTP-date ("Fri, 31 Dec 1999 23:59:59 GMT", and the obsolete RFC 850 and
// asctime forms). Pure.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "base/clock.h"

namespace preheat::fetch {

// How long to wait from `now`; a date in the past gives zero. nullopt when the
// value is neither form (or negative seconds).
std::optional<Duration> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace preheat::fetch
