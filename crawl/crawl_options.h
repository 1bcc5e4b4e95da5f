// What a crawl does: seeds, scope, limits, concurrency. Plain data with the
// defaults a careful user would pick (documented in README.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "crawl/extract/html_extractor.h"
#include "crawl/host_politeness.h"
#include "crawl/robots_policy.h"
#include "crawl/scope.h"
#include "crawl/sitemap.h"
#include "crawl/trap_guard.h"
#include "fetch/fetch_options.h"

namespace preheat::crawl {

struct CrawlCounters;

struct CrawlOptions {
  // Seeds, normalised (base/url_normalizer.h). Always fetched, whatever the scope.
  std::vector<std::string> seeds;
  ScopeOptions scope;
  // Pages being fetched or processed at once (async/parallel; sequential: 1).
  std::size_t concurrency = 16;
  // Stop after this many pages in the database (this run's and earlier ones'); -1: no limit.
  std::int64_t max_pages = -1;
  // A retryable failure (timeout, reset, 5xx, 429) is tried this many times in all.
  int max_attempts = 3;
  // Delay before retry k (k = 1, 2...): retry_base * 2^(k-1), or the server's
  // Retry-After when it is longer (capped at max_retry_delay).
  Duration retry_base = std::chrono::seconds(1);
  Duration max_retry_delay = std::chrono::minutes(10);
  // Frontier URLs held in memory; the rest wait in the database.
  std::size_t window = 20'000;
  // A write transaction commits at most this many pages, and at least every
  // commit_interval while pages arrive.
  std::size_t batch_pages = 256;
  Duration commit_interval = std::chrono::milliseconds(250);
  // robots.txt (RFC 9309; crawl/robots_policy.h, crawl/robots_gate.h): fetched
  // once per site before its first page and obeyed. false only with
  // `preheat crawl --no-robots`. The agent matched is fetch.user_agent's
  // product token ("preheat" by default).
  bool robots = true;
  RobotsOptions robots_options;
  // Sitemaps (crawl/sitemap.h; read by crawl/crawler_sitemaps.cc): once per
  // site, right after its robots.txt, the files robots.txt names (Sitemap:
  // lines), or SITE/sitemap.xml when it names none; a sitemap index's
  // children too (one level). Their in-scope URLs join the frontier at depth
  // 1. false only with `preheat crawl --no-sitemaps`.
  bool sitemaps = true;
  SitemapLimits sitemap_limits;
  // Sitemap files fetched per site at most (an index and its children).
  int max_sitemap_files = 50;
  // Page-level directives (X-Robots-Tag, meta robots, meta preheat: noindex,
  // nofollow, noarchive; crawl/page_analysis.h) are obeyed. They are stored
  // either way. false with `--ignore-robots-meta` or `--no-robots`.
  bool robots_meta = true;
  // Links marked rel=nofollow are followed (the default, like wget and most
  // site crawlers: on a site of one's own, rel=nofollow is a hint to search
  // engines about link credit, not a request to crawlers). false with
  // `--skip-rel-nofollow`: they are recorded but not fetched (unless another
  // link leads there).
  bool follow_rel_nofollow = true;
  // `--recrawl`: revisit every page the database holds, with conditional
  // requests (crawl/revisit.h). prepare() begins a recrawl pass, or continues
  // the open one (store/crawl_store.h, RecrawlPass); a run that completes
  // ends it. max_pages then counts the pages of this pass.
  bool recrawl = false;
  // Keep each page's final request and response (header blocks and decoded
  // body) in the database, for archives (`preheat export --format warc`).
  // `preheat crawl --no-bodies` turns it off (docs/schema.md has the cost).
  bool keep_bodies = true;
  // Back-pressure on the database writer: pages queued for it may hold at
  // most about this many bytes (bodies, texts, links) before workers wait.
  std::size_t max_bytes_queued = 64u << 20;
  // Per-host politeness (crawl/host_politeness.h): delays, Crawl-delay cap,
  // adaptive delay, error budget. max_in_flight <= 0: fetch.max_per_host.
  // The Crawl-delay cap applied is robots_options.max_crawl_delay.
  PolitenessOptions politeness;
  // Trap defences (crawl/trap_guard.h): URL length, repeated path segments,
  // calendars, pages per host. Asked about every new in-scope link.
  TrapOptions traps;
  ExtractOptions extract;
  fetch::FetchOptions fetch;
  // Called on the event loop after every page (for the progress line).
  std::function<void(const CrawlCounters&)> on_page;
};

}  // namespace preheat::crawl
