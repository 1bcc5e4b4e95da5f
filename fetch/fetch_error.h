// The fetch error taxonomy: what went wrong with a request, and whether trying
// again later can help. One list; everything that reports a fetch error uses it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace preheat::fetch {

// X(enumerator, name, retryable, description)
#define PREHEAT_FETCH_ERRORS(X)                                                                         \
  X(kBadUrl, "bad-url", false, "the URL cannot be fetched (malformed, or not http/https)")              \
  X(kDns, "dns", true, "the host name could not be resolved")                                          \
  X(kRefused, "refused", true, "the connection was refused or could not be made")                      \
  X(kConnectTimeout, "connect-timeout", true, "no connection within the connect timeout")              \
  X(kTotalTimeout, "timeout", true, "the whole request took longer than the total timeout")            \
  X(kStallTimeout, "stall", true, "too few bytes arrived for too long (a stalled body)")               \
  X(kTls, "tls", false, "the TLS handshake or certificate check failed")                               \
  X(kTooLarge, "too-large", false, "the body, its decompressed size or the headers exceeded a limit")  \
  X(kTooManyRedirects, "too-many-redirects", false, "more redirects than allowed")                     \
  X(kRedirectLoop, "redirect-loop", false, "a redirect led back to a URL already in the chain")        \
  X(kProtocol, "protocol", true, "the server broke the protocol (reset mid-body, garbage, truncation)") \
  X(kCancelled, "cancelled", false, "the request was cancelled (Ctrl-C, shutdown)")                    \
  X(kHttp4xx, "http-4xx", false, "the server answered with a 4xx status (429 is retryable)")           \
  X(kHttp5xx, "http-5xx", true, "the server answered with a 5xx status")

enum class FetchErrorKind {
#define PREHEAT_X(id, name, retry, desc) id,
  PREHEAT_FETCH_ERRORS(PREHEAT_X)
#undef PREHEAT_X
};

std::string_view to_string(FetchErrorKind kind);
std::string_view describe(FetchErrorKind kind);
std::optional<FetchErrorKind> parse_fetch_error_kind(std::string_view name);

struct FetchError {
  FetchErrorKind kind = FetchErrorKind::kProtocol;
  std::string message;  // what happened, for people ("connection reset after 1200 bytes")
  int status = 0;       // the HTTP status for kHttp4xx / kHttp5xx
  // When the server said when to come back (Retry-After on 429 / 503).
  std::optional<Duration> retry_after;

  // Whether the same request may succeed later. 4xx is final except 429 (and
  // 408 Request Timeout); 5xx is retryable except 501 Not Implemented.
  bool retryable() const;
};

}  // namespace preheat::fetch
