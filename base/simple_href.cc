#include "base/simple_href.h"

#include <array>

namespace preheat {
namespace {

// 1: allowed in a simple path, 2: allowed in a simple query.
constexpr std::array<unsigned char, 256> make_table() {
  std::array<unsigned char, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = 3;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = 3;
  for (int c = '0'; c <= '9'; ++c) t[c] = 3;
  for (unsigned char c : std::string_view("-._~!$&()*+,;=/@")) t[c] = 3;
  t['\''] = 1;  // encoded in special queries
  t[':'] = 2;   // in a path it may start a scheme or need "./"
  t['?'] = 2;   // the query starts at the first one; later ones are data
  return t;
}
constexpr std::array<unsigned char, 256> kAllowed = make_table();

// RFC 3986 5.2.4 on a path that starts with '/' and has a "/." somewhere.
std::string remove_dots(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  size_t i = 0;
  while (i < path.size()) {
    // path[i] == '/': the segment runs to the next '/' or the end.
    size_t end = path.find('/', i + 1);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view seg = path.substr(i + 1, end - i - 1);
    const bool last = end == path.size();
    if (seg == ".") {
      if (last) out += '/';
    } else if (seg == "..") {
      const size_t slash = out.rfind('/');
      out.resize(slash == std::string::npos ? 0 : slash);
      if (last) out += '/';
    } else {
      out += '/';
      out += seg;
    }
    i = end;
  }
  if (out.empty()) out = "/";
  return out;
}

}  // namespace

std::optional<std::string> resolve_simple_href(const SimpleBase& base, std::string_view href) {
  if (!base.usable) return std::nullopt;
  href = href.substr(0, href.find('#'));
  if (href.empty()) return base.self;
  if (href[0] == '?' || href.starts_with("//")) return std::nullopt;
  size_t query = href.size();
  for (size_t i = 0; i < href.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(href[i]);
    if (query == href.size()) {
      if (c == '?') {
        query = i;
      } else if ((kAllowed[c] & 1) == 0) {
        return std::nullopt;
      }
    } else if ((kAllowed[c] & 2) == 0) {
      return std::nullopt;
    }
  }
  std::string path;
  const std::string_view href_path = href.substr(0, query);
  if (href_path.starts_with('/')) {
    path = href_path;
  } else {
    path.reserve(base.dir.size() + href_path.size());
    path = base.dir;
    path += href_path;
  }
  if (path.find("/.") != std::string::npos) path = remove_dots(path);
  std::string out;
  out.reserve(base.origin.size() + path.size() + (href.size() - query));
  out = base.origin;
  out += path;
  out += href.substr(query);
  return out;
}

}  // namespace preheat
