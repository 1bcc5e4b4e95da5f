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
  // A free slot is taken without a coroutine of its own (the common case).
  runtime::Semaphore::Permit overall = overall_.try_acquire();
  if (!overall.held()) overall = co_await overall_.acquire();
  runtime::Semaphore& host_semaphore = host_slots(key);
  runtime::Semaphore::Permit host = host_semaphore.try_acquire();
  if (!host.held()) host = co_await host_semaphore.acquire();
  const Duration queued = rt_.clock().now() - started;
  if (rec != nullptr && queued > Duration::zero()) {
    rec->record(trace::Span{trace::EventKind::kWait, trace::kNoLane, request.task, queue_start, rec->now_ns(), 0});
  }
  ++in_flight_;
  struct Leave {
    std::size_t& n;
    ~Leave() { --n; }
  } leave{in_flight_};
  // The hop as follow_redirects calls it. Both lambdas capture one pointer
  // (no allocation inside the std::function) and live in this frame, which
  // outlives every hop coroutine they start.
  // Redirect targets get the request without its conditional headers.
  const std::optional<Request> redirected = for_redirect_targets(request);
  struct Context {
    FetchCore* core;
    trace::Recorder* rec;
    const Request* request;
    const Request* later;  // for every hop after the first
    const Hop* hop;
    const Request& for_url(const std::string& url) const { return url == request->url ? *request : *later; }
  } ctx{this, rec, &request, redirected ? &*redirected : &request, &hop};
  auto traced_hop = [c = &ctx](const std::string& url) -> runtime::Task<HopResult> {
    const std::int64_t hop_start = c->rec->now_ns();
    HopResult h = co_await (*c->hop)(url, c->for_url(url));
    if (c->core->rt_.mode() != ExecutionMode::kSequential) {
      record_hop_phases(c->rec, c->request->task, hop_start, h.response.timings);
    }
    co_return h;
  };
  // Without a recorder, the transport's coroutine is the hop (no wrapper).
  auto plain_hop = [c = &ctx](const std::string& url) { return (*c->hop)(url, c->for_url(url)); };
  HopFunction hop_function;
  if (rec != nullptr) {
    hop_function = traced_hop;
  } else {
    hop_function = plain_hop;
  }
  FetchResult result = co_await follow_redirects(request, options_, std::move(hop_function));
  result.response.timings.queued = queued;
  result.response.timings.total = rt_.clock().now() - started;
  co_return result;
}

}  // namespace preheat::fetch::detail
