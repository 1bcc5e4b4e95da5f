// ASCII case folding for protocol tokens (HTTP header names, schemes): no
// locale, no libc call per byte. Pure, header-only.
#pragma once

#include <string_view>

namespace preheat {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether a and b are equal ignoring ASCII case.
constexpr bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace preheat
