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
  ~CurlBlockingFetcher() override { curl_share_cleanup(share_); }

  Task<FetchResult> fetch(Request request) override { co_return co_await core_.fetch(std::move(request), hop_); }
  std::size_t in_flight() const override { return core_.in_flight(); }

 private:
  Task<detail::HopResult> transfer(const std::string& url, const Request& request) {
    detail::CurlHop hop(core_.options(), url, request);
    curl_easy_setopt(hop.easy(), CURLOPT_SHARE, share_);
    // The whole transfer blocks this thread: in the trace it holds the worker.
    trace::ScopedSpan blocked(core_.runtime().recorder(), trace::EventKind::kBlocked, request.task);
    const CURLcode code = curl_easy_perform(hop.easy());
    co_return hop.finish(code);
  }

  detail::FetchCore core_;
  CURLSH* share_ = nullptr;
  detail::FetchCore::Hop hop_;
};

}  // namespace

std::unique_ptr<Fetcher> make_curl_blocking_fetcher(runtime::Runtime& rt, const FetchOptions& options) {
  return std::make_unique<CurlBlockingFetcher>(rt, options);
}

}  // namespace preheat::fetch
