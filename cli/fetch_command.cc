// preheat fetch URL...: fetch URLs the way the crawler does (same client,
// limits, error classes), print what came back and where the time went.
// Also the load generator of the fetch benchmark (--repeat).
#include <iostream>
#include <map>
#include <memory>

#include <boost/json/object.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/report.h"
#include "cli/transfer_limits.h"
#include "fetch/fetcher.h"
#include "runtime/runtime.h"
#include "runtime/scope.h"
#include "runtime/semaphore.h"
#include "trace/recorder.h"

namespace preheat::cli {

namespace {

struct FetchCliOptions {
  std::vector<std::string> urls;
  std::string mode = "async";
  std::size_t concurrency = 16;
  std::size_t per_host = 8;
  TransferLimits limits;
  std::string user_agent;
  std::size_t repeat = 1;
  bool body = false;
  bool quiet = false;
  bool json = false;
  std::string trace_path;
  std::string svg_path;
};


std::string ms(Duration d) { return d > Duration::zero() ? human_duration(d) : "-"; }

boost::json::object result_json(const fetch::FetchResult& r) {
  const fetch::Response& resp = r.response;
  boost::json::object o;
  o["url"] = resp.url;
  o["final_url"] = resp.final_url;
  o["status"] = resp.status;
  o["ok"] = r.ok();
  if (r.error) {
    o["error"] = to_string(r.error->kind);
    o["message"] = r.error->message;
    o["retryable"] = r.error->retryable();
  }
  o["content_type"] = resp.content_type;
  o["bytes"] = resp.body.size();
  o["wire_bytes"] = resp.wire_bytes;
  o["http_version"] = resp.http_version;
  boost::json::array redirects;
  for (const auto& h : resp.redirects) {
    boost::json::object x;
    x["from"] = h.from;
    x["status"] = h.status;
    x["to"] = h.to;
    redirects.push_back(std::move(x));
  }
  o["redirects"] = std::move(redirects);
  boost::json::object t;
  const fetch::Timings& tm = resp.timings;
  t["queued_ms"] = json_number(to_millis(tm.queued));
  t["dns_ms"] = json_number(to_millis(tm.dns));
  t["connect_ms"] = json_number(to_millis(tm.connect));
  t["tls_ms"] = json_number(to_millis(tm.tls));
  t["first_byte_ms"] = json_number(to_millis(tm.first_byte));
  t["download_ms"] = json_number(to_millis(tm.download));
  t["total_ms"] = json_number(to_millis(tm.total));
  o["timings"] = std::move(t);
  return o;
}

void print_human(const fetch::FetchResult& r) {
  const fetch::Response& resp = r.response;
  std::string line = resp.status > 0 ? std::to_string(resp.status) : "---";
  line += " " + resp.url;
  if (resp.final_url != resp.url) line += fmt::format(" -> {} ({} redirects)", resp.final_url, resp.redirects.size());
  if (r.error && r.error->kind != fetch::FetchErrorKind::kHttp4xx && r.error->kind != fetch::FetchErrorKind::kHttp5xx) {
    line += fmt::format("  error {}: {}", to_string(r.error->kind), r.error->message);
  } else {
    line += fmt::format("  {} bytes {}", resp.body.size(), resp.content_type);
  }
  const fetch::Timings& t = resp.timings;
  line += fmt::format("  [dns {} connect {} tls {} first byte {} download {} total {}]", ms(t.dns), ms(t.connect),
                      ms(t.tls), ms(t.first_byte), ms(t.download), ms(t.total));
  std::cout << line << "\n";
}

int run_fetch(const FetchCliOptions& o) {
  const ExecutionMode mode = *parse_execution_mode(o.mode);
  trace::Recorder rec(steady_clock(), {.title = "preheat fetch", .unit = {"ms", 1e6}});
  // Trace only when a timeline was asked for: on load runs the spans (five
  // per request) would cost more than the bookkeeping they describe.
  const bool tracing = !o.trace_path.empty() || !o.svg_path.empty();
  runtime::Runtime rt({.mode = mode, .recorder = tracing ? &rec : nullptr, .stop_on_interrupt = true});
  fetch::FetchOptions fo;
  fo.max_in_flight = o.concurrency;
  fo.max_per_host = o.per_host;
  apply(o.limits, fo);
  fo.user_agent = o.user_agent;
  auto fetcher = fetch::make_fetcher(rt, fo);

  std::size_t ok = 0;
  std::size_t failed = 0;
  std::uint64_t bytes = 0;
  std::map<std::string, std::size_t> errors;
  auto one = [&](std::string url, trace::TaskId task, [[maybe_unused]] runtime::Semaphore::Permit permit) -> runtime::Task<void> {
    fetch::Request req;
    req.url = url;
    req.task = task;
    fetch::FetchResult r = co_await fetcher->fetch(req);
    bytes += r.response.body.size();
    if (r.ok()) {
      ++ok;
    } else {
      ++failed;
      ++errors[std::string(to_string(r.error->kind))];
    }
    if (o.quiet) co_return;
    if (o.body) {
      std::cout << r.response.body;
      if (!r.ok()) std::cerr << "preheat fetch: " << url << ": " << to_string(r.error->kind) << ": " << r.error->message << "\n";
    } else if (o.json) {
      print_json(result_json(r));
    } else {
      print_human(r);
    }
  };
  // Tasks alive at once: enough to keep `concurrency` requests in flight,
  // bounded so that --repeat 10000000 does not hold ten million coroutines.
  runtime::Semaphore spawn_slots(rt.executor(), 2 * o.concurrency);
  auto main = [&]() -> runtime::Task<void> {
    runtime::Scope scope(rt.executor());
    for (std::size_t rep = 0; rep < o.repeat; ++rep) {
      for (const std::string& url : o.urls) {
        runtime::Semaphore::Permit permit = co_await spawn_slots.acquire();
        const trace::TaskId task = tracing ? rec.add_task(url) : trace::kNoTask;
        scope.spawn(one(url, task, std::move(permit)));
      }
    }
    co_await scope.join();
  };
  rec.start();
  try {
    rt.run(main());
  } catch (const runtime::Interrupted&) {
    std::cerr << "preheat fetch: interrupted\n";
    return kExitInterrupted;
  }
  rec.stop();
  const trace::Summary s = rec.summary();
  Status written = tracing ? write_timelines(rec.snapshot(), o.trace_path, o.svg_path) : Status();
  if (!written.ok()) {
    std::cerr << "preheat fetch: " << written.message() << "\n";
    return kExitOutput;
  }
  const double wall = static_cast<double>(s.wall_ns) / 1e9;
  const std::size_t total = ok + failed;
  if (o.quiet && o.json) {
    boost::json::object out;
    out["mode"] = o.mode;
    out["requests"] = total;
    out["ok"] = ok;
    out["failed"] = failed;
    boost::json::object errs;
    for (const auto& [k, n] : errors) errs[k] = n;
    out["errors"] = std::move(errs);
    out["bytes"] = bytes;
    out["wall_s"] = json_number(wall);
    out["requests_per_s"] = json_number(wall > 0 ? static_cast<double>(total) / wall : 0);
    out["concurrency"] = o.concurrency;
    print_json(out);
  } else if (!o.body && (total > 1 || o.quiet)) {
    std::string errs;
    for (const auto& [k, n] : errors) errs += fmt::format(" {} {}", k, n);
    std::cerr << fmt::format("{} requests, {} ok, {} failed{} · {} · {:.0f} requests/s · wall-clock {}\n", total, ok,
                             failed, errs.empty() ? "" : " (" + errs.substr(1) + ")", o.mode,
                             wall > 0 ? static_cast<double>(total) / wall : 0.0, human_duration(Duration(s.wall_ns)));
  }
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void add_fetch_command(CLI::App& app, std::vector<Command>& out) {
  auto o = std::make_shared<FetchCliOptions>();
  CLI::App* sub = app.add_subcommand("fetch", "Fetch URLs with preheat's HTTP client and show where the time went");
  sub->footer(
      "Examples:\n  preheat fetch http://127.0.0.1:8080/\n"
      "  preheat fetch http://127.0.0.1:8080/p/1 --repeat 10000 --concurrency 256 --quiet --json\n"
      "Exit code 1 when any request failed (HTTP status >= 400 included).");
  sub->add_option("url", o->urls, "http or https URLs")->required();
  add_mode_option(*sub, o->mode, "sequential: one blocking transfer at a time; async/parallel: many in flight");
  sub->add_option("--concurrency", o->concurrency, "Requests in flight at most")->check(CLI::Range(1, 100000))->capture_default_str();
  sub->add_option("--per-host", o->per_host, "Requests in flight to one host at most")->check(CLI::Range(1, 100000))->capture_default_str();
  add_transfer_limit_options(*sub, o->limits);
  sub->add_option("--user-agent", o->user_agent, "User-Agent (default: preheat/VERSION)");
  sub->add_option("--repeat", o->repeat, "Fetch the URL list this many times (load generation)")->check(CLI::Range(1, 100000000))->capture_default_str();
  sub->add_flag("--body", o->body, "Print the bodies instead of a summary line");
  sub->add_flag("--quiet", o->quiet, "No line per request; only the totals (as JSON with --json)");
  sub->add_flag("--json", o->json, "One JSON line per request (with --quiet: the totals)");
  sub->add_option("--trace", o->trace_path, "Write the timeline as Chrome trace JSON");
  sub->add_option("--svg", o->svg_path, "Write the timeline as SVG");
  out.push_back(Command{sub, [o] { return run_fetch(*o); }});
}

}  // namespace preheat::cli
