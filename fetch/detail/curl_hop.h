// One HTTP transfer with libcurl (one hop: redirects are followed by the
// caller, see redirect_follower.h). Shared by the multi and the blocking
// fetcher so both configure curl and classify errors the same way.
//
// The files in fetch/detail/curl_* and fetch/curl_*_fetcher.cc are the only
// ones that include curl.h.
#pragma once

#include <chrono>
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
  // REQUIRES: curl_global_init was called (curl_global.h).
  CurlHop(const FetchOptions& options, const std::string& url, const Request& request);
  ~CurlHop();
  CurlHop(const CurlHop&) = delete;
  CurlHop& operator=(const CurlHop&) = delete;

  CURL* easy() const { return easy_; }
  // Call once the transfer ended with curl result code `code`.
  HopResult finish(int code);

 private:
  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* self);
  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* self);
  static int on_progress(void* self, long long dltotal, long long dlnow, long long ultotal, long long ulnow);

  const FetchOptions& options_;
  CURL* easy_ = nullptr;
  ::curl_slist* headers_ = nullptr;
  std::string url_;
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
