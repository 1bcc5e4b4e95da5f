// FakeFetcher: canned answers for unit tests, with the real fetchers' limits,
// redirect following and tracing (it shares their FetchCore); only the
// transport is fake. With a ManualClock runtime, latencies are virtual and
// tests are deterministic.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "fetch/detail/fetch_core.h"
#include "fetch/fetcher.h"

namespace preheat::fetch {

class FakeFetcher final : public Fetcher {
 public:
  FakeFetcher(runtime::Runtime& rt, const FetchOptions& options);

  // Answers for a URL (exact string match). An unknown URL gets a 404.
  void add_page(const std::string& url, std::string body, std::string content_type = "text/html; charset=utf-8",
                Duration latency = Duration::zero());
  void add_response(const std::string& url, Response response, Duration latency = Duration::zero());
  void add_redirect(const std::string& from, int status, const std::string& location,
                    Duration latency = Duration::zero());
  void add_error(const std::string& url, FetchErrorKind kind, Duration latency = Duration::zero());

  runtime::Task<FetchResult> fetch(Request request) override;
  std::size_t in_flight() const override { return core_.in_flight(); }

  // Every hop's URL, in the order the hops started.
  const std::vector<std::string>& hops() const { return hops_; }
  // When each of them started (the runtime's clock: virtual with a ManualClock).
  const std::vector<TimePoint>& hop_starts() const { return hop_starts_; }
  // Every hop's request (url: the hop's URL; headers: what the hop sent).
  const std::vector<Request>& hop_requests() const { return hop_requests_; }
  // The most hops in flight at once, overall and per host key.
  std::size_t peak_in_flight() const { return peak_; }
  std::size_t peak_per_host(const std::string& host_key) const;

 private:
  struct Answer {
    detail::HopResult result;
    Duration latency{};
  };
  runtime::Task<detail::HopResult> hop(const std::string& url, const Request& request);

  runtime::Runtime& rt_;
  detail::FetchCore core_;
  detail::FetchCore::Hop hop_fn_;
  std::map<std::string, Answer> answers_;
  std::vector<std::string> hops_;
  std::vector<TimePoint> hop_starts_;
  std::vector<Request> hop_requests_;
  std::size_t now_ = 0;
  std::size_t peak_ = 0;
  std::map<std::string, std::size_t> host_now_;
  std::map<std::string, std::size_t> host_peak_;
};

}  // namespace preheat::fetch
