// One crawl run, as `preheat crawl` and `preheat demo crawl` both do it:
// open the store, build the runtime, fetcher and crawler for a mode, run,
// commit, record the run, and measure wall-clock and execution time.
// Prints nothing but the progress line (stderr) when asked; the caller reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/transfer_limits.h"
#include "crawl/crawl_counters.h"
#include "crawl/host_politeness.h"
#include "crawl/scope.h"
#include "crawl/trap_guard.h"


namespace preheat::cli {

struct CrawlJob {
  std::vector<std::string> seeds;   // as typed; none with --recrawl: the database's last run's
  std::string db = "crawl.db";
  std::string mode = "async";
  std::size_t concurrency = 16;
  std::size_t per_host = 4;
  int threads = 0;                  // parallel mode workers; 0 = one per core
  std::int64_t max_pages = -1;
  crawl::ScopeOptions scope;
  bool fresh = false;
  // PostgreSQL: this process is one worker of a fleet (several crawlers on
  // one database); its host and URL leases last this long without renewal.
  double lease_s = 30;
  bool keep_bodies = true;          // false: --no-bodies
  int max_attempts = 3;
  double retry_delay_s = 1;
  // --timeout, --stall-timeout...; a crawl gives one page 30 s, not 60.
  TransferLimits limits{.timeout_s = 30};
  std::string user_agent;
  bool robots = true;               // false: --no-robots (warned about on stderr; also ignores robots meta)
  bool sitemaps = true;             // false: --no-sitemaps
  bool robots_meta = true;          // false: --ignore-robots-meta (X-Robots-Tag, meta robots)
  bool follow_rel_nofollow = true;  // false: --skip-rel-nofollow
  bool recrawl = false;             // --recrawl: revisit known pages (conditional requests)
  // Politeness per host (crawl/host_politeness.h).
  double delay_ms = 0;              // --delay: minimum between request starts
  double max_crawl_delay_s = 30;    // --max-crawl-delay: cap on robots.txt Crawl-delay
  double adaptive_delay = 0;        // --adaptive-delay F: delay >= F x response time (0: off)
  int host_failures = 5;            // --host-failures: consecutive failures that pause a host
  double host_pause_s = 5;          // --host-pause: first pause (doubles)
  int host_pauses = 3;              // --host-pauses: pauses before the host is given up
  // Trap defences (crawl/trap_guard.h): --max-url-length, --max-pages-per-host...
  crawl::TrapOptions traps;
  std::string trace_path;
  std::string svg_path;
  bool progress = true;
  std::string command_line;         // recorded in the runs table
  std::string program = "preheat crawl";  // prefix of error messages
};

struct CrawlReport {
  int exit_code = 0;
  bool started = false;             // false: refused before crawling (bad input)
  std::string error;                // for people, when exit_code != 0
  std::string outcome;              // complete | page-limit | interrupted | failed
  crawl::CrawlCounters counters;
  double wall_s = 0;
  double execution_s = 0;           // CPU time of the process (user + sys)
  double pages_per_s = 0;
  double waiting_share = 0;         // 1 - execution / wall, at least 0
  // Page rows in the database afterwards; none when they could not be read
  // (the database failed).
  std::optional<std::int64_t> pages_total;
  std::vector<crawl::HostState> hosts;  // per-host politeness state at the end
  bool recrawl = false;             // the job was a --recrawl
};

CrawlReport run_crawl_job(const CrawlJob& job);

}  // namespace preheat::cli
