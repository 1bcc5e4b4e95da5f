#include "fetch/detail/fetch_core.h"

#include "fetch/fetch_trace.h"
#include "fetch/host_key.h"
#include "fetch/redirect_follower.h"

namespace preheat::fetch::detail {

FetchCore::FetchCore(runtime::Runtime& rt, const FetchOptions& options)
    : rt_(rt), options_(options), overall_(rt.executor(), std::max<std::size_t>(1, options.max_in_flight)) {}

runtime::Semaphore& FetchCore::host_slots(const std::string& key) {
  auto it = per_host_.find(key);
  if (it != per_host_.end()) return *it->second;
  if (per_host_.size() > 4096) {
    // Bounded memory on crawls that touch many hosts: forget idle ones.
    std::erase_if(per_host_, [](const auto& kv) { return kv.second->in_use() == 0 && kv.second->waiting() == 0; });
  }
  auto s = std::make_unique<runtime::Semaphore>(rt_.executor(), std::max<std::size_t>(1, options_.max_per_host));
  return *per_host_.emplace(key, std::move(s)).first->second;
}

runtime::Task<FetchResult> FetchCore::fetch(Request request, const Hop& hop) {
  const TimePoint started = rt_.clock().now();
  const std::string key = host_key(request.url);
  if (key.empty() || (key.rfind("http://", 0) != 0 && key.rfind("https://", 0) != 0)) {
    FetchResult r;
    r.response.url = request.url;
    r.response.final_url = request.url;
    r.error = FetchError{FetchErrorKind::kBadUrl, "not an absolute http(s) URL: '" + request.url + "'", 0, {}};
    co_return r;
  }
  trace::Recorder* rec = rt_.recorder();
  const std::int64_t queue_start = rec != nullptr ? rec->now_ns() : 0;
  auto overall = co_await overall_.acquire();
  auto host = co_await host_slots(key).acquire();
  const Duration queued = rt_.clock().now() - started;
  if (rec != nullptr && queued > Duration::zero()) {
    rec->record(trace::Span{trace::EventKind::kWait, trace::kNoLane, request.task, queue_start, rec->now_ns(), 0});
  }
  ++in_flight_;
  struct Leave {
    std::size_t& n;
    ~Leave() { --n; }
  } leave{in_flight_};
  auto traced_hop = [&](const std::string& url) -> runtime::Task<HopResult> {
    const std::int64_t hop_start = rec != nullptr ? rec->now_ns() : 0;
    HopResult h = co_await hop(url, request);
    if (rt_.mode() != ExecutionMode::kSequential) {
      record_hop_phases(rec, request.task, hop_start, h.response.timings);
    }
    co_return h;
  };
  FetchResult result = co_await follow_redirects(request, options_, traced_hop);
  result.response.timings.queued = queued;
  result.response.timings.total = rt_.clock().now() - started;
  co_return result;
}

}  // namespace preheat::fetch::detail
