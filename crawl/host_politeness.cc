#include "crawl/host_politeness.h"

#include <algorithm>
#include <cmath>

namespace preheat::crawl {

namespace {

constexpr double kAlpha = 0.3;  // weight of the newest response time

Duration seconds(double s) { return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s)); }

}  // namespace

HostPoliteness::HostPoliteness(const Clock& clock, PolitenessOptions options)
    : clock_(clock), options_(std::move(options)) {}

HostState& HostPoliteness::state(std::string_view host) {
  auto it = hosts_.find(std::string(host));
  if (it == hosts_.end()) {
    it = hosts_.emplace(std::string(host), HostState{}).first;
    it->second.host = std::string(host);
  }
  return it->second;
}

const HostState* HostPoliteness::find(std::string_view host) const {
  auto it = hosts_.find(std::string(host));
  return it == hosts_.end() ? nullptr : &it->second;
}

void HostPoliteness::set_crawl_delay(std::string_view host, Duration delay) {
  state(host).crawl_delay = std::clamp(delay, Duration{0}, options_.max_crawl_delay);
}

Duration HostPoliteness::delay_of(const HostState& s) const {
  Duration d = std::max(options_.min_delay, s.crawl_delay);
  if (options_.adaptive_factor > 0 && s.ewma_s >= 0) {
    d = std::max(d, std::min(seconds(s.ewma_s * options_.adaptive_factor), options_.max_crawl_delay));
  }
  return d;
}

Duration HostPoliteness::delay(std::string_view host) const {
  const HostState* s = find(host);
  return s == nullptr ? options_.min_delay : delay_of(*s);
}

TimePoint HostPoliteness::ready_at(std::string_view host) const {
  const HostState* s = find(host);
  if (s == nullptr) return TimePoint{};
  if (s->given_up || s->in_flight >= std::max(1, options_.max_in_flight)) return TimePoint::max();
  return next_start(host);
}

TimePoint HostPoliteness::next_start(std::string_view host) const {
  const HostState* s = find(host);
  if (s == nullptr) return TimePoint{};
  TimePoint t = s->paused_until;
  if (s->last_start) t = std::max(t, *s->last_start + delay_of(*s));
  return t;
}

const std::string* HostPoliteness::given_up(std::string_view host) const {
  const HostState* s = find(host);
  return s != nullptr && s->given_up ? &*s->given_up : nullptr;
}

bool HostPoliteness::paused(std::string_view host) const {
  const HostState* s = find(host);
  return s != nullptr && !s->given_up && s->paused_until > clock_.now();
}

void HostPoliteness::start(std::string_view host) {
  HostState& s = state(host);
  ++s.requests;
  ++s.in_flight;
  s.last_start = clock_.now();
}

void HostPoliteness::start_hop(std::string_view host) {
  HostState& s = state(host);
  ++s.requests;
  s.last_start = clock_.now();
}

void HostPoliteness::finish(std::string_view host, const HostOutcome& o) {
  HostState& s = state(host);
  s.in_flight = std::max(0, s.in_flight - 1);
  const TimePoint now = clock_.now();
  if (o.status > 0) {
    const double e = to_seconds(o.elapsed);
    s.ewma_s = s.ewma_s < 0 ? e : kAlpha * e + (1 - kAlpha) * s.ewma_s;
  }
  if ((o.status == 429 || o.status == 503) && o.retry_after) {
    s.paused_until = std::max(s.paused_until, now + std::min(*o.retry_after, options_.max_pause));
    ++s.pauses;
  }
  if (!o.failure) {
    s.consecutive_failures = 0;
    s.budget_pauses = 0;
    return;
  }
  ++s.errors;
  if (++s.consecutive_failures < std::max(1, options_.failures_to_pause)) return;
  s.consecutive_failures = 0;
  if (s.budget_pauses >= options_.max_pauses) {
    s.given_up = std::to_string(options_.failures_to_pause) + " consecutive failures after " +
                 std::to_string(s.budget_pauses) + " pauses; last: " + (o.error.empty() ? "error" : o.error);
    return;
  }
  const Duration pause = options_.first_pause * (std::int64_t{1} << std::min(s.budget_pauses, 20));
  ++s.budget_pauses;
  ++s.pauses;
  s.paused_until = std::max(s.paused_until, now + std::min(pause, options_.max_pause));
}

std::size_t HostPoliteness::paused_count() const {
  const TimePoint now = clock_.now();
  return static_cast<std::size_t>(std::count_if(hosts_.begin(), hosts_.end(), [now](const auto& kv) {
    return !kv.second.given_up && kv.second.paused_until > now;
  }));
}

std::size_t HostPoliteness::given_up_count() const {
  return static_cast<std::size_t>(
      std::count_if(hosts_.begin(), hosts_.end(), [](const auto& kv) { return kv.second.given_up.has_value(); }));
}

std::vector<HostState> HostPoliteness::states() const {
  std::vector<HostState> out;
  out.reserve(hosts_.size());
  for (const auto& [name, s] : hosts_) {
    out.push_back(s);
    out.back().delay = delay_of(s);
  }
  std::sort(out.begin(), out.end(), [](const HostState& a, const HostState& b) { return a.host < b.host; });
  return out;
}

}  // namespace preheat::crawl
