// request_block: the HTTP request preheat sends for a URL, as text (the
// request line, the headers, the empty line), for archives (WARC request
// records). Rebuilt from what preheat gives curl rather than captured from
// the wire: capturing needs CURLOPT_VERBOSE and a debug callback on every
// transfer. The headers come in curl's order for HTTP/1.1: Host, User-Agent,
// Accept, Accept-Encoding, then the extra headers (an extra header that names
// one of curl's replaces it, at the extra header's place, as curl does).
// Pure.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace preheat::fetch {

struct RequestIdentity {
  std::string_view user_agent;
  std::string_view accept_encoding;  // empty: no Accept-Encoding line
};

// "GET /a?b HTTP/1.1\r\nHost: h:8080\r\n...\r\n\r\n" for "http://h:8080/a?b#f".
// `http_version` is "1.1", "2"...; a URL without "://" gives "/" as target and
// no Host line.
std::string request_block(std::string_view method, std::string_view url, std::string_view http_version,
                          const RequestIdentity& identity,
                          const std::vector<std::pair<std::string, std::string>>& extra_headers);

}  // namespace preheat::fetch
