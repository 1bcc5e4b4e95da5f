// One HTTP transfer with libcurl (one hop: redirects are followed by the
// caller, see redirect_follower.h). Shared by the multi and the blocking
// fetcher so both configure curl and classify errors the same way.
//
// A CurlHop owns one easy handle and is reused for transfer after transfer:
// the options that never change (limits, callbacks, identity, TLS) are set
// once; start() sets only what belongs to one request (URL, method, extra
// headers) and clears the per-transfer state. Reusing the handle spares the
// allocation and set-up of a fresh one per request (curl_easy_init, ~30
// setopt string copies, curl's download buffer, curl_easy_cleanup): 12% of
// the client's instructions per request on loopback (docs/benchmarks.md).
//
// The files in fetch/detail/curl_* and fetch/curl_*_fetcher.cc are the only
// ones that include curl.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "fetch/fetch_options.h"
#include "fetch/request.h"
#include "fetch/response.h"

typedef void CURL;
struct curl_slist;

namespace preheat::fetch::detail {

// The outcome of one hop: the response fields of this hop and, if the
// transfer failed, the error (HTTP statuses are not errors at this level).
struct HopResult {
  Response response;  // url = final_url = this hop's URL; no redirects
  std::optional<FetchError> error;
};

class CurlHop {
 public:
  // `options` must outlive the hop. Makes the easy handle and sets the
  // options every transfer shares.
  explicit CurlHop(const FetchOptions& options);
  ~CurlHop();
  CurlHop(const CurlHop&) = delete;
  CurlHop& operator=(const CurlHop&) = delete;

  // Prepares the next transfer. REQUIRES: the handle is not in a multi
  // handle and no transfer runs on it.
  void start(const std::string& url, const Request& request);
  CURL* easy() const { return easy_; }
  // Call once the transfer ended with curl result code `code`; the hop may
  // then be start()ed again.
  HopResult finish(int code);

 private:
  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* self);
  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* self);
  static int on_progress(void* self, long long dltotal, long long dlnow, long long ultotal, long long ulnow);

  const FetchOptions& options_;
  std::string user_agent_;  // as given to curl (CURLOPT_USERAGENT keeps a copy too)
  CURL* easy_ = nullptr;
  ::curl_slist* headers_ = nullptr;  // this request's extra headers (owned)
  bool head_ = false;                // the handle is set for HEAD
  bool pipewait_ = false;            // CURLOPT_PIPEWAIT is on (https URLs)
  Response response_;
  char error_buffer_[256] = {};
  std::size_t header_bytes_ = 0;
  // Why a callback aborted the transfer, if one did.
  std::optional<FetchError> abort_reason_;
  // Stall detection: the last time bytes arrived.
  std::chrono::steady_clock::time_point last_progress_;
  long long last_dlnow_ = 0;
};

// Calls curl_global_init once per process (thread-safe).
void ensure_curl_initialised();

}  // namespace preheat::fetch::detail
