// UTF-8 validation helpers. Names and text from the outside world (recipe
// task names now, crawled titles later) are hostile: writers replace what is
// not well-formed UTF-8 instead of passing it on.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace preheat {

inline constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence that starts at s[i] (1 to 4), or
// 0 when s[i] does not start one (stray continuation byte, overlong form,
// surrogate, above U+10FFFF, truncated). REQUIRES: i < s.size().
std::size_t utf8_length(std::string_view s, std::size_t i);

// Appends the UTF-8 encoding of `cp` (1 to 4 bytes). REQUIRES: cp <= 0x10FFFF
// and not a surrogate (callers map those to U+FFFD first). Inline: the
// decoders call it per code point.
inline void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace preheat
