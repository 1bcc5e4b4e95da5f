#include "crawl/robots_directives.h"

#include <array>

#include "base/ascii.h"

namespace preheat::crawl {
namespace {

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// One directive token (any case) added to `d`.
void apply(RobotsDirectives& d, std::string_view token) {
  if (ascii_iequals(token, "noindex")) {
    d.noindex = true;
  } else if (ascii_iequals(token, "nofollow")) {
    d.nofollow = true;
  } else if (ascii_iequals(token, "none")) {
    d.noindex = true;
    d.nofollow = true;
  } else if (ascii_iequals(token, "noarchive") || ascii_iequals(token, "nocache")) {
    d.noarchive = true;
  }
}

// Directives written `name: value`: their colon does not name an agent.
bool is_valued_directive(std::string_view name) {
  static constexpr std::array<std::string_view, 4> kValued = {"unavailable_after", "max-snippet", "max-image-preview",
                                                              "max-video-preview"};
  for (std::string_view v : kValued) {
    if (ascii_iequals(name, v)) return true;
  }
  return false;
}

// A product token (letters, digits, '-', '_'): what may name an agent. A
// date's "15:00" piece ("Friday, 25-Jun-10 15:00:00 PST" cut at its comma)
// has a space before its colon, so it is not one.
bool is_product_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

void add_one_header(RobotsDirectives& d, std::string_view header, std::string_view agent) {
  bool applies = true;  // no agent named yet: every crawler
  std::size_t i = 0;
  while (i <= header.size()) {
    std::size_t comma = header.find(',', i);
    if (comma == std::string_view::npos) comma = header.size();
    std::string_view token = trim(header.substr(i, comma - i));
    i = comma + 1;
    const auto colon = token.find(':');
    if (colon != std::string_view::npos) {
      const std::string_view name = trim(token.substr(0, colon));
      if (is_valued_directive(name)) continue;  // ignored (see the header)
      if (!is_product_token(name)) continue;    // not a directive we can read
      applies = ascii_iequals(name, agent);
      token = trim(token.substr(colon + 1));
    }
    if (applies && !token.empty()) apply(d, token);
  }
}

}  // namespace

std::string RobotsDirectives::to_string() const {
  std::string out;
  const auto add = [&out](bool on, std::string_view name) {
    if (!on) return;
    if (!out.empty()) out += ',';
    out += name;
  };
  add(noindex, "noindex");
  add(nofollow, "nofollow");
  add(noarchive, "noarchive");
  return out;
}

RobotsDirectives parse_stored_directives(std::string_view stored) {
  RobotsDirectives d;
  add_one_header(d, stored, "");
  return d;
}

void add_header_directives(RobotsDirectives& d, std::string_view headers, std::string_view agent) {
  std::size_t i = 0;
  while (i < headers.size()) {
    std::size_t nl = headers.find('\n', i);
    if (nl == std::string_view::npos) nl = headers.size();
    add_one_header(d, headers.substr(i, nl - i), agent);
    i = nl + 1;
  }
}

void add_meta_directives(RobotsDirectives& d, const std::vector<std::string>& tokens) {
  for (const std::string& t : tokens) apply(d, t);
}

RobotsDirectives robots_directives(std::string_view x_robots_tag, const std::vector<std::string>& meta_robots,
                                   const std::vector<std::string>& meta_agent, std::string_view agent) {
  RobotsDirectives d;
  add_header_directives(d, x_robots_tag, agent);
  add_meta_directives(d, meta_robots);
  add_meta_directives(d, meta_agent);
  return d;
}

}  // namespace preheat::crawl
