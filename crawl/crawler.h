// Crawler: the article's web crawler. Seeds in, a whole site in the store.
//
// Data flow (docs/architecture.md, "Crawl", numbered there):
//   1. prepare(): claims left by a killed crawler are released, the SeenSet
//      is rebuilt from the database, new seeds are stored.
//   2. `concurrency` workers (1 in sequential mode) each loop: take a URL from
//      the Frontier (its site's robots.txt and sitemaps first, once per site:
//      crawl/crawler_sitemaps.cc), 3. fetch it (fetch::Fetcher: blocking in sequential mode,
//      curl multi on the loop otherwise), 4. analyze it (analyze_page: parse,
//      resolve, scope; CPU work, on a worker thread in parallel mode),
//      5. on the loop: new URLs past the TrapGuard into the Frontier and
//      the record to the StoreWriter, whose thread commits batches.
//   6. run() returns when the Frontier says the crawl is over; finish()
//      commits what is pending (also after an interrupt).
//
// A kill -9 at any moment loses only uncommitted pages; their URLs are still
// claimed in the database and are fetched again by the next run (step 1).
// No committed page is fetched again: its frontier row is done.
//
// Fleet mode (a store opened with FleetOptions: several processes on one
// PostgreSQL, docs/architecture.md): the Frontier claims only URLs of hosts
// this process holds a lease on, so politeness_ is the fleet's for them; a
// host newly held counts as one request start (its first request here waits
// one delay after the previous owner's last), a host no longer held has its
// idle connections closed, a redirect to another host is queued for that
// host's holder instead of followed (crawl/crawler_redirects.cc), and
// max_pages is the store's (the claims keep the whole fleet within it).
//
// Thread safety: prepare() and finish() on the caller's thread outside
// Runtime::run(); run() inside it; counters() on the loop or after run().
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>

#include "base/status.h"
#include "crawl/crawl_counters.h"
#include "crawl/crawl_options.h"
#include "crawl/frontier.h"
#include "crawl/host_politeness.h"
#include "crawl/revisit.h"
#include "crawl/robots_policy.h"
#include "crawl/scope.h"
#include "crawl/sitemap.h"
#include "crawl/store_writer.h"
#include "crawl/trap_guard.h"
#include "fetch/fetcher.h"
#include "runtime/condition.h"
#include "store/crawl_store.h"

namespace preheat::runtime {
class Runtime;
}

namespace preheat::crawl {

// How a crawl ended.
enum class CrawlOutcome { kComplete, kPageLimit, kInterrupted, kFailed };
const char* to_string(CrawlOutcome outcome);

class Crawler {
 public:
  // Everything passed in must outlive the crawler. `scope` is made from the
  // same seeds as options.seeds.
  Crawler(runtime::Runtime& rt, fetch::Fetcher& fetcher, store::CrawlStore& store, Scope scope, CrawlOptions options);

  // Step 1 (synchronous; before Runtime::run).
  Status prepare();
  // Steps 2-6; returns when the crawl is over or the writer failed.
  runtime::Task<void> run();
  // Commits every pending record (call after Runtime::run returned or threw).
  // A crawl that ran to its end (complete) also ends the open recrawl pass.
  // Returns the first store error of the whole crawl.
  Status finish();

  const CrawlCounters& counters() const { return counters_; }
  // After run(): complete, page limit or failed (interrupts are the caller's).
  CrawlOutcome outcome() const;
  // The first seed that could not be fetched, with why ("refused: ..."), when
  // every seed failed: the crawl had nothing to start from.
  std::optional<std::string> seed_failure() const;
  // What robots.txt says for a site ("http://h:8080"), once fetched: its
  // rules, Crawl-delay (effective_crawl_delay) and Sitemap lines. Null when
  // not fetched (or robots are off). Loop thread, or after run().
  const RobotsEntry* robots(std::string_view site) const { return robots_cache_.get(site); }
  // Per-host politeness state (requests, errors, pauses, delay, given up).
  const HostPoliteness& politeness() const { return politeness_; }

 private:
  runtime::Task<void> worker();
  runtime::Task<void> process(FrontierItem item);
  void absorb(const FrontierItem& item, PageAnalysis analysis);
  // robots.txt (crawl/robots_gate.h): true when the item may not be fetched
  // (its record is then absorbed). Fetches the site's file first when the
  // cache has none; other workers for that site wait for it.
  runtime::Task<bool> robots_blocked(const FrontierItem& item, trace::TaskId task);
  // The site's robots.txt is in the cache when this returns (fetched by this
  // worker or another one).
  runtime::Task<void> ensure_robots(const std::string& site, trace::TaskId task);
  runtime::Task<void> fetch_robots(std::string site, trace::TaskId task);
  bool block_by_robots(const FrontierItem& item, const std::string& site);
  void account(const store::PageRecord& record);
  // A new candidate that looks like a trap (crawl/trap_guard.h): true when
  // refused (counted; the first ones per host and rule get a page row).
  bool trapped(const Candidate& candidate);
  void count_revisit(Revisit r);
  // Politeness (crawl/host_politeness.h), plain code around the fetch:
  // before: true when the item was parked or given up (not fetched now);
  // after: the outcome recorded, the host's parked items told when due.
  bool hold_for_host(FrontierItem& item, const std::string& host);
  // Before a redirect hop (fetch::Request::before_hop): waits until the
  // target's host may be sent a request (its delay, Crawl-delay, any pause),
  // then counts the hop as a start there.
  runtime::Task<void> wait_for_hop(std::string target);
  // True when the host was given up: the item is recorded as host-failing.
  bool give_up_item(const FrontierItem& item, const std::string& host);
  void host_finished(const std::string& host, const fetch::FetchResult& fetched);
  void update_host_counters();

  // True when the item was parked because its site's robots.txt must be
  // fetched and the host is paused (Retry-After, error budget) or its delay
  // has not passed: robots.txt waits like any request, without holding a
  // worker.
  bool park_for_robots(FrontierItem& item, const std::string& host);
  // robots.txt for redirect targets (crawl/crawler_redirects.cc): the
  // fetch's redirect check, and what a refused redirect means for the page.
  // `from`: the fleet host (store::fleet_host) of the URL being fetched.
  std::string redirect_refusal(const std::string& target, const std::string& from) const;
  void after_refused_redirect(const FrontierItem& item, PageAnalysis& analysis);

  // Sitemaps (crawl/crawler_sitemaps.cc; options.sitemaps): read once per
  // site by the first worker that gets one of its URLs, after robots.txt.
  struct SitemapFile {
    std::string url;
    std::string site;      // the site whose URLs it may list (whose robots.txt named it)
    bool guessed = false;  // SITE/sitemap.xml tried without robots.txt naming it
    int level = 0;         // 0: named or guessed; 1: a sitemap index's child
  };
  runtime::Task<void> read_sitemaps(std::string site, trace::TaskId task);
  // True when the file was fetched.
  runtime::Task<bool> read_sitemap(SitemapFile file, trace::TaskId task, std::deque<SitemapFile>& todo);
  // Waits until the host's delays and pauses allow a start; false when the
  // host was given up.
  runtime::Task<bool> wait_for_host(const std::string& host);
  std::deque<SitemapFile> first_sitemaps(const std::string& site) const;
  bool may_fetch_sitemap(const SitemapFile& file);
  void absorb_sitemap(const SitemapFile& file, fetch::FetchResult fetched, const SitemapParse& parsed,
                      std::int64_t now_ms, std::deque<SitemapFile>& todo);
  std::unordered_set<std::string> sitemap_sites_;  // sites whose sitemaps were read (or are being read)
  std::int64_t sitemap_room_ = -1;  // URLs sitemaps may still add (max_pages; -1: no limit)

  runtime::Runtime& rt_;
  fetch::Fetcher& fetcher_;
  store::CrawlStore& store_;
  // The scope and the seeds it was made from. Replaced (never changed in
  // place) when a seed redirects to another site: analyses running on worker
  // threads keep the snapshot they started with.
  struct ScopeSnapshot {
    Scope scope;
    std::vector<std::string> seeds;
  };
  std::shared_ptr<const ScopeSnapshot> scope_;
  // Widens the scope by the site of `final_url` (loop thread only).
  Status widen_scope(const std::string& final_url);
  CrawlOptions options_;
  StoreWriter writer_;
  std::optional<Frontier> frontier_;
  CrawlCounters counters_;
  std::minstd_rand rng_{20261127};
  std::int64_t seeds_ok_ = 0;
  std::optional<std::string> first_seed_error_;
  Status prepare_error_;
  RobotsCache robots_cache_;
  std::unordered_set<std::string> robots_pending_;  // sites whose robots.txt is being fetched
  runtime::Condition robots_changed_;
  HostPoliteness politeness_;
  TrapGuard traps_;
  bool ran_to_end_ = false;  // run() returned by itself (not cancelled)
};

}  // namespace preheat::crawl
