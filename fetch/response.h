// What came back. A FetchResult always carries a Response (possibly partial:
// the redirect chain and timings of a request that failed) and, when the
// request failed or the status is >= 400, a FetchError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "fetch/fetch_error.h"

namespace preheat::fetch {

// Phases of the last hop, measured by the HTTP client. Each is the length of
// that phase (not a point in time); zero when it did not happen (a reused
// connection has no dns/connect/tls).
struct Timings {
  Duration queued{};      // waiting for an in-flight slot (overall or per host)
  Duration dns{};
  Duration connect{};     // TCP connect
  Duration tls{};         // TLS handshake
  Duration first_byte{};  // request sent until the first response byte
  Duration download{};    // first byte until the last
  Duration total{};       // the whole fetch, every hop and the queue included
};

struct Response {
  std::string url;        // as requested
  std::string final_url;  // after redirects
  int status = 0;         // 0 when no response arrived
  std::string http_version;  // "1.1", "2"
  // Headers later stages need (the last hop's); empty when absent.
  std::string content_type;  // full value, e.g. "text/html; charset=utf-8"
  std::string charset;       // from content_type, lower-cased
  std::optional<std::uint64_t> content_length;
  std::string location;
  std::string retry_after;   // raw value; FetchError::retry_after has it parsed
  std::string etag;
  std::string last_modified;
  std::string x_robots_tag;  // every X-Robots-Tag header's value, in order, separated by '\n'
  std::string content_encoding;
  std::string body;          // decoded (decompressed) bytes
  // The last hop's response header block as received: status line, header
  // lines and the empty line, CRLFs kept (curl's header callback; a 100
  // Continue block before it is dropped). Empty when no response arrived.
  std::string header_block;
  // The last hop's request as preheat sent it, rebuilt from what it gave curl
  // (request line, Host, User-Agent, Accept, Accept-Encoding, the extra
  // headers, the empty line), in curl's order for HTTP/1.1 (a test compares it
  // byte for byte with what a server received). Not captured from the wire:
  // that needs CURLOPT_VERBOSE and a debug callback on every transfer. For
  // HTTP/2 the request line says HTTP/2 (the pseudo-headers' content). Empty
  // when the transfer never started.
  std::string request_block;
  std::uint64_t wire_bytes = 0;  // body bytes as received (compressed)
  // Every redirect followed, in order: (from URL, status, to URL).
  struct Redirect {
    std::string from;
    int status = 0;
    std::string to;
  };
  std::vector<Redirect> redirects;
  // Why Request::redirect_check refused the last redirect (whose target is
  // redirects.back().to, never requested); empty when none was refused.
  std::string redirect_refused;
  Timings timings;
};

struct FetchResult {
  Response response;
  std::optional<FetchError> error;
  bool ok() const { return !error.has_value(); }
};

}  // namespace preheat::fetch
