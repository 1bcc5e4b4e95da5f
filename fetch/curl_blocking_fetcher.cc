#include "fetch/curl_blocking_fetcher.h"

#include <curl/curl.h>

#include "fetch/detail/fetch_core.h"
#include "trace/recorder.h"

namespace preheat::fetch {

namespace {

using runtime::Task;

class CurlBlockingFetcher final : public Fetcher {
 public:
  CurlBlockingFetcher(runtime::Runtime& rt, const FetchOptions& options) : core_(rt, options) {
    detail::ensure_curl_initialised();
    // Connections and DNS answers live in a share object, so each request's
    // fresh easy handle still reuses them (keep-alive, DNS cache).
    share_ = curl_share_init();
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    hop_ = [this](const std::string& url, const Request& request) { return transfer(url, request); };
  }
  ~CurlBlockingFetcher() override {
    hop_handle_.reset();  // before the share it uses
    curl_share_cleanup(share_);
  }

  Task<FetchResult> fetch(Request request) override { return core_.fetch(std::move(request), hop_); }
  std::size_t in_flight() const override { return core_.in_flight(); }

 private:
  Task<detail::HopResult> transfer(const std::string& url, const Request& request) {
    // One easy handle, reused (curl_hop.h): a transfer never suspends, so
    // no two use it at once.
    if (!hop_handle_) {
      hop_handle_ = std::make_unique<detail::CurlHop>(core_.options());
      curl_easy_setopt(hop_handle_->easy(), CURLOPT_SHARE, share_);
    }
    detail::CurlHop& hop = *hop_handle_;
    hop.start(url, request);
    CURLcode code = CURLE_OK;
    {
      // The whole transfer blocks this thread: in the trace it holds the worker.
      trace::ScopedSpan blocked(core_.runtime().recorder(), trace::EventKind::kBlocked, request.task);
      code = curl_easy_perform(hop.easy());
    }
    co_return hop.finish(code);
  }

  detail::FetchCore core_;
  CURLSH* share_ = nullptr;
  detail::FetchCore::Hop hop_;
  std::unique_ptr<detail::CurlHop> hop_handle_;
};

}  // namespace

std::unique_ptr<Fetcher> make_curl_blocking_fetcher(runtime::Runtime& rt, const FetchOptions& options) {
  return std::make_unique<CurlBlockingFetcher>(rt, options);
}

}  // namespace preheat::fetch
