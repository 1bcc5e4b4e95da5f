#include "testsite/conditional.h"

#include <array>
#include <strings.h>

#include "testsite/civil_date.h"

namespace preheat::testsite {
namespace {

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string_view opaque(std::string_view tag) {
  tag = trim(tag);
  if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
  return tag;
}

bool etag_matches(std::string_view list, std::string_view etag) {
  if (trim(list) == "*") return !etag.empty();
  if (etag.empty()) return false;
  const std::string_view mine = opaque(etag);
  std::size_t i = 0;
  while (i <= list.size()) {
    std::size_t comma = list.find(',', i);
    if (comma == std::string_view::npos) comma = list.size();
    if (opaque(list.substr(i, comma - i)) == mine) return true;
    i = comma + 1;
  }
  return false;
}

bool digits(std::string_view s, int& out) {
  out = 0;
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_http_date(std::string_view t) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": 29 characters.
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  t = trim(t);
  if (t.size() != 29 || t.substr(3, 2) != ", " || t.substr(25) != " GMT" || t[7] != ' ' || t[11] != ' ' ||
      t[16] != ' ' || t[19] != ':' || t[22] != ':') {
    return std::nullopt;
  }
  int day = 0, year = 0, h = 0, m = 0, s = 0;
  if (!digits(t.substr(5, 2), day) || !digits(t.substr(12, 4), year) || !digits(t.substr(17, 2), h) ||
      !digits(t.substr(20, 2), m) || !digits(t.substr(23, 2), s)) {
    return std::nullopt;
  }
  int month = 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (t.substr(8, 3) == kMonths[i]) month = static_cast<int>(i) + 1;
  }
  if (month == 0 || day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return std::nullopt;
  const std::int64_t days = CivilDate{year, month, day}.days_since_epoch();
  return days * 86400 + h * 3600 + m * 60 + s;
}

bool is_not_modified(const SiteResponse& r, std::string_view if_none_match, std::string_view if_modified_since) {
  if (r.status != 200 || r.delivery != Delivery::kWhole) return false;
  if (!trim(if_none_match).empty()) return etag_matches(if_none_match, r.header("ETag"));
  if (trim(if_modified_since).empty()) return false;
  const std::optional<std::int64_t> since = parse_http_date(if_modified_since);
  const std::optional<std::int64_t> modified = parse_http_date(r.header("Last-Modified"));
  return since && modified && *modified <= *since;
}

SiteResponse not_modified_response(const SiteResponse& r) {
  SiteResponse out;
  out.status = 304;
  for (const auto& [name, value] : r.headers) {
    for (std::string_view keep : {"ETag", "Last-Modified", "Cache-Control", "Expires", "Vary", "Content-Location"}) {
      if (name.size() == keep.size() && strncasecmp(name.data(), keep.data(), keep.size()) == 0) {
        out.headers.emplace_back(name, value);
      }
    }
  }
  return out;
}

}  // namespace preheat::testsite
