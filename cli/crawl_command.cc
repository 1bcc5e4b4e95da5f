// preheat crawl SEED... / preheat urls / preheat stats: a whole site into a
// database, and what is in it.
#include <iostream>
#include <memory>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/crawl_job.h"
#include "cli/exit_codes.h"
#include "cli/report.h"
#include "store/crawl_store.h"

namespace preheat::cli {

namespace {

struct CrawlFlags {
  CrawlJob job;
  std::string scope = "host";
  int max_depth = -1;
  bool json = false;
  bool quiet = false;
  bool no_robots = false;
  bool no_bodies = false;
  bool no_sitemaps = false;
  bool ignore_robots_meta = false;
  bool skip_rel_nofollow = false;
};

std::string human_bytes(double b) {
  if (b >= 1e9) return human_number(b / 1e9) + " GB";
  if (b >= 1e6) return human_number(b / 1e6) + " MB";
  if (b >= 1e3) return human_number(b / 1e3) + " kB";
  return human_number(b) + " B";
}

boost::json::object report_json(const CrawlReport& r, const std::string& mode) {
  boost::json::object o;
  o["mode"] = mode;
  o["outcome"] = r.outcome;
  o["pages"] = r.counters.pages;
  std::int64_t errors = 0;
  boost::json::object by_class;
  for (const auto& [k, n] : r.counters.errors) {
    errors += n;
    by_class[k] = n;
  }
  o["errors"] = errors;
  o["errors_by_class"] = std::move(by_class);
  std::int64_t refused = 0;
  boost::json::object traps;
  for (const auto& [rule, n] : r.counters.traps) {
    refused += n;
    traps[rule] = n;
  }
  o["traps_refused"] = refused;
  o["traps"] = std::move(traps);
  o["retries"] = r.counters.retries;
  o["bytes"] = r.counters.bytes;
  o["wire_bytes"] = r.counters.wire_bytes;
  o["links"] = r.counters.links;
  o["known_urls"] = r.counters.known;
  o["sitemaps"] = r.counters.sitemaps;
  o["sitemap_urls"] = r.counters.sitemap_urls;
  o["sitemap_urls_added"] = r.counters.sitemap_added;
  o["pages_before"] = r.counters.pages_before;
  if (r.pages_total) {
    o["pages_total"] = *r.pages_total;
  } else {
    o["pages_total"] = nullptr;  // could not be read (the database failed)
  }
  o["wall_s"] = json_number(r.wall_s);
  o["execution_s"] = json_number(r.execution_s);
  o["waiting_share"] = json_number(r.waiting_share);
  o["pages_per_s"] = json_number(r.pages_per_s);
  boost::json::array hosts;
  for (const crawl::HostState& h : r.hosts) {
    boost::json::object x;
    x["host"] = h.host;
    x["requests"] = h.requests;
    x["errors"] = h.errors;
    x["pauses"] = h.pauses;
    x["delay_ms"] = json_number(to_millis(h.delay));
    x["crawl_delay_ms"] = json_number(to_millis(h.crawl_delay));
    if (h.given_up) {
      x["given_up"] = *h.given_up;
    } else {
      x["given_up"] = nullptr;
    }
    hosts.push_back(std::move(x));
  }
  o["hosts"] = std::move(hosts);
  const crawl::CrawlCounters& c = r.counters;
  if (r.recrawl || c.revisited > 0) {
    boost::json::object x;
    x["resumed"] = c.recrawl_resumed;
    x["requeued"] = c.requeued;
    x["revisited"] = c.revisited;
    x["not_modified"] = c.not_modified;
    x["same"] = c.same;
    x["changed"] = c.changed;
    x["gone"] = c.gone;
    x["failed"] = c.revisit_failed;
    o["recrawl"] = std::move(x);
  } else {
    o["recrawl"] = nullptr;
  }
  return o;
}

void print_report(const CrawlReport& r, const std::string& mode, const std::string& db) {
  std::int64_t errors = 0;
  std::string classes;
  for (const auto& [k, n] : r.counters.errors) {
    errors += n;
    classes += fmt::format("{}{} {}", classes.empty() ? "" : ", ", k, n);
  }
  std::cout << fmt::format("crawl {}: {} pages ({} ok, {} errors{}), {}, {} mode\n", r.outcome, r.counters.pages,
                           r.counters.ok, errors, classes.empty() ? "" : ": " + classes,
                           human_bytes(static_cast<double>(r.counters.bytes)), mode);
  if (!r.counters.traps.empty()) {
    std::int64_t refused = 0;
    std::string rules;
    for (const auto& [rule, n] : r.counters.traps) {
      refused += n;
      rules += fmt::format("{}{} {}", rules.empty() ? "" : ", ", rule, n);
    }
    const auto rows = r.counters.errors.find("trap");
    std::cout << fmt::format("traps: {} URLs refused ({}); {} recorded as pages with error class trap\n", refused,
                             rules, rows == r.counters.errors.end() ? 0 : rows->second);
  }
  std::cout << fmt::format("wall-clock {} · execution {} · waiting {:.0f}% · {:.0f} pages/s\n",
                           human_duration(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(r.wall_s))),
                           human_duration(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(r.execution_s))),
                           100 * r.waiting_share, r.pages_per_s);
  if (r.pages_total) {
    std::cout << fmt::format("database {}: {} pages in all ({} before this run)\n", db, *r.pages_total,
                             r.counters.pages_before);
  } else {
    std::cout << fmt::format("database {}: page count unknown (the database failed; {} pages before this run)\n", db,
                             r.counters.pages_before);
  }
  const crawl::CrawlCounters& c = r.counters;
  if (r.recrawl || c.revisited > 0) {
    std::cout << fmt::format("recrawl{}: {} revisited: {} unchanged (304), {} same content, {} changed, {} gone "
                             "(404/410), {} failed\n",
                             c.recrawl_resumed ? " (continued)" : fmt::format(" ({} pages queued again)", c.requeued),
                             c.revisited, c.not_modified, c.same, c.changed, c.gone, c.revisit_failed);
  }
}

int run_crawl(CrawlFlags f) {
  Result<crawl::ScopeKind> kind = crawl::parse_scope_kind(f.scope);
  if (!kind.ok()) {
    std::cerr << "preheat crawl: " << kind.status().message() << "\n";
    return kExitUsage;
  }
  f.job.scope.kind = *kind;
  // They count appearances: 0 would refuse every link.
  for (const auto& [name, value] : {std::pair{"--max-path-repeats", f.job.traps.max_path_repeats},
                                    std::pair{"--max-segment-repeats", f.job.traps.max_segment_repeats}}) {
    if (value == 0) {
      std::cerr << "preheat crawl: " << name << " 0 would refuse every link: give -1 (off) or at least 1\n";
      return kExitUsage;
    }
  }
  f.job.scope.max_depth = f.max_depth;
  f.job.progress = !f.quiet;
  f.job.robots = !f.no_robots;
  f.job.robots_meta = !f.ignore_robots_meta;
  f.job.follow_rel_nofollow = !f.skip_rel_nofollow;
  f.job.keep_bodies = !f.no_bodies;
  f.job.sitemaps = !f.no_sitemaps;
  const CrawlReport r = run_crawl_job(f.job);
  if (!r.started) {
    // Refused before crawling (bad seed, bad database): only the message.
    std::cerr << "preheat crawl: " << r.error << "\n";
    return r.exit_code;
  }
  if (f.json) {
    print_json(report_json(r, f.job.mode));
  } else if (!f.quiet || r.exit_code != kExitOk) {
    print_report(r, f.job.mode, f.job.db);
  }
  if (!r.error.empty()) std::cerr << "preheat crawl: " << r.error << "\n";
  return r.exit_code;
}

Result<std::unique_ptr<store::CrawlStore>> open_for_reading(const std::string& db) {
  return store::open_crawl_store(db, {.read_only = true});
}

int run_urls(const std::string& db, std::optional<int> status) {
  auto opened = open_for_reading(db);
  if (!opened.ok()) {
    std::cerr << "preheat urls: " << opened.status().message() << "\n";
    return kExitUsage;
  }
  auto urls = (*opened)->page_urls(status);
  if (!urls.ok()) {
    std::cerr << "preheat urls: " << urls.status().message() << "\n";
    return kExitFailure;
  }
  std::string out;
  for (const std::string& u : *urls) {
    out += u;
    out += '\n';
  }
  std::cout << out << std::flush;
  return kExitOk;
}

int run_stats(const std::string& db, bool json) {
  auto opened = open_for_reading(db);
  if (!opened.ok()) {
    std::cerr << "preheat stats: " << opened.status().message() << "\n";
    return kExitUsage;
  }
  auto st = (*opened)->stats();
  if (!st.ok()) {
    std::cerr << "preheat stats: " << st.status().message() << "\n";
    return kExitFailure;
  }
  const store::CrawlStats& s = *st;
  if (json) {
    boost::json::object o;
    o["urls"] = s.urls;
    o["pages"] = s.pages;
    o["links"] = s.links;
    o["redirects"] = s.redirects;
    o["bytes"] = s.bytes;
    o["wire_bytes"] = s.wire_bytes;
    o["runs"] = s.runs;
    o["first_fetch_ms"] = s.first_fetch_ms;
    o["last_fetch_ms"] = s.last_fetch_ms;
    boost::json::object frontier, classes, errors, depths;
    for (const auto& [k, n] : s.frontier) frontier[store::to_string(k)] = n;
    for (const auto& [k, n] : s.status_classes) classes[k == 0 ? std::string("none") : std::to_string(k) + "xx"] = n;
    for (const auto& [k, n] : s.errors) errors[k] = n;
    boost::json::object traps;
    for (const auto& [k, n] : s.traps) traps[k] = n;
    o["traps"] = std::move(traps);
    for (const auto& [k, n] : s.depths) depths[std::to_string(k)] = n;
    o["frontier"] = std::move(frontier);
    o["status_classes"] = std::move(classes);
    o["errors"] = std::move(errors);
    o["depths"] = std::move(depths);
    boost::json::array hosts;
    for (const store::HostStats& h : s.hosts) {
      boost::json::object x;
      x["host"] = h.host;
      x["pages"] = h.pages;
      x["errors"] = h.errors;
      x["attempts"] = h.attempts;
      x["mean_elapsed_s"] = json_number(h.mean_elapsed_s);
      x["given_up"] = h.given_up;
      hosts.push_back(std::move(x));
    }
    o["hosts"] = std::move(hosts);
    print_json(o);
    return kExitOk;
  }
  std::cout << fmt::format("{}: {} pages, {} URLs known, {} links, {} redirects, {} ({} on the wire), {} runs\n", db,
                           s.pages, s.urls, s.links, s.redirects, human_bytes(static_cast<double>(s.bytes)),
                           human_bytes(static_cast<double>(s.wire_bytes)), s.runs);
  std::string line = "frontier:";
  for (const auto& [k, n] : s.frontier) line += fmt::format(" {} {}", store::to_string(k), n);
  std::cout << line << "\n";
  line = "status:";
  for (const auto& [k, n] : s.status_classes) line += fmt::format(" {} {}", k == 0 ? std::string("none") : std::to_string(k) + "xx", n);
  std::cout << line << "\n";
  if (!s.errors.empty()) {
    line = "errors:";
    for (const auto& [k, n] : s.errors) line += fmt::format(" {} {}", k, n);
    std::cout << line << "\n";
  }
  if (!s.traps.empty()) {
    line = "traps (pages with error class trap, by rule):";
    for (const auto& [k, n] : s.traps) line += fmt::format(" {} {}", k, n);
    std::cout << line << "\n";
  }
  line = "depth:";
  for (const auto& [k, n] : s.depths) line += fmt::format(" {}:{}", k, n);
  std::cout << line << "\n";
  // Per host, the first 20 (all of them in --json).
  for (std::size_t i = 0; i < s.hosts.size() && i < 20; ++i) {
    const store::HostStats& h = s.hosts[i];
    std::cout << fmt::format("host {}: {} pages, {} errors, {} attempts, {:.3f} s mean{}\n", h.host, h.pages, h.errors,
                             h.attempts, h.mean_elapsed_s, h.given_up ? ", given up (host-failing)" : "");
  }
  if (s.hosts.size() > 20) std::cout << fmt::format("... {} hosts in all (--json lists them)\n", s.hosts.size());
  return kExitOk;
}

}  // namespace

void add_crawl_commands(CLI::App& app, std::vector<Command>& out) {
  auto f = std::make_shared<CrawlFlags>();
  CLI::App* sub = app.add_subcommand("crawl", "Crawl a whole site into a database (resumable)");
  sub->footer(
      "Examples:\n  preheat crawl http://127.0.0.1:8080/ --db site.db\n"
      "  preheat crawl https://docs.example.org/guide/ --scope prefix --mode parallel --json\n"
      "  preheat crawl --db site.db --recrawl\n"
      "Running the same command on an existing database resumes the crawl; --fresh starts over;\n"
      "--recrawl revisits every stored page with If-None-Match / If-Modified-Since (a killed recrawl\n"
      "continues where it was).\n"
      "Exit codes: 0 done (also when some pages failed: see the errors), 1 nothing could be fetched\n"
      "or the database failed, 2 bad input, 3 the database cannot be written, 130 interrupted.");
  sub->add_option("seed", f->job.seeds, "Start URLs (http or https); with --recrawl, default: the last run's");
  sub->add_option("--db", f->job.db, "SQLite database file")->capture_default_str();
  add_mode_option(*sub, f->job.mode,
                  "sequential: one blocking request at a time; async: many in flight on one thread; parallel: "
                  "parsing on worker threads too");
  sub->add_option("--concurrency", f->job.concurrency, "Requests in flight at most")->check(CLI::Range(1, 100000))->capture_default_str();
  sub->add_option("--per-host", f->job.per_host, "Requests in flight to one host at most")->check(CLI::Range(1, 100000))->capture_default_str();
  sub->add_option("--threads", f->job.threads, "Worker threads in parallel mode (0: one per core)")->check(CLI::Range(0, 1024))->capture_default_str();
  sub->add_option("--max-pages", f->job.max_pages, "Stop when the database holds this many pages (-1: no limit)")->check(CLI::Range(static_cast<std::int64_t>(-1), static_cast<std::int64_t>(1) << 50))->capture_default_str();
  sub->add_option("--max-depth", f->max_depth, "Follow links at most this many hops from a seed (-1: no limit)")->check(CLI::Range(-1, 1000000))->capture_default_str();
  sub->add_option("--scope", f->scope, "host: the seeds' hosts; domain: their registrable domains; prefix: below the seeds' folders")
      ->check(CLI::IsMember({"host", "domain", "prefix"}))->capture_default_str();
  sub->add_option("--include", f->job.scope.include, "Only URLs matching this regex (RE2 syntax, repeatable)");
  sub->add_option("--exclude", f->job.scope.exclude, "Never URLs matching this regex (repeatable)");
  sub->add_option("--max-attempts", f->job.max_attempts, "Tries per URL for retryable errors")->check(CLI::Range(1, 100))->capture_default_str();
  sub->add_option("--retry-delay", f->job.retry_delay_s, "Seconds before the first retry (doubles each time)")->check(CLI::Range(0.0, 86400.0))->capture_default_str();
  add_transfer_limit_options(*sub, f->job.limits);
  sub->add_option("--user-agent", f->job.user_agent, "User-Agent (default: preheat/VERSION)");
  sub->add_option("--delay", f->job.delay_ms, "Milliseconds between request starts to one host at least")->check(CLI::Range(0.0, 3600e3))->capture_default_str();
  sub->add_option("--max-crawl-delay", f->job.max_crawl_delay_s, "Cap in seconds on robots.txt Crawl-delay (and on --adaptive-delay)")->check(CLI::Range(0.0, 3600.0))->capture_default_str();
  sub->add_option("--adaptive-delay", f->job.adaptive_delay, "Delay per host at least F x its average response time (0: off)")->check(CLI::Range(0.0, 100.0))->capture_default_str();
  sub->add_option("--host-failures", f->job.host_failures, "Consecutive failures (no answer, 5xx, 429) that pause a host")->check(CLI::Range(1, 100000))->capture_default_str();
  sub->add_option("--host-pause", f->job.host_pause_s, "Seconds of a host's first pause (doubles each time)")->check(CLI::Range(0.0, 86400.0))->capture_default_str();
  sub->add_option("--host-pauses", f->job.host_pauses, "Pauses before a failing host is given up (its URLs: host-failing)")->check(CLI::Range(0, 1000))->capture_default_str();
  // Trap defences (crawl/trap_guard.h); -1 turns a limit off.
  crawl::TrapOptions& traps = f->job.traps;
  constexpr std::int64_t kBig = std::int64_t{1} << 50;
  sub->add_option("--max-url-length", traps.max_url_length, "Refuse links longer than this many bytes (-1: no limit)")->check(CLI::Range(std::int64_t{-1}, kBig))->capture_default_str();
  sub->add_option("--max-pages-per-host", traps.max_pages_per_host, "Queue at most this many URLs per host, seeds included (-1: no limit)")->check(CLI::Range(std::int64_t{-1}, kBig))->capture_default_str();
  sub->add_option("--max-path-repeats", traps.max_path_repeats, "Refuse a path where a run of segments appears more than this many times in a row (/a/b/a/b/a/b; -1: off)")->check(CLI::Range(-1, 1000))->capture_default_str();
  sub->add_option("--max-segment-repeats", traps.max_segment_repeats, "Refuse a path with one segment more than this many times anywhere (-1: off)")->check(CLI::Range(-1, 1000))->capture_default_str();
  sub->add_option("--max-future-days", traps.max_future_days, "Refuse a URL dated more than this many days after the crawl started (calendars; -1: off)")->check(CLI::Range(std::int64_t{-1}, std::int64_t{3'650'000}))->capture_default_str();
  sub->add_option("--max-pages-per-date-pattern", traps.max_pages_per_date_pattern, "Queue at most this many calendar-like URLs per host and date pattern (/calendar/{date}; -1: no limit)")->check(CLI::Range(std::int64_t{-1}, kBig))->capture_default_str();
  sub->add_option("--max-trap-rows", traps.max_rows_per_rule, "Refused URLs recorded as pages (error class trap) per host and rule; the rest are counted (-1: all)")->check(CLI::Range(std::int64_t{-1}, kBig))->capture_default_str();
  sub->add_flag("--no-robots", f->no_robots,
                "Ignore robots.txt (on by default: fetched once per site, its rules obeyed); prints a warning");
  sub->add_flag("--no-sitemaps", f->no_sitemaps,
                "Do not read sitemaps (on by default: robots.txt's Sitemap: files, else /sitemap.xml, once per site)");
  sub->add_flag("--fresh", f->job.fresh, "Forget what the database holds and start over");
  sub->add_option("--lease", f->job.lease_s,
                  "PostgreSQL: seconds after which a killed worker's hosts and claimed URLs go to the other "
                  "workers (a live one renews them every S/3 on its own connection, however long its fetches "
                  "take): shorter recovers from a kill sooner, longer rides out longer stalls of a process or "
                  "the database")
      ->check(CLI::Range(0.05, 3600.0))
      ->capture_default_str();
  sub->add_flag("--recrawl", f->job.recrawl,
                "Revisit every stored page with conditional requests (304: kept as unchanged); resumable");
  sub->add_flag("--ignore-robots-meta", f->ignore_robots_meta,
                "Do not obey noindex/nofollow/noarchive from X-Robots-Tag and meta robots (still recorded)");
  sub->add_flag("--skip-rel-nofollow", f->skip_rel_nofollow,
                "Do not follow links marked rel=nofollow (default: followed; always recorded)");
  sub->add_flag("--no-bodies", f->no_bodies,
                "Do not keep response bodies and headers (smaller database; no WARC export)");
  sub->add_option("--trace", f->job.trace_path, "Write the timeline as Chrome trace JSON (sampled on big crawls)");
  sub->add_option("--svg", f->job.svg_path, "Write the timeline as SVG");
  sub->add_flag("--json", f->json, "Print the summary as JSON");
  sub->add_flag("--quiet", f->quiet, "No progress line");
  out.push_back(Command{sub, [f] {
                          CrawlFlags copy = *f;
                          copy.job.command_line = "preheat crawl";
                          for (const std::string& s : copy.job.seeds) copy.job.command_line += " " + s;
                          return run_crawl(std::move(copy));
                        }});

  auto urls_db = std::make_shared<std::string>("crawl.db");
  auto urls_status = std::make_shared<int>(0);
  CLI::App* urls = app.add_subcommand("urls", "Print the fetched URLs of a crawl database, sorted");
  urls->footer("Example:\n  preheat urls --db site.db --status 404");
  urls->add_option("--db", *urls_db, "Database")->capture_default_str();
  CLI::Option* status_opt = urls->add_option("--status", *urls_status, "Only pages with this final HTTP status (0: no answer)")->check(CLI::Range(0, 999));
  out.push_back(Command{urls, [urls_db, urls_status, status_opt] {
                          return run_urls(*urls_db, status_opt->count() > 0 ? std::optional<int>(*urls_status) : std::nullopt);
                        }});

  auto stats_db = std::make_shared<std::string>("crawl.db");
  auto stats_json = std::make_shared<bool>(false);
  CLI::App* stats = app.add_subcommand("stats", "Print the figures of a crawl database");
  stats->footer("Example:\n  preheat stats --db site.db --json");
  stats->add_option("--db", *stats_db, "Database")->capture_default_str();
  stats->add_flag("--json", *stats_json, "As JSON");
  out.push_back(Command{stats, [stats_db, stats_json] { return run_stats(*stats_db, *stats_json); }});
}

}  // namespace preheat::cli
