// Following redirects (and turning HTTP statuses into errors): the part of a
// fetch that is the same whatever carries the bytes. Each hop is done by the
// given function; this records the chain, refuses loops and enforces the
// redirect limit.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/status.h"
#include "fetch/detail/curl_hop.h"
#include "fetch/fetch_options.h"
#include "fetch/request.h"
#include "fetch/response.h"
#include "runtime/asio.h"

namespace preheat::fetch {

using HopFunction = std::function<runtime::Task<detail::HopResult>(const std::string& url)>;

// Runs hops from request.url until a non-redirect answer, an error, a loop,
// too many redirects, or a target request.redirect_check refuses (checked
// after the loop and limit checks, so those errors keep their names); awaits
// request.before_hop before each hop it follows. The result's response is the last hop's, with url =
// request.url, final_url = the last hop's URL and the whole chain in
// redirects; an HTTP status >= 400 becomes a kHttp4xx/kHttp5xx error (with
// Retry-After parsed).
runtime::Task<FetchResult> follow_redirects(const Request& request, const FetchOptions& options, HopFunction hop);

// Resolves a Location value against the URL it came from, the way
// browsers do, normalised and without fragment (base/url_normalizer.h).
// Errors for a malformed Location or a non-HTTP target.
Result<std::string> resolve_location(const std::string& base, const std::string& location);

// The request as sent to a redirect's target: without the conditional
// headers (If-None-Match, If-Modified-Since, If-Match, If-Unmodified-Since,
// If-Range, any case): validators belong to the requested URL's stored
// representation, not to another URL's. Null when `request` has none (the
// same request goes to every hop).
std::optional<Request> for_redirect_targets(const Request& request);

// True for 301, 302, 303, 307 and 308.
bool is_redirect(int status);

// The error for an HTTP status >= 400, or nullopt below 400.
std::optional<FetchError> status_error(const Response& response);

}  // namespace preheat::fetch
