#include "cli/crawl_job.h"

#include <cstdio>
#include <iostream>
#include <random>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "base/url_normalizer.h"
#include "cli/crawl_progress.h"
#include "cli/exit_codes.h"
#include "cli/report.h"
#include "crawl/crawler.h"
#include "fetch/fetcher.h"
#include "runtime/runtime.h"
#include "store/crawl_store.h"
#include "trace/recorder.h"

namespace preheat::cli {

namespace {

// "hostname:pid:random": unique across the fleet, readable in host_leases.
std::string worker_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
  std::random_device random;
  char id[64];
  std::snprintf(id, sizeof id, ":%d:%08x", static_cast<int>(getpid()), random());
  return std::string(host) + id;
}


double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}


CrawlReport fail(int code, std::string message) {
  CrawlReport r;
  r.exit_code = code;
  r.error = std::move(message);
  r.outcome = "failed";
  return r;
}

// Exit code for a store error at open: bad input (a newer schema, not a
// preheat database) is 2; a path that cannot be written is 3.
int open_error_code(const Status& s) { return s.code() == Status::Code::kIoError ? kExitOutput : kExitUsage; }

// The seeds of the database's latest run (`--recrawl` without seeds).
Result<std::vector<std::string>> stored_seeds(const std::string& path) {
  Result<std::unique_ptr<store::CrawlStore>> db = store::open_crawl_store(path, {.read_only = true, .upgrade = true});
  if (!db.ok()) return db.status();
  Result<std::vector<store::RunSummary>> runs = (*db)->runs();
  if (!runs.ok()) return runs.status();
  std::vector<std::string> seeds;
  if (!runs->empty()) {
    const std::string& all = runs->front().seeds;
    for (std::size_t i = 0; i < all.size();) {
      std::size_t sp = all.find(' ', i);
      if (sp == std::string::npos) sp = all.size();
      if (sp > i) seeds.push_back(all.substr(i, sp - i));
      i = sp + 1;
    }
  }
  return seeds;
}

}  // namespace

CrawlReport run_crawl_job(const CrawlJob& job) {
  if (job.recrawl && job.fresh) return fail(kExitUsage, "--recrawl revisits what the database holds: not with --fresh");
  // 1. Seeds and scope: bad input is refused before anything is written.
  std::vector<std::string> raw_seeds = job.seeds;
  if (raw_seeds.empty() && job.recrawl) {
    Result<std::vector<std::string>> stored = stored_seeds(job.db);
    if (!stored.ok()) return fail(kExitUsage, "--recrawl: " + stored.status().message());
    raw_seeds = std::move(*stored);
  }
  std::vector<std::string> seeds;
  for (const std::string& raw : raw_seeds) {
    Result<std::string> n = normalize_url(raw);
    if (!n.ok()) return fail(kExitUsage, "bad seed URL '" + raw + "': " + n.status().message());
    if (!is_fetchable(*n)) return fail(kExitUsage, "bad seed URL '" + raw + "': only http and https URLs can be crawled");
    seeds.push_back(std::move(*n));
  }
  if (seeds.empty()) {
    return fail(kExitUsage, job.recrawl ? "no seed URL given, and the database records none"
                                        : "no seed URL given");
  }
  Result<crawl::Scope> scope = crawl::Scope::make(job.scope, seeds);
  if (!scope.ok()) return fail(kExitUsage, scope.status().message());
  const ExecutionMode mode = *parse_execution_mode(job.mode);

  // 2. The store.
  // On PostgreSQL every crawl process is a fleet worker (store/crawl_store.h
  // FleetOptions): several may crawl one database together.
  store::OpenOptions open_options{.fresh = job.fresh};
  if (job.db.starts_with("postgresql://") || job.db.starts_with("postgres://")) {
    // --max-pages holds for the whole fleet: the claims keep to it.
    open_options.fleet = store::FleetOptions{.worker_id = worker_id(),
                                             .lease_ms = static_cast<std::int64_t>(job.lease_s * 1000),
                                             .max_pages = job.max_pages,
                                             .count_pass = job.recrawl};
  }
  Result<std::unique_ptr<store::CrawlStore>> opened = store::open_crawl_store(job.db, open_options);
  if (!opened.ok()) return fail(open_error_code(opened.status()), opened.status().message());
  store::CrawlStore& db = **opened;

  // 3. Runtime, fetcher, crawler.
  const bool tracing = !job.trace_path.empty() || !job.svg_path.empty();
  trace::Recorder rec(steady_clock(), {.title = "preheat crawl (" + job.mode + ")", .unit = {"ms", 1e6}});
  const int threads = job.threads > 0 ? job.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  runtime::Runtime rt({.mode = mode, .workers = threads, .recorder = tracing ? &rec : nullptr, .stop_on_interrupt = true});
  fetch::FetchOptions fo;
  fo.max_in_flight = mode == ExecutionMode::kSequential ? 1 : job.concurrency;
  fo.max_per_host = job.per_host;
  apply(job.limits, fo);
  fo.user_agent = job.user_agent;
  std::unique_ptr<fetch::Fetcher> fetcher = fetch::make_fetcher(rt, fo);

  crawl::CrawlOptions co;
  co.seeds = seeds;
  co.scope = job.scope;
  co.concurrency = job.concurrency;
  co.max_pages = job.max_pages;
  co.max_attempts = job.max_attempts;
  co.retry_base = from_seconds(job.retry_delay_s);
  co.keep_bodies = job.keep_bodies;
  co.fetch = fo;
  co.robots = job.robots;
  co.sitemaps = job.sitemaps;
  co.robots_meta = job.robots && job.robots_meta;
  co.follow_rel_nofollow = job.follow_rel_nofollow;
  co.recrawl = job.recrawl;
  co.robots_options.max_crawl_delay = from_seconds(job.max_crawl_delay_s);
  co.politeness.min_delay = from_seconds(job.delay_ms / 1000);
  co.politeness.adaptive_factor = job.adaptive_delay;
  co.politeness.failures_to_pause = job.host_failures;
  co.politeness.first_pause = from_seconds(job.host_pause_s);
  co.politeness.max_pauses = job.host_pauses;
  co.politeness.max_in_flight = 0;  // the fetcher's --per-host
  co.traps = job.traps;
  if (!job.robots) {
    std::fprintf(stderr,
                 "%s: WARNING: --no-robots is on: robots.txt is NOT fetched and NOT obeyed, nor are noindex, "
                 "nofollow and noarchive (X-Robots-Tag, meta robots). Crawl only sites you own or may crawl "
                 "regardless of their robots rules.\n",
                 job.program.c_str());
  }
  ProgressPrinter progress(job.progress);
  co.on_page = [&progress](const crawl::CrawlCounters& c) { progress.update(c); };
  crawl::Crawler crawler(rt, *fetcher, db, std::move(*scope), co);

  Status prepared = crawler.prepare();
  if (!prepared.ok()) return fail(kExitFailure, "cannot start the crawl: " + prepared.message());
  store::RunInfo info;
  info.started_at_ms = crawl::unix_ms();
  info.mode = job.mode;
  for (const std::string& s : seeds) info.seeds += (info.seeds.empty() ? "" : " ") + s;
  info.options = job.command_line;
  Result<std::int64_t> run_id = db.begin_run(info);
  if (!run_id.ok()) return fail(kExitFailure, "cannot record the run: " + run_id.status().message());

  // 4. Run. Ctrl-C or SIGTERM: Runtime::run throws Interrupted after the
  // workers were cancelled; what was submitted is still committed below.
  const double cpu0 = process_cpu_seconds();
  const TimePoint t0 = steady_clock().now();
  rec.start();
  bool interrupted = false;
  try {
    rt.run(crawler.run());
  } catch (const runtime::Interrupted&) {
    interrupted = true;
  }
  rec.stop();
  const Status committed = crawler.finish();
  const double wall = to_seconds(steady_clock().now() - t0);
  const double cpu = process_cpu_seconds() - cpu0;
  progress.finish();

  CrawlReport r;
  r.started = true;
  r.counters = crawler.counters();
  r.hosts = crawler.politeness().states();
  r.recrawl = job.recrawl;
  r.outcome = interrupted ? "interrupted" : crawl::to_string(crawler.outcome());
  r.wall_s = wall;
  r.execution_s = cpu;
  r.pages_per_s = wall > 0 ? static_cast<double>(r.counters.pages) / wall : 0;
  r.waiting_share = wall > 0 ? std::max(0.0, 1.0 - cpu / wall) : 0;

  store::RunEnd end;
  end.ended_at_ms = crawl::unix_ms();
  end.wall_s = wall;
  end.execution_s = cpu;
  end.pages = r.counters.pages;
  end.outcome = r.outcome;
  Status ended = committed.ok() ? db.end_run(*run_id, end) : committed;
  if (Result<std::int64_t> n = db.page_count(); n.ok()) r.pages_total = *n;

  if (!ended.ok()) {
    r.exit_code = kExitFailure;
    r.error = "the database failed: " + ended.message();
    r.outcome = "failed";
    return r;
  }
  if (interrupted) {
    r.exit_code = kExitInterrupted;
    r.error = "interrupted; committed pages are kept, run the same command again to resume";
    return r;
  }
  if (tracing) {
    Status w = write_timelines(rec.snapshot(), job.trace_path, job.svg_path);
    if (!w.ok()) {
      r.exit_code = kExitOutput;
      r.error = w.message();
      return r;
    }
  }
  if (std::optional<std::string> seed = crawler.seed_failure()) {
    r.exit_code = kExitFailure;
    r.error = "no seed could be fetched: " + *seed;
  }
  return r;
}

}  // namespace preheat::cli
