// preheat demo crawl: the article's crawler comparison, measured. A testsite
// with 50 ms latency (a child process), crawled in all three modes; wall-clock
// vs execution time and pages/s per mode, and the three timelines.
#include <iostream>
#include <memory>

#include <unistd.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <fmt/format.h>

#include "cli/child_testsite.h"
#include "cli/commands.h"
#include "cli/crawl_job.h"
#include "cli/exit_codes.h"
#include "base/execution_mode.h"
#include "cli/report.h"

namespace preheat::cli {

namespace {

struct DemoCrawlOptions {
  std::size_t pages = 300;
  int latency_ms = 50;
  std::size_t concurrency = 16;
  int threads = 2;
  std::string out = "preheat-out";
  bool json = false;
};

int run_demo_crawl(const DemoCrawlOptions& o) {
  Result<ChildTestsite> site = ChildTestsite::start(
      {"--pages", std::to_string(o.pages), "--latency", std::to_string(o.latency_ms), "--fanout", "4"});
  if (!site.ok()) {
    std::cerr << "preheat demo crawl: " << site.status().message() << "\n";
    return kExitFailure;
  }
  if (!o.json) {
    std::cout << fmt::format("crawling {} ({} pages, {} ms per response) in each mode, {} requests in flight\n\n",
                             site->url(), o.pages, o.latency_ms, o.concurrency);
    std::cout << fmt::format("{:<11} {:>6}  {:>10}  {:>9}  {:>7}  {:>8}\n", "mode", "pages", "wall-clock", "execution",
                             "waiting", "pages/s");
  }
  boost::json::array rows;
  double sequential_wall = 0;
  for (ExecutionMode mode : kAllModes) {
    const std::string m(to_string(mode));
    CrawlJob job;
    job.seeds = {site->url()};
    job.db = o.out + "/crawl-" + m + ".db";
    job.mode = m;
    job.concurrency = o.concurrency;
    job.per_host = o.concurrency;
    job.threads = o.threads;
    job.fresh = true;
    job.trace_path = o.out + "/crawl-" + m + ".json";
    job.svg_path = o.out + "/crawl-" + m + ".svg";
    // A live line on a terminal only: periodic lines would interleave with the table.
    job.progress = !o.json && isatty(STDERR_FILENO) == 1;
    job.command_line = "preheat demo crawl";
    job.program = "preheat demo crawl";
    if (Status made = ensure_folder(o.out); !made.ok()) {
      std::cerr << "preheat demo crawl: " << made.message() << "\n";
      return kExitOutput;
    }
    const CrawlReport r = run_crawl_job(job);
    if (r.exit_code != kExitOk) {
      std::cerr << "preheat demo crawl: " << m << ": " << r.error << "\n";
      return r.exit_code;
    }
    if (mode == ExecutionMode::kSequential) sequential_wall = r.wall_s;
    std::int64_t errors = 0;
    for (const auto& [k, n] : r.counters.errors) errors += n;
    if (o.json) {
      boost::json::object row;
      row["mode"] = m;
      row["pages"] = r.counters.pages;
      row["errors"] = errors;
      row["wall_s"] = json_number(r.wall_s);
      row["execution_s"] = json_number(r.execution_s);
      row["waiting_share"] = json_number(r.waiting_share);
      row["pages_per_s"] = json_number(r.pages_per_s);
      row["trace"] = job.trace_path;
      row["svg"] = job.svg_path;
      row["db"] = job.db;
      rows.push_back(std::move(row));
    } else {
      auto dur = [](double s) { return human_duration(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s))); };
      std::cout << fmt::format("{:<11} {:>6}  {:>10}  {:>9}  {:>6.0f}%  {:>8.0f}{}\n", m, r.counters.pages, dur(r.wall_s),
                               dur(r.execution_s), 100 * r.waiting_share, r.pages_per_s,
                               mode == ExecutionMode::kSequential || r.wall_s <= 0
                                   ? std::string()
                                   : fmt::format("   {:.1f}x faster than sequential", sequential_wall / r.wall_s));
    }
  }
  // The bound no crawl beats (Little's law: pages x latency / in flight).
  const double little = static_cast<double>(o.pages) * o.latency_ms / 1000.0 / static_cast<double>(o.concurrency);
  if (o.json) {
    boost::json::object out;
    out["site"] = site->url();
    out["pages"] = o.pages;
    out["latency_ms"] = o.latency_ms;
    out["concurrency"] = o.concurrency;
    out["little_bound_s"] = json_number(little);
    out["modes"] = std::move(rows);
    print_json(out);
  } else {
    std::cout << fmt::format(
        "\nwall-clock: what the clock on the wall shows; execution: CPU time the crawler used (user + sys).\n"
        "Little's-law bound with {0} in flight: {1:.2f} s. The sequential crawl waits for every response in turn.\n"
        "timelines: {2}/crawl-MODE.svg (open in a browser), {2}/crawl-MODE.json (ui.perfetto.dev); databases: "
        "{2}/crawl-MODE.db\n",
        o.concurrency, little, o.out);
  }
  return kExitOk;
}

}  // namespace

void add_demo_crawl_command(CLI::App& demo, std::vector<Command>& out) {
  auto o = std::make_shared<DemoCrawlOptions>();
  CLI::App* c = demo.add_subcommand("crawl", "The crawler in all three modes against a slow local site");
  c->footer("Example:\n  preheat demo crawl --pages 300 --latency 50 --json");
  c->add_option("--pages", o->pages, "Pages of the demo site")->check(CLI::Range(1, 1000000))->capture_default_str();
  c->add_option("--latency", o->latency_ms, "Milliseconds the site waits before each response")->check(CLI::Range(0, 10000))->capture_default_str();
  c->add_option("--concurrency", o->concurrency, "Requests in flight (async, parallel)")->check(CLI::Range(1, 10000))->capture_default_str();
  c->add_option("--threads", o->threads, "Worker threads in parallel mode")->check(CLI::Range(1, 256))->capture_default_str();
  c->add_option("--out", o->out, "Folder for the timelines and databases")->capture_default_str();
  c->add_flag("--json", o->json, "Print the figures as JSON");
  out.push_back(Command{c, [o] { return run_demo_crawl(*o); }});
}

}  // namespace preheat::cli
