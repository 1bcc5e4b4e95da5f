// What every real fetcher does around its transfers: wait for an in-flight
// slot (overall and per host), follow redirects, record the trace, time the
// whole fetch. The transport (multi or blocking curl) supplies one hop.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "fetch/detail/curl_hop.h"
#include "fetch/fetch_options.h"
#include "fetch/request.h"
#include "fetch/response.h"
#include "runtime/runtime.h"
#include "runtime/semaphore.h"

namespace preheat::fetch::detail {

class FetchCore {
 public:
  using Hop = std::function<runtime::Task<HopResult>(const std::string& url, const Request& request)>;

  FetchCore(runtime::Runtime& rt, const FetchOptions& options);

  runtime::Task<FetchResult> fetch(Request request, const Hop& hop);
  std::size_t in_flight() const { return in_flight_; }
  const FetchOptions& options() const { return options_; }
  runtime::Runtime& runtime() { return rt_; }

 private:
  runtime::Semaphore& host_slots(const std::string& key);

  runtime::Runtime& rt_;
  FetchOptions options_;
  runtime::Semaphore overall_;
  // One semaphore per host key; idle ones are dropped when the map grows.
  std::map<std::string, std::unique_ptr<runtime::Semaphore>> per_host_;
  std::size_t in_flight_ = 0;
};

}  // namespace preheat::fetch::detail
