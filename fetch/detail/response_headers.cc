#include "fetch/detail/response_headers.h"

#include <cstdint>

namespace preheat::fetch::detail {

namespace {

char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower_ascii(c);
  return out;
}

std::string_view trim_view(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::optional<std::uint64_t> parse_length(std::string_view v) {
  if (v.empty() || v.size() > 19) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

}  // namespace

bool header_is(std::string_view name, std::string_view lower_name) {
  if (name.size() != lower_name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (lower_ascii(name[i]) != lower_name[i]) return false;
  }
  return true;
}

std::string charset_of(std::string_view content_type) {
  // Parameters follow the media type, each after a ';' (RFC 9110 8.3.1).
  std::size_t pos = content_type.find(';');
  while (pos != std::string_view::npos) {
    std::string_view rest = content_type.substr(pos + 1);
    const std::size_t end = rest.find(';');
    std::string_view param = trim_view(rest.substr(0, end));
    const std::size_t eq = param.find('=');
    if (eq != std::string_view::npos && header_is(trim_view(param.substr(0, eq)), "charset")) {
      std::string_view v = trim_view(param.substr(eq + 1));
      if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
        v = v.substr(1, v.size() - 2);
      }
      return lower(v);
    }
    pos = end == std::string_view::npos ? end : pos + 1 + end;
  }
  return "";
}

void clear_response_headers(Response& r) {
  r.content_type.clear();
  r.charset.clear();
  r.content_length.reset();
  r.location.clear();
  r.retry_after.clear();
  r.etag.clear();
  r.last_modified.clear();
  r.x_robots_tag.clear();
  r.content_encoding.clear();
}

void take_response_header(Response& r, std::string_view name, std::string_view raw_value) {
  // Only the headers later stages need are kept; the others cost one
  // comparison of their length.
  const std::string_view value = trim_view(raw_value);
  switch (name.size()) {
    case 4:
      if (header_is(name, "etag")) r.etag.assign(value);
      break;
    case 8:
      if (header_is(name, "location")) r.location.assign(value);
      break;
    case 11:
      if (header_is(name, "retry-after")) r.retry_after.assign(value);
      break;
    case 12:
      if (header_is(name, "content-type")) {
        r.content_type.assign(value);
        r.charset = charset_of(r.content_type);
      } else if (header_is(name, "x-robots-tag")) {
        if (r.x_robots_tag.empty()) {
          r.x_robots_tag.assign(value);
        } else {
          // One line per header: an `agent:` prefix scopes only its own
          // header (crawl/robots_directives.h).
          r.x_robots_tag.append("\n").append(value);
        }
      }
      break;
    case 13:
      if (header_is(name, "last-modified")) r.last_modified.assign(value);
      break;
    case 14:
      if (header_is(name, "content-length")) r.content_length = parse_length(value);
      break;
    case 16:
      if (header_is(name, "content-encoding")) r.content_encoding = lower(value);
      break;
    default:
      break;
  }
}

}  // namespace preheat::fetch::detail
