#include "fetch/redirect_follower.h"

#include <chrono>

#include "base/ascii.h"
#include "base/url_normalizer.h"
#include "fetch/retry_after.h"

namespace preheat::fetch {

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

namespace {

bool is_conditional(std::string_view name) {
  for (std::string_view c : {"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range"}) {
    if (ascii_iequals(name, c)) return true;
  }
  return false;
}

}  // namespace

std::optional<Request> for_redirect_targets(const Request& request) {
  bool any = false;
  for (const auto& h : request.headers) any = any || is_conditional(h.first);
  if (!any) return std::nullopt;
  Request r = request;
  std::erase_if(r.headers, [](const auto& h) { return is_conditional(h.first); });
  return r;
}

Result<std::string> resolve_location(const std::string& base, const std::string& location) {
  // The crawler's own URL resolution (base/url_normalizer.h): browser rules,
  // and free of Boost.URL 1.81's resolve(), which decodes %2F.
  auto resolved = resolve_link(base, location);
  if (!resolved.ok()) return Status::invalid_argument("malformed Location '" + location + "': " + resolved.status().message());
  if (!is_fetchable(*resolved)) return Status::invalid_argument("redirect to a non-HTTP URL '" + *resolved + "'");
  return *resolved;
}

std::optional<FetchError> status_error(const Response& response) {
  if (response.status < 400) return std::nullopt;
  FetchError e;
  e.kind = response.status < 500 ? FetchErrorKind::kHttp4xx : FetchErrorKind::kHttp5xx;
  e.status = response.status;
  e.message = "HTTP " + std::to_string(response.status);
  if (!response.retry_after.empty()) {
    e.retry_after = parse_retry_after(response.retry_after, std::chrono::system_clock::now());
  }
  return e;
}

runtime::Task<FetchResult> follow_redirects(const Request& request, const FetchOptions& options, HopFunction hop) {
  FetchResult result;
  // The chain so far; the URLs already visited are request.url and every
  // redirect's target (a linear scan: chains are short, and most fetches
  // have none, so nothing is allocated for them).
  std::vector<Response::Redirect> chain;
  auto seen = [&](const std::string& u) {
    if (u == request.url) return true;
    for (const auto& r : chain) {
      if (r.to == u) return true;
    }
    return false;
  };
  std::string url = request.url;
  Duration total{};
  for (;;) {
    detail::HopResult h = co_await hop(url);
    total += h.response.timings.total;
    result.response = std::move(h.response);
    result.response.url = request.url;
    result.response.final_url = url;
    if (h.error) {
      result.error = std::move(h.error);
      break;
    }
    const Response& r = result.response;
    if (!request.follow_redirects || !is_redirect(r.status) || r.location.empty()) {
      result.error = status_error(r);
      break;
    }
    auto next = resolve_location(url, r.location);
    if (!next.ok()) {
      result.error = FetchError{FetchErrorKind::kProtocol, next.status().message(), r.status, {}};
      break;
    }
    const bool loop = seen(*next);
    chain.push_back(Response::Redirect{url, r.status, *next});
    if (loop) {
      result.error = FetchError{FetchErrorKind::kRedirectLoop,
                                "redirect loop: " + *next + " again after " + std::to_string(chain.size()) + " redirects",
                                r.status, {}};
      break;
    }
    if (static_cast<int>(chain.size()) > options.max_redirects) {
      result.error = FetchError{FetchErrorKind::kTooManyRedirects,
                                "more than " + std::to_string(options.max_redirects) + " redirects", r.status, {}};
      break;
    }
    if (request.redirect_check) {
      std::string refused = request.redirect_check(*next);
      if (!refused.empty()) {
        result.response.redirect_refused = std::move(refused);
        break;  // the 3xx is the answer (no error)
      }
    }
    if (request.before_hop) {
      runtime::Task<void> wait = request.before_hop(*next);  // named before co_await (GCC 12)
      co_await std::move(wait);
    }
    url = std::move(*next);
  }
  result.response.redirects = std::move(chain);
  result.response.timings.total = total;
  co_return result;
}

}  // namespace preheat::fetch
