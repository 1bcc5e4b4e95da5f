#include "fetch/detail/proxy_environment.h"

#include <cstdlib>

namespace preheat::fetch::detail {
namespace {

struct ProxyVariable {
  const char* name;
  bool applies_to_http;  // names a proxy that http:// URLs go through
};

// The variables libcurl reads (its lowercase http_proxy only: HTTP_PROXY is
// ignored by curl for CGI safety, but a user who set it means a proxy, so
// the native client yields to libcurl for it too).
constexpr ProxyVariable kVariables[] = {
    {"http_proxy", true},   {"HTTP_PROXY", true}, {"https_proxy", false}, {"HTTPS_PROXY", false},
    {"all_proxy", true},    {"ALL_PROXY", true},  {"no_proxy", false},    {"NO_PROXY", false},
};

}  // namespace

bool proxy_environment_unset() {
  for (const ProxyVariable& v : kVariables) {
    if (std::getenv(v.name) != nullptr) return false;
  }
  return true;
}

bool http_proxy_configured() {
  for (const ProxyVariable& v : kVariables) {
    if (!v.applies_to_http) continue;
    const char* value = std::getenv(v.name);
    if (value != nullptr && *value != '\0') return true;
  }
  return false;
}

}  // namespace preheat::fetch::detail
