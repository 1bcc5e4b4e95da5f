// UTF-8 validation helpers. Names and text from the outside world (recipe
// task names now, crawled titles later) are hostile: writers replace what is
// not well-formed UTF-8 instead of passing it on.
#pragma once

#include <cstddef>
#include <string_view>

namespace preheat {

inline constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence that starts at s[i] (1 to 4), or
// 0 when s[i] does not start one (stray continuation byte, overlong form,
// surrogate, above U+10FFFF, truncated). REQUIRES: i < s.size().
std::size_t utf8_length(std::string_view s, std::size_t i);

}  // namespace preheat
