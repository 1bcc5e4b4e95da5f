#include "fetch/host_key.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace preheat::fetch {

std::string host_key(const std::string& url) {
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
