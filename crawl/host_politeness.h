// HostPoliteness: when the crawler may next send a request to a host, and
// whether it should send any more at all. Pure state machine (no I/O); time
// comes from an injected Clock (base/clock.h), so tests step a ManualClock.
//
// Per host (the robots.txt site "scheme://host:port", crawl/robots_gate.h):
//  - ready_at(host): the earliest moment the next request may START:
//      max(last start + delay, paused_until), where
//      delay = max(min_delay, Crawl-delay (capped at max_crawl_delay),
//                  adaptive delay),
//    or TimePoint::max() while max_in_flight requests to the host are out
//    (one finishing makes it ready again). A given-up host is never ready.
//  - adaptive delay (adaptive_factor > 0): an exponential moving average of
//    the host's response times (alpha 0.3) times the factor, at most
//    max_crawl_delay. A host that slows down gets fewer requests.
//  - 429 and 503 with Retry-After pause that host (only that one) until
//    now + Retry-After (at most max_pause).
//  - error budget: `failures_to_pause` consecutive failures (no HTTP answer,
//    5xx, 429) pause the host for `first_pause`, doubling with each pause;
//    the next failure after `max_pauses` pauses gives the host up, with a
//    reason naming the last error. Any HTTP answer that is not 5xx/429
//    resets the count and the pauses.
//
// Thread safety: not thread-safe; the crawler's event loop only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.h"

namespace preheat::crawl {

// error_class of the URLs of a given-up host (state failed, not fetched).
inline constexpr std::string_view kHostFailingErrorClass = "host-failing";

struct PolitenessOptions {
  Duration min_delay{0};                                 // --delay
  Duration max_crawl_delay = std::chrono::seconds(30);   // --max-crawl-delay (also caps the adaptive delay)
  double adaptive_factor = 0;                            // --adaptive-delay F; 0: off
  int max_in_flight = 8;                                 // fetch --per-host (<= 0: 1)
  int failures_to_pause = 5;                             // --host-failures
  Duration first_pause = std::chrono::seconds(5);        // --host-pause
  int max_pauses = 3;                                    // --host-pauses
  Duration max_pause = std::chrono::minutes(10);         // cap for Retry-After
};

// What one request to a host came to.
struct HostOutcome {
  bool failure = false;  // no HTTP answer, 5xx or 429
  int status = 0;        // HTTP status, 0 without an answer
  std::optional<Duration> retry_after;
  Duration elapsed{0};   // response time (for the adaptive delay)
  std::string error;     // error class for the give-up reason ("timeout", "http-5xx")
};

struct HostState {
  std::string host;
  std::int64_t requests = 0;  // started
  std::int64_t errors = 0;    // failures (see above)
  std::int64_t pauses = 0;    // pauses so far (429/503 Retry-After and the error budget)
  int in_flight = 0;
  int consecutive_failures = 0;
  int budget_pauses = 0;      // error-budget pauses since the last success
  std::optional<TimePoint> last_start;
  TimePoint paused_until{};
  Duration crawl_delay{0};    // from robots.txt, capped
  double ewma_s = -1;         // response time average, seconds; < 0: none yet
  std::optional<std::string> given_up;  // why
  Duration delay{0};          // the delay between starts now (filled by states())
};

class HostPoliteness {
 public:
  HostPoliteness(const Clock& clock, PolitenessOptions options);

  // robots.txt's Crawl-delay for the host (capped here at max_crawl_delay).
  void set_crawl_delay(std::string_view host, Duration delay);
  // The delay between request starts for the host now.
  Duration delay(std::string_view host) const;
  TimePoint ready_at(std::string_view host) const;
  bool ready(std::string_view host) const { return ready_at(host) <= clock_.now(); }
  // ready_at without the in-flight cap: when the delays and any pause allow
  // the next start (for the crawler's own requests, robots.txt and sitemaps,
  // which do not wait for a page's slot; the fetcher still caps connections).
  TimePoint next_start(std::string_view host) const;
  // Why the host was given up, or nothing.
  const std::string* given_up(std::string_view host) const;
  bool paused(std::string_view host) const;

  // A request to the host starts now (the caller checked ready()).
  void start(std::string_view host);
  // A redirect hop to the host starts now (the caller waited for
  // next_start()): counted as a request and as the host's last start, not
  // in flight (the hop continues a transfer already counted).
  void start_hop(std::string_view host);
  // It finished.
  void finish(std::string_view host, const HostOutcome& outcome);

  // Hosts paused now (not given up), and given up.
  std::size_t paused_count() const;
  std::size_t given_up_count() const;
  // Every host seen, sorted by name.
  std::vector<HostState> states() const;

 private:
  HostState& state(std::string_view host);
  const HostState* find(std::string_view host) const;
  Duration delay_of(const HostState& s) const;

  const Clock& clock_;
  PolitenessOptions options_;
  std::unordered_map<std::string, HostState> hosts_;
};

}  // namespace preheat::crawl
