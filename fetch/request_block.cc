#include "fetch/request_block.h"

#include "base/ascii.h"

namespace preheat::fetch {

namespace {

bool overridden(std::string_view name, const std::vector<std::pair<std::string, std::string>>& extra) {
  for (const auto& [n, v] : extra) {
    if (ascii_iequals(n, name)) return true;
  }
  return false;
}

}  // namespace

std::string request_block(std::string_view method, std::string_view url, std::string_view http_version,
                          const RequestIdentity& identity,
                          const std::vector<std::pair<std::string, std::string>>& extra_headers) {
  std::string_view host;
  std::string_view target = "/";
  if (const auto scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
    std::string_view rest = url.substr(scheme_end + 3);
    rest = rest.substr(0, rest.find('#'));
    const auto path_begin = rest.find_first_of("/?");
    host = rest.substr(0, path_begin);
    if (const auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
    if (path_begin != std::string_view::npos) target = rest.substr(path_begin);
  }
  std::string out;
  out.reserve(128 + url.size());
  out.append(method).append(" ");
  if (!target.empty() && target.front() == '?') out.append("/");
  out.append(target).append(" HTTP/").append(http_version).append("\r\n");
  const auto line = [&](std::string_view name, std::string_view value) {
    if (!overridden(name, extra_headers)) out.append(name).append(": ").append(value).append("\r\n");
  };
  if (!host.empty()) line("Host", host);
  if (!identity.user_agent.empty()) line("User-Agent", identity.user_agent);
  line("Accept", "*/*");
  if (!identity.accept_encoding.empty()) line("Accept-Encoding", identity.accept_encoding);
  for (const auto& [name, value] : extra_headers) out.append(name).append(": ").append(value).append("\r\n");
  out.append("\r\n");
  return out;
}

}  // namespace preheat::fetch
