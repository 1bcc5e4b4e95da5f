#include "fetch/detail/curl_hop.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string_view>

#include "base/version.h"
#include "fetch/detail/proxy_environment.h"
#include "fetch/detail/response_headers.h"
#include "fetch/request_block.h"

namespace preheat::fetch {

std::string default_user_agent() { return std::string("preheat/") + kVersion; }

namespace detail {

void ensure_curl_initialised() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

namespace {

Duration micros(curl_off_t us) { return std::chrono::microseconds(us); }

FetchError error(FetchErrorKind kind, std::string message) { return FetchError{kind, std::move(message), 0, {}}; }

}  // namespace

namespace {

// The stall clock: CLOCK_MONOTONIC_COARSE (a few ms of resolution, plenty
// for limits in seconds) is a plain memory read in the vDSO; the header
// callback runs for every header line.
std::chrono::steady_clock::time_point stall_clock_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return std::chrono::steady_clock::time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

long millis(Duration d) { return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()); }

}  // namespace

CurlHop::CurlHop(const FetchOptions& options) : options_(options) {
  ensure_curl_initialised();
  easy_ = curl_easy_init();
  curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);  // redirect_follower.h does it
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_buffer_);
  user_agent_ = options.user_agent.empty() ? default_user_agent() : options.user_agent;
  curl_easy_setopt(easy_, CURLOPT_USERAGENT, user_agent_.c_str());
  curl_easy_setopt(easy_, CURLOPT_ACCEPT_ENCODING, options.accept_encoding.c_str());
  // HTTP/2 when a TLS server offers it (ALPN); HTTP/1.1 in clear text.
  curl_easy_setopt(easy_, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, millis(options.connect_timeout));
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, millis(options.total_timeout));
  // Refuse early when the server announces a body over the limit.
  curl_easy_setopt(easy_, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body_bytes));
  // Stall detection is ours (on_progress), but curl only calls the progress
  // function while something drives the transfer; with a low-speed limit set,
  // curl re-checks every second even when no byte arrives. Its own low-speed
  // abort (one second later than ours) is only a backstop.
  curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(options.stall_time).count() + 2));
  curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
  curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
  if (!options.ca_file.empty()) curl_easy_setopt(easy_, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(easy_, CURLOPT_DNS_CACHE_TIMEOUT, 300L);
  curl_easy_setopt(easy_, CURLOPT_TCP_KEEPALIVE, 1L);
  if (proxy_environment_unset()) {  // proxy_environment.h
    curl_easy_setopt(easy_, CURLOPT_PROXY, "");
    curl_easy_setopt(easy_, CURLOPT_NOPROXY, "");
  }
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &CurlHop::on_body);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &CurlHop::on_header);
  curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy_, CURLOPT_XFERINFOFUNCTION, &CurlHop::on_progress);
  curl_easy_setopt(easy_, CURLOPT_XFERINFODATA, this);
  curl_easy_setopt(easy_, CURLOPT_NOPROGRESS, 0L);
}

CurlHop::~CurlHop() {
  curl_easy_cleanup(easy_);
  curl_slist_free_all(headers_);
}

void CurlHop::start(const std::string& url, const Request& request) {
  response_ = Response{};
  response_.url = url;
  response_.final_url = url;
  error_buffer_[0] = '\0';
  header_bytes_ = 0;
  abort_reason_.reset();
  last_dlnow_ = 0;
  last_progress_ = stall_clock_now();
  curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
  const bool head = request.method == "HEAD";
  // As sent for HTTP/1.1; finish() fixes the version when it was HTTP/2.
  response_.request_block = request_block(head ? "HEAD" : "GET", url, "1.1",
                                          RequestIdentity{user_agent_, options_.accept_encoding}, request.headers);
  if (head != head_) {
    curl_easy_setopt(easy_, CURLOPT_NOBODY, head ? 1L : 0L);
    if (!head) curl_easy_setopt(easy_, CURLOPT_HTTPGET, 1L);
    head_ = head;
  }
  // Over TLS a new transfer waits for a connection being set up to the same
  // host rather than opening its own, so that transfers started together
  // share one HTTP/2 connection when the server offers it (ALPN tells right
  // after the handshake; an HTTP/1.1 server then gets its own connections).
  // Clear-text HTTP is HTTP/1.1 here: waiting would only delay.
  const bool tls = url.size() >= 8 && header_is(std::string_view(url).substr(0, 8), "https://");
  if (tls != pipewait_) {
    curl_easy_setopt(easy_, CURLOPT_PIPEWAIT, tls ? 1L : 0L);
    pipewait_ = tls;
  }
  if (headers_ != nullptr || !request.headers.empty()) {
    curl_slist* list = nullptr;
    std::string line;
    for (const auto& [name, value] : request.headers) {
      line.assign(name).append(": ").append(value);
      list = curl_slist_append(list, line.c_str());
    }
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, list);
    curl_slist_free_all(headers_);
    headers_ = list;
  }
}

std::size_t CurlHop::on_body(char* data, std::size_t size, std::size_t n, void* p) {
  auto* self = static_cast<CurlHop*>(p);
  const std::size_t len = size * n;
  std::string& body = self->response_.body;
  if (body.size() + len > self->options_.max_decompressed_bytes) {
    self->abort_reason_ = error(FetchErrorKind::kTooLarge, "the decoded body exceeds " +
                                                               std::to_string(self->options_.max_decompressed_bytes) +
                                                               " bytes (max_decompressed_bytes)");
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  if (body.empty() && self->response_.content_length) {
    // One allocation for the announced size (a hint: decoding may need more).
    body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(
        {*self->response_.content_length, self->options_.max_body_bytes, self->options_.max_decompressed_bytes})));
  }
  body.append(data, len);
  return len;
}

std::size_t CurlHop::on_header(char* data, std::size_t size, std::size_t n, void* p) {
  auto* self = static_cast<CurlHop*>(p);
  const std::size_t len = size * n;
  self->header_bytes_ += len;
  self->last_progress_ = stall_clock_now();
  if (self->header_bytes_ > self->options_.max_header_bytes) {
    self->abort_reason_ = error(FetchErrorKind::kTooLarge, "the response headers exceed " +
                                                               std::to_string(self->options_.max_header_bytes) +
                                                               " bytes (max_header_bytes)");
    return 0;
  }
  std::string_view line(data, len);
  Response& r = self->response_;
  if (line.rfind("HTTP/", 0) == 0) {
    // A new header block (after a 100 Continue, say): start over.
    r.header_block.assign(line);
    clear_response_headers(r);
    return len;
  }
  r.header_block.append(line);
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  take_response_header(r, line.substr(0, colon), line.substr(colon + 1));
  return len;
}

int CurlHop::on_progress(void* p, long long, long long dlnow, long long, long long) {
  auto* self = static_cast<CurlHop*>(p);
  if (static_cast<std::uint64_t>(dlnow) > self->options_.max_body_bytes) {
    self->abort_reason_ = error(FetchErrorKind::kTooLarge, "the body exceeds " +
                                                               std::to_string(self->options_.max_body_bytes) +
                                                               " bytes on the wire (max_body_bytes)");
    return 1;
  }
  const auto now = stall_clock_now();
  if (static_cast<std::uint64_t>(dlnow - self->last_dlnow_) >= self->options_.stall_min_bytes) {
    self->last_dlnow_ = dlnow;
    self->last_progress_ = now;
  } else if (now - self->last_progress_ > self->options_.stall_time) {
    // No byte (header or body) for stall_time: a server that accepted the
    // request and then went quiet, before or during the body.
    char stall_s[32];  // "0.5", "15": as the user typed --stall-timeout
    std::snprintf(stall_s, sizeof stall_s, "%g", to_seconds(self->options_.stall_time));
    self->abort_reason_ = error(FetchErrorKind::kStallTimeout,
                                "fewer than " + std::to_string(self->options_.stall_min_bytes) + " bytes in " +
                                    stall_s + " s after " + std::to_string(dlnow) + " bytes");
    return 1;
  }
  return 0;
}

HopResult CurlHop::finish(int code_int) {
  const auto code = static_cast<CURLcode>(code_int);
  HopResult out;
  Response& r = response_;
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  r.status = static_cast<int>(status);
  long version = 0;
  curl_easy_getinfo(easy_, CURLINFO_HTTP_VERSION, &version);
  switch (version) {
    case CURL_HTTP_VERSION_1_0: r.http_version = "1.0"; break;
    case CURL_HTTP_VERSION_1_1: r.http_version = "1.1"; break;
    case CURL_HTTP_VERSION_2_0: r.http_version = "2"; break;
    case CURL_HTTP_VERSION_3: r.http_version = "3"; break;
    default: break;
  }
  if (!r.http_version.empty() && r.http_version != "1.1") {
    // The request line was written for HTTP/1.1 in start().
    const auto eol = r.request_block.find("\r\n");
    const auto version = r.request_block.rfind(" HTTP/1.1", eol);
    if (version != std::string::npos) r.request_block.replace(version + 6, 3, r.http_version);
  }
  curl_off_t dl = 0;
  curl_easy_getinfo(easy_, CURLINFO_SIZE_DOWNLOAD_T, &dl);
  r.wire_bytes = static_cast<std::uint64_t>(dl);
  curl_off_t t_dns = 0, t_connect = 0, t_tls = 0, t_first = 0, t_total = 0;
  curl_easy_getinfo(easy_, CURLINFO_NAMELOOKUP_TIME_T, &t_dns);
  curl_easy_getinfo(easy_, CURLINFO_CONNECT_TIME_T, &t_connect);
  curl_easy_getinfo(easy_, CURLINFO_APPCONNECT_TIME_T, &t_tls);
  curl_easy_getinfo(easy_, CURLINFO_STARTTRANSFER_TIME_T, &t_first);
  curl_easy_getinfo(easy_, CURLINFO_TOTAL_TIME_T, &t_total);
  // curl gives points in time since the start; turn them into phase lengths.
  const curl_off_t connected = std::max(t_connect, t_dns);
  const curl_off_t secured = t_tls > 0 ? std::max(t_tls, connected) : connected;
  r.timings.dns = micros(t_dns);
  r.timings.connect = micros(connected - t_dns);
  r.timings.tls = micros(secured - connected);
  r.timings.first_byte = t_first > 0 ? micros(std::max<curl_off_t>(0, t_first - secured)) : Duration{};
  r.timings.download = t_first > 0 ? micros(std::max<curl_off_t>(0, t_total - t_first)) : Duration{};
  r.timings.total = micros(t_total);

  if (code != CURLE_OK) {
    std::string detail = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(code);
    if (abort_reason_) {
      out.error = abort_reason_;
    } else {
      FetchErrorKind kind = FetchErrorKind::kProtocol;
      switch (code) {
        case CURLE_UNSUPPORTED_PROTOCOL: {
          // Before a connection: the URL's scheme. After one: the server's
          // answer was not HTTP (curl: "Received HTTP/0.9 when not allowed").
          long local_port = 0;
          curl_easy_getinfo(easy_, CURLINFO_LOCAL_PORT, &local_port);
          kind = local_port != 0 ? FetchErrorKind::kProtocol : FetchErrorKind::kBadUrl;
          break;
        }
        case CURLE_URL_MALFORMAT:
          kind = FetchErrorKind::kBadUrl;
          break;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
          kind = FetchErrorKind::kDns;
          break;
        case CURLE_COULDNT_CONNECT:
          kind = FetchErrorKind::kRefused;
          break;
        case CURLE_OPERATION_TIMEDOUT: {
          // No connection yet means it was the connect timeout. A reused
          // connection reports a connect time of 0, so ask for the local
          // port too (set once a socket is connected, reused or not).
          long local_port = 0;
          curl_easy_getinfo(easy_, CURLINFO_LOCAL_PORT, &local_port);
          const bool connected = t_connect > 0 || t_first > 0 || local_port != 0;
          kind = connected ? FetchErrorKind::kTotalTimeout : FetchErrorKind::kConnectTimeout;
          break;
        }
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_USE_SSL_FAILED:
          kind = FetchErrorKind::kTls;
          break;
        case CURLE_FILESIZE_EXCEEDED:
          kind = FetchErrorKind::kTooLarge;
          detail = "the announced body exceeds " + std::to_string(options_.max_body_bytes) + " bytes (max_body_bytes)";
          break;
        case CURLE_ABORTED_BY_CALLBACK:
          kind = FetchErrorKind::kCancelled;
          break;
        default:
          kind = FetchErrorKind::kProtocol;
      }
      out.error = error(kind, detail);
    }
    if (out.error->kind == FetchErrorKind::kProtocol && r.wire_bytes > 0) {
      out.error->message += " (after " + std::to_string(r.wire_bytes) + " body bytes)";
    }
  }
  out.response = std::move(r);
  return out;
}

}  // namespace detail
}  // namespace preheat::fetch
