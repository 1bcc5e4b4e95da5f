#include "fetch/host_key.h"

#include <string_view>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace preheat::fetch {

namespace {

// The common case without a URL parser: "http://" or "https://", then a
// host of lower-case letters, digits, dots and dashes, an optional port of
// digits not starting with 0, then the end or one of "/?#". Anything else
// (upper case, userinfo, IPv6, percent-encoding...) returns false and goes
// through Boost.URL. Keys are counted per request: this is on the hot path.
bool plain_host_key(std::string_view url, std::string& key) {
  std::string_view scheme;
  if (url.rfind("http://", 0) == 0) {
    scheme = "http";
  } else if (url.rfind("https://", 0) == 0) {
    scheme = "https";
  } else {
    return false;
  }
  const std::size_t host_begin = scheme.size() + 3;
  std::size_t i = host_begin;
  while (i < url.size()) {
    const char c = url[i];
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
      ++i;
    } else {
      break;
    }
  }
  const std::string_view host = url.substr(host_begin, i - host_begin);
  if (host.empty()) return false;
  std::string_view port;
  if (i < url.size() && url[i] == ':') {
    const std::size_t port_begin = ++i;
    while (i < url.size() && url[i] >= '0' && url[i] <= '9') ++i;
    port = url.substr(port_begin, i - port_begin);
    if (port.empty() || port.front() == '0') return false;
  }
  if (i < url.size() && url[i] != '/' && url[i] != '?' && url[i] != '#') return false;
  if (port.empty()) port = scheme == "https" ? "443" : "80";
  key.reserve(scheme.size() + 3 + host.size() + 1 + port.size());
  key.append(scheme).append("://").append(host).append(":").append(port);
  return true;
}

}  // namespace

std::string host_key(const std::string& url) {
  std::string key;
  if (plain_host_key(url, key)) return key;
  return host_key_by_parser(url);
}

std::string host_key_by_parser(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return "";
  boost::urls::url u = *parsed;
  u.normalize_scheme();
  u.normalize_authority();
  std::string scheme(u.scheme());
  std::string port(u.port());
  if (port.empty()) port = scheme == "https" ? "443" : scheme == "http" ? "80" : "";
  std::string host(u.encoded_host());
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return scheme + "://" + host + ":" + port;
}

}  // namespace preheat::fetch
