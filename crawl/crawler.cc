#include "crawl/crawler.h"

// GCC 12 -O2 inlines Asio's recycling frame allocator into process() and
// then pairs its aligned_new with the frame's sized operator delete: a false
// positive (the allocator itself matches them up). Silenced here only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <algorithm>
#include <utility>

#include "base/url_normalizer.h"
#include "crawl/revisit.h"
#include "crawl/robots_gate.h"
#include "runtime/runtime.h"
#include "runtime/scope.h"
#include "trace/recorder.h"

namespace preheat::crawl {

const char* to_string(CrawlOutcome outcome) {
  switch (outcome) {
    case CrawlOutcome::kComplete: return "complete";
    case CrawlOutcome::kPageLimit: return "page-limit";
    case CrawlOutcome::kInterrupted: return "interrupted";
    case CrawlOutcome::kFailed: return "failed";
  }
  return "?";
}

namespace {

PolitenessOptions politeness_options(const CrawlOptions& o) {
  PolitenessOptions p = o.politeness;
  if (p.max_in_flight <= 0) p.max_in_flight = static_cast<int>(o.fetch.max_per_host);
  p.max_crawl_delay = o.robots_options.max_crawl_delay;
  p.max_pause = o.max_retry_delay;
  return p;
}

// What a fetch means for its host's error budget: a failure is no HTTP
// answer at all, a 5xx or a 429 (the server is down or asks us to stop).
HostOutcome host_outcome(const fetch::FetchResult& fetched) {
  HostOutcome o;
  const fetch::Response& r = fetched.response;
  o.status = r.status;
  o.elapsed = r.timings.total - r.timings.queued;
  if (fetched.error) {
    o.retry_after = fetched.error->retry_after;
    o.error = std::string(fetch::to_string(fetched.error->kind));
    o.failure = r.status <= 0 || r.status >= 500 || r.status == 429;
  }
  return o;
}

}  // namespace

Crawler::Crawler(runtime::Runtime& rt, fetch::Fetcher& fetcher, store::CrawlStore& store, Scope scope,
                 CrawlOptions options)
    : rt_(rt),
      fetcher_(fetcher),
      store_(store),
      scope_(std::make_shared<const ScopeSnapshot>(ScopeSnapshot{std::move(scope), options.seeds})),
      options_(std::move(options)),
      writer_(rt, store, StoreWriter::Options{.batch_pages = options_.batch_pages,
                                              .commit_interval = options_.commit_interval,
                                              .max_bytes_queued = options_.max_bytes_queued}),
      robots_cache_(rt.clock()),
      robots_changed_(rt.executor()),
      politeness_(rt.clock(), politeness_options(options_)),
      traps_(options_.traps, options_.traps.crawl_day.value_or(floor_div(unix_ms(), 86'400'000))) {
  // <meta name=AGENT> directives are ours when AGENT is our product token.
  options_.extract.robots_agent = robots_product_token(
      options_.fetch.user_agent.empty() ? fetch::default_user_agent() : options_.fetch.user_agent);
}

Status Crawler::prepare() {
  Result<std::int64_t> released = store_.release_claims();
  if (!released.ok()) return prepare_error_ = released.status();
  Result<std::int64_t> before = store_.page_count();
  if (!before.ok()) return prepare_error_ = before.status();
  counters_.pages_before = *before;
  std::int64_t counted = *before;  // what max_pages counts: a recrawl pass counts its own pages
  if (options_.recrawl) {
    Result<store::RecrawlPass> pass = store_.begin_recrawl(unix_ms());
    if (!pass.ok()) return prepare_error_ = pass.status();
    counters_.requeued = pass->requeued;
    counters_.recrawl_resumed = pass->resumed;
    counted = pass->handled;
  }
  if (options_.max_pages >= 0) sitemap_room_ = std::max<std::int64_t>(0, options_.max_pages - counted);
  const std::optional<std::int64_t> lease = store_.fleet_lease_ms();
  // Fleet mode: the store's claims keep the whole fleet within max_pages
  // (FleetOptions::max_pages); a count of this process's own would stop it
  // early or let the fleet overshoot.
  const std::int64_t budget =
      options_.max_pages < 0 || lease ? -1 : std::max<std::int64_t>(0, options_.max_pages - counted);
  frontier_.emplace(rt_, writer_, options_.window, budget);
  if (lease) {
    // A host this worker starts to hold may have been crawled by another
    // one until its lease expired: the first request here waits one delay
    // (its last start there was before the expiry, i.e. before now).
    // A host this worker no longer holds (handed back to a worker below its
    // share, or taken over) keeps no idle connection of ours open.
    frontier_->set_fleet(
        *lease, [this](const std::string& host) { politeness_.start_hop(robots_site(host + "/")); },
        [this](const std::string& host) { fetcher_.close_idle(host); });
  }
  SeenSet& seen = frontier_->seen();
  // The trap guard's budgets count every URL the database knows (a resumed
  // crawl keeps its per-host and per-pattern counts).
  Status s = store_.for_each_frontier_url([&seen, this](std::string_view url) {
    seen.insert(url);
    traps_.count_known(url);
  });
  if (!s.ok()) return prepare_error_ = s;
  store::WriteBatch seeds;
  for (const std::string& seed : options_.seeds) {
    if (!seen.insert(seed)) continue;
    seeds.seeds.push_back(store::NewUrl{seed, 0, false});
    traps_.count(seed);
  }
  if (!seeds.seeds.empty()) {
    s = store_.write(seeds);
    if (!s.ok()) return prepare_error_ = s;
  }
  counters_.known = static_cast<std::int64_t>(seen.size());
  // Seeds that redirected to another site in an earlier run widen the scope
  // again, so that a resumed crawl keeps following that site's links.
  for (const std::string& seed : options_.seeds) {
    Result<std::optional<store::PageRecord>> page = store_.find_page(seed);
    if (!page.ok() || !*page) continue;
    const std::string& final_url = (*page)->final_url;
    if (final_url.empty() || final_url == seed || !is_fetchable(final_url)) continue;
    if (scope_->scope.check(final_url, 0) == Verdict::kIn) continue;
    s = widen_scope(final_url);
    if (!s.ok()) return prepare_error_ = s;
  }
  return Status();
}

Status Crawler::widen_scope(const std::string& final_url) {
  std::vector<std::string> seeds = scope_->seeds;
  seeds.push_back(final_url);
  Result<Scope> made = Scope::make(options_.scope, seeds);
  if (!made.ok()) return made.status();
  scope_ = std::make_shared<const ScopeSnapshot>(ScopeSnapshot{std::move(*made), std::move(seeds)});
  return Status();
}

runtime::Task<void> Crawler::run() {
  if (!prepare_error_.ok() || !frontier_) co_return;
  const std::size_t workers = rt_.mode() == ExecutionMode::kSequential ? 1 : std::max<std::size_t>(1, options_.concurrency);
  // Fleet leases renewed on the loop (PostgreSQL's async writer; a no-op
  // otherwise), for as long as the workers run. Cancelled with run() on Ctrl-C.
  runtime::Scope leases(rt_.executor());
  leases.spawn(writer_.keep_leases());
  {
    runtime::Scope scope(rt_.executor());
    for (std::size_t i = 0; i < workers; ++i) scope.spawn(worker());
    co_await scope.join();
  }
  co_await frontier_->stop_timers();
  co_await writer_.flush();
  writer_.stop_keeping_leases();
  co_await leases.join();
  ran_to_end_ = true;  // not reached when cancelled (Ctrl-C)
}

runtime::Task<void> Crawler::worker() {
  while (true) {
    std::optional<FrontierItem> item = co_await frontier_->next();
    if (!item) co_return;
    co_await process(std::move(*item));
    frontier_->done();
    co_await writer_.backpressure();
  }
}

runtime::Task<void> Crawler::process(FrontierItem item) {
  trace::Recorder* rec = rt_.recorder();
  const trace::TaskId task = rec != nullptr ? rec->add_task(item.url) : trace::kNoTask;
  counters_.in_flight = static_cast<std::int64_t>(frontier_->in_flight());
  const std::string host = robots_site(item.url);
  if (give_up_item(item, host)) co_return;  // not even robots.txt for a given-up host
  if (options_.robots && park_for_robots(item, host)) co_return;
  if (options_.sitemaps && !sitemap_sites_.contains(host)) co_await read_sitemaps(host, task);
  if (options_.robots) {
    const bool blocked = co_await robots_blocked(item, task);
    if (blocked) co_return;
  }
  if (hold_for_host(item, host)) co_return;
  fetch::Request request;
  request.url = item.url;
  request.task = task;
  if (options_.robots || frontier_->fleet()) {
    request.redirect_check = [this, from = store::fleet_host(item.url)](const std::string& target) {
      return redirect_refusal(target, from);
    };
  }
  request.before_hop = [this](const std::string& target) { return wait_for_hop(target); };
  if (item.previous) request.headers = conditional_headers(*item.previous);  // a revisit
  fetch::FetchResult fetched = co_await fetcher_.fetch(std::move(request));
  host_finished(host, fetched);
  const bool refused = !fetched.response.redirect_refused.empty();
  const std::int64_t now = unix_ms();
  const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  // Named before the co_await (DESIGN.md section 5, GCC 12). The result
  // travels on the heap: with a PageAnalysis by value in this frame GCC 12
  // -O2 warned of a mismatched frame delete and crashed (see absorb()).
  std::shared_ptr<const ScopeSnapshot> scope = scope_;  // this page's snapshot
  auto analyze = [&fetched, &item, &scope, this, now, jitter] {
    return std::make_unique<PageAnalysis>(
        analyze_page(std::move(fetched), item, scope->scope, scope->seeds, options_, now, jitter));
  };
  std::unique_ptr<PageAnalysis> a = co_await rt_.compute(std::move(analyze), task);
  if (refused) after_refused_redirect(item, *a);
  absorb(item, std::move(*a));
}

runtime::Task<bool> Crawler::robots_blocked(const FrontierItem& item, trace::TaskId task) {
  const std::string site = robots_site(item.url);
  co_await ensure_robots(site, task);
  co_return block_by_robots(item, site);
}

runtime::Task<void> Crawler::ensure_robots(const std::string& site, trace::TaskId task) {
  while (robots_pending_.contains(site)) co_await robots_changed_.wait();
  if (robots_cache_.find(site) == nullptr) co_await fetch_robots(site, task);
}

runtime::Task<void> Crawler::fetch_robots(std::string site, trace::TaskId task) {
  // Whatever happens (also a cancellation), the waiters for this site wake.
  struct Pending {
    Crawler* c;
    std::string site;
    ~Pending() {
      c->robots_pending_.erase(site);
      c->robots_changed_.notify_all();
    }
  };
  robots_pending_.insert(site);
  const Pending pending{this, site};
  fetch::Request request;
  request.url = site + "/robots.txt";
  request.task = task;
  politeness_.start(site);  // robots.txt does not wait for a page's slot (park_for_robots waited for pauses and delays)
  const fetch::FetchResult fetched = co_await fetcher_.fetch(std::move(request));
  host_finished(site, fetched);
  const std::string agent = options_.fetch.user_agent.empty() ? fetch::default_user_agent() : options_.fetch.user_agent;
  robots_cache_.put(site, decide_robots(robots_outcome(fetched), rt_.clock().now(), agent, options_.robots_options));
}

bool Crawler::give_up_item(const FrontierItem& item, const std::string& host) {
  const std::string* why = politeness_.given_up(host);
  if (why == nullptr) return false;
  PageAnalysis a;
  store::PageRecord& r = a.record;
  r.url = item.url;
  r.final_url = item.url;
  r.depth = item.depth;
  r.attempts = item.attempts;
  r.fetched_at_ms = unix_ms();
  r.state = store::FrontierState::kFailed;
  r.error_class = std::string(kHostFailingErrorClass);
  r.error_message = "host given up: " + *why;
  absorb(item, std::move(a));
  return true;
}

bool Crawler::park_for_robots(FrontierItem& item, const std::string& host) {
  if (robots_pending_.contains(host) || robots_cache_.find(host) != nullptr) return false;
  const TimePoint at = politeness_.next_start(host);
  if (at <= rt_.clock().now()) return false;
  frontier_->park(std::move(item), host, at, /*front=*/true);
  update_host_counters();
  return true;
}

bool Crawler::hold_for_host(FrontierItem& item, const std::string& host) {
  if (const RobotsEntry* entry = robots_cache_.get(host)) {
    politeness_.set_crawl_delay(host, effective_crawl_delay(*entry, options_.robots_options).value_or(Duration{0}));
  }
  if (give_up_item(item, host)) return true;  // given up while robots.txt was fetched
  // First in, first out per host (crawl/frontier.h): a fresh item waits
  // behind the host's parked ones even when the host is ready.
  const bool behind_parked = !item.parked && frontier_->parked_for(host) > 0;
  if (behind_parked || !politeness_.ready(host)) {
    const TimePoint due = politeness_.ready_at(host);
    const bool front = item.parked;
    frontier_->park(std::move(item), host, due, front);
    update_host_counters();
    return true;
  }
  politeness_.start(host);
  frontier_->host_due(host, politeness_.ready_at(host));
  return false;
}

runtime::Task<void> Crawler::wait_for_hop(std::string target) {
  const std::string host = robots_site(target);
  // Checked again after each wait: another worker may have started a
  // request to the host meanwhile. Nothing is awaited between the last
  // check and start_hop(), so no other start can slip in between.
  for (TimePoint at = politeness_.next_start(host); at > rt_.clock().now(); at = politeness_.next_start(host)) {
    co_await rt_.wait_until(at);
  }
  politeness_.start_hop(host);
}

void Crawler::host_finished(const std::string& host, const fetch::FetchResult& fetched) {
  politeness_.finish(host, host_outcome(fetched));
  // A given-up host's parked URLs come out at once, to be recorded as failed.
  const TimePoint due = politeness_.given_up(host) != nullptr ? rt_.clock().now() : politeness_.ready_at(host);
  frontier_->host_due(host, due);
  update_host_counters();
}

void Crawler::update_host_counters() {
  counters_.parked = static_cast<std::int64_t>(frontier_->parked());
  counters_.hosts_paused = static_cast<std::int64_t>(politeness_.paused_count());
  counters_.hosts_given_up = static_cast<std::int64_t>(politeness_.given_up_count());
}

// Plain code: the verdict for one URL from the entry just fetched or cached.
bool Crawler::block_by_robots(const FrontierItem& item, const std::string& site) {
  const RobotsEntry* entry = robots_cache_.get(site);
  if (entry == nullptr) return false;
  const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  const Duration retry_in =
      std::max(entry->expires - rt_.clock().now(), retry_delay(options_, item.attempts + 1, std::nullopt, jitter));
  std::optional<store::PageRecord> blocked = robots_block(item, *entry, unix_ms(), retry_in, options_.max_attempts);
  if (!blocked) return false;
  PageAnalysis a;
  a.retry = blocked->state == store::FrontierState::kQueued;
  a.record = std::move(*blocked);
  absorb(item, std::move(a));
  return true;
}

// Plain code, not a coroutine: what a page means for the frontier and the
// store, on the loop. (Kept out of process(): GCC 12 miscompiled this block
// inside the coroutine at -O2, calling through a garbage pointer.)
void Crawler::absorb(const FrontierItem& item, PageAnalysis a) {
  if (a.retry) {
    frontier_->retry_at(a.record.next_due_ms);
    ++counters_.retries;
    writer_.submit(std::move(a.record));
    return;
  }
  // A seed that redirected to another site: that site joins the scope.
  if (a.seed_redirect && scope_->scope.check(*a.seed_redirect, 0) != Verdict::kIn) {
    Status widened = widen_scope(*a.seed_redirect);
    (void)widened;  // cannot fail: the same options made the analysis' scope
  }
  // The content of a redirect belongs to its final URL, unless that URL is
  // already known to the crawl (then its own fetch, done or to come, has it).
  if (a.content && !frontier_->seen().insert(a.content->url)) {
    hand_over_body(*a.content, a.record);
    a.content.reset();
    a.candidates.clear();
  }
  if (a.content) traps_.count(a.content->url);  // new to the crawl: a page of its host
  store::PageRecord& owner = a.content ? *a.content : a.record;
  for (const Candidate& c : a.candidates) {
    if (trapped(c)) continue;
    if (std::optional<store::NewUrl> n = frontier_->discover(c)) owner.discovered.push_back(std::move(*n));
  }
  if (item.depth == 0) {
    if (a.record.status > 0) {
      ++seeds_ok_;
    } else if (!first_seed_error_) {
      first_seed_error_ = item.url + ": " + a.record.error_class + ": " + a.record.error_message;
    }
  }
  count_revisit(classify_revisit(item, a));
  account(a.record);
  writer_.submit(std::move(a.record));
  if (a.content) {
    account(*a.content);
    writer_.submit(std::move(*a.content));
  }
  counters_.known = static_cast<std::int64_t>(frontier_->seen().size());
  counters_.queued = static_cast<std::int64_t>(frontier_->queued());
  counters_.in_flight = static_cast<std::int64_t>(frontier_->in_flight()) - 1;
  counters_.db_has_more = frontier_->db_has_more();
  update_host_counters();
  if (options_.on_page) options_.on_page(counters_);
}

void Crawler::account(const store::PageRecord& r) {
  ++counters_.pages;
  if (r.error_class.empty()) ++counters_.ok;
  if (!r.error_class.empty()) ++counters_.errors[r.error_class];
  counters_.bytes += static_cast<std::int64_t>(r.bytes);
  counters_.wire_bytes += static_cast<std::int64_t>(r.wire_bytes);
  counters_.links += static_cast<std::int64_t>(r.links.size());
}

bool Crawler::trapped(const Candidate& c) {
  if (frontier_->seen().contains(c.url)) return false;  // known: not a new URL, the frontier skips it
  std::optional<TrapRefusal> refused = traps_.check(c.url);
  if (!refused) return false;
  if (refused->first) ++counters_.traps[refused->rule];
  if (refused->record) {
    store::PageRecord r = trap_record(c.url, c.depth, *refused, unix_ms());
    account(r);
    writer_.submit(std::move(r));
  }
  return true;
}

void Crawler::count_revisit(Revisit r) {
  if (r == Revisit::kNone) return;
  ++counters_.revisited;
  switch (r) {
    case Revisit::kNotModified: ++counters_.not_modified; break;
    case Revisit::kSame: ++counters_.same; break;
    case Revisit::kChanged: ++counters_.changed; break;
    case Revisit::kGone: ++counters_.gone; break;
    case Revisit::kFailed: ++counters_.revisit_failed; break;
    case Revisit::kNone: break;
  }
}

Status Crawler::finish() {
  Status s = writer_.finish();
  if (!s.ok()) return s;
  // A crawl that went to its end finished any open recrawl pass (--recrawl
  // or not: a plain run may finish a killed recrawl's queue).
  if (ran_to_end_ && outcome() == CrawlOutcome::kComplete) {
    if (s = store_.end_recrawl(unix_ms()); !s.ok()) return s;
  }
  if (frontier_ && !frontier_->error().ok()) return frontier_->error();
  return prepare_error_;
}

CrawlOutcome Crawler::outcome() const {
  if (!prepare_error_.ok() || !writer_.error().ok() || (frontier_ && !frontier_->error().ok())) {
    return CrawlOutcome::kFailed;
  }
  if (frontier_ && frontier_->budget_spent()) return CrawlOutcome::kPageLimit;
  if (frontier_ && frontier_->fleet() && store_.fleet_budget_spent()) return CrawlOutcome::kPageLimit;
  return CrawlOutcome::kComplete;
}

std::optional<std::string> Crawler::seed_failure() const {
  if (seeds_ok_ > 0) return std::nullopt;
  return first_seed_error_;
}

}  // namespace preheat::crawl
