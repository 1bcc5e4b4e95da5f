#include "crawl/robots_pattern.h"

#include <vector>

namespace preheat::crawl {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// Octets RFC 3986 allows raw in a path or query: unreserved, sub-delims,
// ':', '@', '/', '?'. ('%' is handled by the caller; '#' never reaches here
// in a URL and starts a comment in robots.txt.)
bool allowed_raw(unsigned char c) {
  if (is_unreserved(c)) return true;
  switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';':
    case '=': case ':': case '@': case '/': case '?':
      return true;
    default:
      return false;
  }
}

void append_escape(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

// Normalises s into out. In a pattern ('*' wildcard, '$' anchor at the end)
// or in a path (both literal).
void normalize_into(std::string_view s, bool pattern, std::string& out) {
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      const auto decoded = static_cast<unsigned char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      if (is_unreserved(decoded)) {
        out += static_cast<char>(decoded);
      } else {
        append_escape(out, decoded);
      }
      i += 2;
    } else if (c == '*' || c == '$') {
      const bool special = pattern && (c == '*' || i + 1 == s.size());
      if (special) {
        out += static_cast<char>(c);
      } else {
        append_escape(out, c);
      }
    } else if (c != '%' && allowed_raw(c)) {
      out += static_cast<char>(c);
    } else {
      append_escape(out, c);
    }
  }
}

// Leftmost occurrence of needle in hay at or after from (KMP), or npos.
// Each step of either loop moves i forward or shrinks k, so it costs at most
// 2 * hay + 2 * needle comparisons (counted into steps).
std::size_t kmp_find(std::string_view hay, std::string_view needle, std::size_t from, std::size_t& steps) {
  if (needle.empty()) return from;
  std::vector<std::size_t> fail(needle.size(), 0);
  for (std::size_t i = 1, k = 0; i < needle.size(); ++i) {
    while (k > 0 && needle[i] != needle[k]) {
      k = fail[k - 1];
      ++steps;
    }
    ++steps;
    if (needle[i] == needle[k]) ++k;
    fail[i] = k;
  }
  for (std::size_t i = from, k = 0; i < hay.size(); ++i) {
    while (k > 0 && hay[i] != needle[k]) {
      k = fail[k - 1];
      ++steps;
    }
    ++steps;
    if (hay[i] == needle[k]) ++k;
    if (k == needle.size()) return i + 1 - needle.size();
  }
  return std::string_view::npos;
}

}  // namespace

std::string normalize_robots_path(std::string_view path_and_query) {
  std::string out;
  normalize_into(path_and_query, /*pattern=*/false, out);
  return out;
}

RobotsPattern::RobotsPattern(std::string_view raw_value) { normalize_into(raw_value, /*pattern=*/true, text_); }

bool RobotsPattern::matches(std::string_view path, Stats* stats) const {
  std::size_t steps = 0;
  std::string_view p = text_;
  const bool anchored = !p.empty() && p.back() == '$';
  if (anchored) p.remove_suffix(1);

  // Pieces between '*'s. The first must be a prefix; the last, when anchored
  // and after a '*', a suffix; the others leftmost in order.
  bool result = true;
  std::size_t pos = 0;  // path consumed so far
  std::size_t start = 0;
  bool first = true;
  while (true) {
    const std::size_t star = p.find('*', start);
    const std::string_view piece = p.substr(start, star == std::string_view::npos ? p.npos : star - start);
    const bool last = star == std::string_view::npos;
    steps += 1;
    if (first) {
      if (path.substr(0, piece.size()) != piece) {
        steps += piece.size();
        result = false;
        break;
      }
      steps += piece.size();
      pos = piece.size();
      if (last) {
        result = !anchored || pos == path.size();
        break;
      }
    } else if (last && anchored) {
      steps += piece.size();
      result = path.size() >= pos + piece.size() && path.substr(path.size() - piece.size()) == piece;
      break;
    } else {
      const std::size_t at = kmp_find(path, piece, pos, steps);
      if (at == std::string_view::npos) {
        result = false;
        break;
      }
      pos = at + piece.size();
      if (last) break;
    }
    first = false;
    start = star + 1;
  }
  if (stats != nullptr) stats->steps += steps;
  return result;
}

}  // namespace preheat::crawl
