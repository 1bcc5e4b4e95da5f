#include "fetch/fake_fetcher.h"

#include "fetch/host_key.h"
#include "runtime/runtime.h"

namespace preheat::fetch {

FakeFetcher::FakeFetcher(runtime::Runtime& rt, const FetchOptions& options) : rt_(rt), core_(rt, options) {
  hop_fn_ = [this](const std::string& url, const Request& request) { return hop(url, request); };
}

void FakeFetcher::add_page(const std::string& url, std::string body, std::string content_type, Duration latency) {
  Response r;
  r.status = 200;
  r.content_type = std::move(content_type);
  r.content_length = body.size();
  r.wire_bytes = body.size();
  r.body = std::move(body);
  add_response(url, std::move(r), latency);
}

void FakeFetcher::add_response(const std::string& url, Response response, Duration latency) {
  response.url = url;
  response.final_url = url;
  Answer a;
  a.result.response = std::move(response);
  a.latency = latency;
  answers_[url] = std::move(a);
}

void FakeFetcher::add_redirect(const std::string& from, int status, const std::string& location, Duration latency) {
  Response r;
  r.status = status;
  r.location = location;
  add_response(from, std::move(r), latency);
}

void FakeFetcher::add_error(const std::string& url, FetchErrorKind kind, Duration latency) {
  Answer a;
  a.result.response.url = url;
  a.result.response.final_url = url;
  a.result.error = FetchError{kind, "fake " + std::string(to_string(kind)), 0, {}};
  a.latency = latency;
  answers_[url] = std::move(a);
}

std::size_t FakeFetcher::peak_per_host(const std::string& key) const {
  auto it = host_peak_.find(key);
  return it == host_peak_.end() ? 0 : it->second;
}

runtime::Task<FetchResult> FakeFetcher::fetch(Request request) { co_return co_await core_.fetch(std::move(request), hop_fn_); }

runtime::Task<detail::HopResult> FakeFetcher::hop(const std::string& url, const Request& request) {
  hops_.push_back(url);
  hop_starts_.push_back(rt_.clock().now());
  Request seen;
  seen.url = url;
  seen.method = request.method;
  seen.headers = request.headers;
  hop_requests_.push_back(std::move(seen));
  const std::string key = host_key(url);
  peak_ = std::max(peak_, ++now_);
  host_peak_[key] = std::max(host_peak_[key], ++host_now_[key]);
  struct Leave {
    FakeFetcher* f;
    std::string key;
    ~Leave() {
      --f->now_;
      --f->host_now_[key];
    }
  } leave{this, key};
  auto it = answers_.find(url);
  if (it == answers_.end()) {
    detail::HopResult r;
    r.response.url = url;
    r.response.final_url = url;
    r.response.status = 404;
    co_return r;
  }
  const Answer& a = it->second;
  if (a.latency > Duration::zero()) co_await rt_.wait(a.latency);
  detail::HopResult r = a.result;
  r.response.timings.first_byte = a.latency;
  r.response.timings.total = a.latency;
  co_return r;
}

}  // namespace preheat::fetch
