// preheat demo server: the article's server comparison, measured. The demo
// crawl (built here from a testsite child unless --db is given) served by
// the async and the sync server in this process, with a simulated database
// latency, each driven by preheat's own load client (cli/load_client.h):
//   1. many clients on kept-alive connections: requests/s, p50/p99 and the
//      Little's-law bound (clients / latency) per mode;
//   2. Alice and Bob: one slow request among fast ones (new visitors, a new
//      connection each), one thread per server: how late the fast ones are
//      while the slow one waits.
#include <algorithm>
#include <iostream>
#include <memory>

#include <sys/resource.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <fmt/format.h>

#include "base/interrupt.h"
#include "base/percentiles.h"
#include "cli/child_testsite.h"
#include "cli/commands.h"
#include "cli/crawl_job.h"
#include "cli/exit_codes.h"
#include "cli/load_client.h"
#include "cli/report.h"
#include "cli/server_thread.h"
#include "runtime/runtime.h"
#include "runtime/scope.h"
#include "store/crawl_store.h"

namespace preheat::cli {

namespace {

constexpr const char* kProgram = "preheat demo server";
constexpr std::size_t kMaxTargetPages = 200;
// Scenario 2: fast requests alone before the slow one, and after its answer.
constexpr auto kBeforeSlow = std::chrono::milliseconds(500);
constexpr auto kAfterSlow = std::chrono::milliseconds(500);
// How long a request sent before the end of a run may take to be answered
// before it counts as unanswered.
constexpr auto kGrace = std::chrono::seconds(1);

struct DemoServerOptions {
  std::string db;  // empty: build the demo crawl
  std::size_t pages = 200;
  std::size_t clients = 200;
  double seconds = 3;
  int latency_ms = 50;
  int threads = 1;
  int db_threads = 2;
  int sync_threads = 16;
  int slow_ms = 5000;
  std::size_t fast_clients = 4;
  int slow_threads = 1;
  std::string out = "preheat-out";
  bool json = false;
};

struct Failure {
  int code;
  std::string message;
};

// What a set of samples says.
struct Figures {
  std::size_t sent = 0;
  std::size_t answered = 0;
  std::size_t unanswered = 0;
  Percentiles latency;  // unanswered samples count with their age (a lower bound)
  bool p99_lower_bound() const { return unanswered * 100 > sent; }
};

template <class Keep>
Figures figures(const std::vector<Sample>& samples, Keep keep) {
  Figures f;
  std::vector<Duration> latencies;
  for (const Sample& s : samples) {
    if (!keep(s)) continue;
    ++f.sent;
    (s.answered() ? f.answered : f.unanswered) += 1;
    latencies.push_back(s.latency());
  }
  f.latency = percentiles(std::move(latencies));
  return f;
}

std::string ms(Duration d, bool lower_bound = false) { return (lower_bound ? ">=" : "") + human_duration(d); }

boost::json::object figures_json(const Figures& f) {
  boost::json::object o;
  o["requests"] = f.answered;
  o["unanswered"] = f.unanswered;
  o["p50_ms"] = json_number(to_millis(f.latency.p50));
  o["p99_ms"] = json_number(to_millis(f.latency.p99));
  o["max_ms"] = json_number(to_millis(f.latency.max));
  o["p99_is_lower_bound"] = f.p99_lower_bound();
  return o;
}

// Lets the demo open hundreds of connections to itself (client and server
// ends both count): the soft limit up to the hard one.
void raise_fd_limit() {
  rlimit l{};
  if (getrlimit(RLIMIT_NOFILE, &l) == 0 && l.rlim_cur < l.rlim_max) {
    l.rlim_cur = l.rlim_max;
    setrlimit(RLIMIT_NOFILE, &l);
  }
}

// The demo crawl: a testsite child crawled (no latency: a second or so)
// into OUT/server-demo.db. The child ends with this function.
Result<std::string> build_demo_db(const DemoServerOptions& o, int& exit_code) {
  exit_code = kExitFailure;
  Result<ChildTestsite> site =
      ChildTestsite::start({"--pages", std::to_string(o.pages), "--latency", "0", "--fanout", "4"});
  if (!site.ok()) {
    // Ctrl-C while it started (the wait for its first line was cut short).
    if (interrupt_requested()) exit_code = kExitInterrupted;
    return interrupt_requested() ? Status::cancelled("interrupted") : site.status();
  }
  if (Status made = ensure_folder(o.out); !made.ok()) {
    exit_code = kExitOutput;
    return made;
  }
  CrawlJob job;
  job.seeds = {site->url()};
  job.db = o.out + "/server-demo.db";
  job.concurrency = 16;
  job.per_host = 16;
  job.fresh = true;
  job.progress = false;
  job.command_line = kProgram;
  job.program = kProgram;
  const CrawlReport r = run_crawl_job(job);
  if (r.exit_code != kExitOk) {
    exit_code = r.exit_code;
    return Status::io_error("building the demo crawl: " + r.error);
  }
  return job.db;
}

// Request targets of DB-backed routes: /api/page and /page of real pages.
// Adds the serving index as `preheat serve` does (a file that cannot be
// written is served without it).
Result<std::vector<std::string>> page_targets(const std::string& db) {
  Result<std::unique_ptr<store::CrawlStore>> s = store::open_crawl_store(db, {.read_only = true});
  if (!s.ok()) return s.status();  // missing or not a crawl: refused before anything is written
  if (Result<std::unique_ptr<store::CrawlStore>> w = store::open_crawl_store(db); w.ok()) {
    (void)(*w)->ensure_serving_indexes();
  }
  Result<std::vector<std::string>> urls = (*s)->page_urls(200);
  if (!urls.ok()) return urls.status();
  if (urls->empty()) return Status::invalid_argument(db + " has no page with status 200 to serve");
  std::vector<std::string> targets;
  for (std::size_t i = 0; i < urls->size() && i < kMaxTargetPages; ++i) {
    for (const char* route : {"/api/page?url=", "/page?url="}) {
      std::string t = route;
      serve::append_query_escaped(t, (*urls)[i]);
      targets.push_back(std::move(t));
    }
  }
  return targets;
}

serve::ServeOptions server_options(const DemoServerOptions& o, serve::ServeMode mode, int threads) {
  serve::ServeOptions s;
  s.listen = {"127.0.0.1", 0};
  s.mode = mode;
  s.threads = threads;
  s.db_threads = o.db_threads;
  s.simulated_db_latency = std::chrono::milliseconds(o.latency_ms);
  return s;
}

const char* mode_name(serve::ServeMode m) { return m == serve::ServeMode::kAsync ? "async" : "sync"; }


// Runs `load` on a client runtime of its own (this thread) against a server.
template <class T>
T drive(runtime::Task<T> load) {
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  return rt.run_for_result(std::move(load));
}

// ---- 1. throughput ----

struct ThroughputRow {
  serve::ServeMode mode;
  int threads = 0;
  Figures f;
  std::size_t answered_in_window = 0;
  double rps = 0;
  std::size_t failures = 0;
};

Result<ThroughputRow> run_throughput(const DemoServerOptions& o, const std::string& db,
                                     const std::vector<std::string>& targets, serve::ServeMode mode, bool& interrupted) {
  const int threads = mode == serve::ServeMode::kAsync ? o.threads : o.sync_threads;
  Result<std::unique_ptr<ServerThread>> server = ServerThread::start(db, server_options(o, mode, threads));
  if (!server.ok()) return server.status();
  LoadSpec spec;
  spec.port = (*server)->port();
  spec.targets = targets;
  spec.clients = o.clients;
  const TimePoint end = steady_clock().now() + from_seconds(o.seconds);
  spec.end = end;
  spec.deadline = end + kGrace;
  const LoadResult r = drive(run_load(std::move(spec)));
  (*server)->stop();
  interrupted = r.interrupted;
  ThroughputRow row{.mode = mode, .threads = threads};
  row.f = figures(r.samples, [](const Sample&) { return true; });
  // Throughput: the answers within the run's window.
  const auto in_window = [end](const Sample& s) { return s.answered() && s.done <= end; };
  row.answered_in_window = static_cast<std::size_t>(std::count_if(r.samples.begin(), r.samples.end(), in_window));
  row.rps = static_cast<double>(row.answered_in_window) / o.seconds;
  row.failures = r.failures;
  return row;
}

// ---- 2. one slow request among fast ones ----

struct SlowRow {
  serve::ServeMode mode;
  Sample slow;
  Figures before;  // fast requests sent before the slow one
  Figures during;  // fast requests sent while the slow one waited
  std::size_t answered_before_slow = 0;  // of `during`: answered before the slow one was
  std::size_t failures = 0;
};

runtime::Task<void> delayed_load(Duration delay, LoadSpec spec, LoadResult& out) {
  runtime::asio::steady_timer timer(co_await runtime::asio::this_coro::executor);
  timer.expires_after(delay);
  co_await timer.async_wait(runtime::asio::use_awaitable);
  out = co_await run_load(std::move(spec));
}

runtime::Task<void> fast_load(LoadSpec spec, LoadResult& out) { out = co_await run_load(std::move(spec)); }

runtime::Task<std::pair<LoadResult, LoadResult>> fast_and_slow(LoadSpec fast, LoadSpec slow) {
  std::pair<LoadResult, LoadResult> out;
  runtime::Scope both(co_await runtime::asio::this_coro::executor);
  both.spawn(fast_load(std::move(fast), out.first));
  both.spawn(delayed_load(kBeforeSlow, std::move(slow), out.second));
  co_await both.join();
  co_return out;
}

Result<SlowRow> run_slow(const DemoServerOptions& o, const std::string& db, const std::vector<std::string>& targets,
                         serve::ServeMode mode, bool& interrupted) {
  serve::ServeOptions so = server_options(o, mode, o.slow_threads);
  const auto fast_ms = std::chrono::milliseconds(o.latency_ms);
  const auto slow_ms = std::chrono::milliseconds(o.slow_ms);
  // The slow one is marked by a query parameter only this hook reads.
  so.db_latency_for = [fast_ms, slow_ms](const serve::Request& r) { return r.param("slow") ? slow_ms : fast_ms; };
  Result<std::unique_ptr<ServerThread>> server = ServerThread::start(db, so);
  if (!server.ok()) return server.status();
  const TimePoint end = steady_clock().now() + kBeforeSlow + slow_ms + kAfterSlow;
  LoadSpec fast;
  fast.port = (*server)->port();
  fast.targets = targets;
  fast.clients = o.fast_clients;
  fast.keep_alive = false;
  fast.end = end;
  fast.deadline = end + kGrace;
  LoadSpec slow = fast;
  slow.targets = {targets.front() + "&slow=1"};
  slow.clients = 1;
  slow.requests_per_client = 1;
  auto [f, s] = drive(fast_and_slow(std::move(fast), std::move(slow)));
  (*server)->stop();
  interrupted = f.interrupted || s.interrupted;
  SlowRow row{.mode = mode};
  if (s.samples.empty()) return Status::io_error(std::string("the slow request was not sent: ") + s.first_failure);
  row.slow = s.samples.front();
  const Sample alice = row.slow;
  row.before = figures(f.samples, [&](const Sample& x) { return x.sent < alice.sent; });
  row.during = figures(f.samples, [&](const Sample& x) { return x.sent >= alice.sent && x.sent < alice.done; });
  for (const Sample& x : f.samples) {
    if (x.sent >= alice.sent && x.answered() && x.done < alice.done) ++row.answered_before_slow;
  }
  row.failures = f.failures + s.failures;
  return row;
}

// ---- the report ----

void print_throughput_head(const DemoServerOptions& o, const std::string& db, std::size_t targets) {
  std::cout << fmt::format(
      "Serving {} ({} routes: /api/page and /page of its pages) with {} ms of simulated database latency.\n\n"
      "1. {} clients, each sending its next request when the last one was answered, over a kept-alive\n"
      "   connection, for {} s per mode:\n\n",
      db, targets, o.latency_ms, o.clients, human_number(o.seconds));
  std::cout << fmt::format("{:<6} {:>12} {:>9} {:>9} {:>10} {:>10} {:>11} {:>9}\n", "mode", "threads", "requests",
                           "req/s", "p50", "p99", "unanswered", "of bound");
}

std::string threads_text(const DemoServerOptions& o, serve::ServeMode mode, int threads) {
  if (mode == serve::ServeMode::kSync) return std::to_string(threads);
  return fmt::format("{} io + {} db", threads, o.db_threads);
}

int run_demo_server(const DemoServerOptions& o) {
  raise_fd_limit();
  std::string db = o.db;
  if (db.empty()) {
    int code = kExitFailure;
    Result<std::string> built = build_demo_db(o, code);
    if (!built.ok()) {
      std::cerr << kProgram << ": " << built.status().message() << "\n";
      return code;
    }
    db = *built;
  }
  Result<std::vector<std::string>> targets = page_targets(db);
  if (!targets.ok()) {
    std::cerr << kProgram << ": " << targets.status().message() << "\n";
    return targets.status().code() == Status::Code::kIoError ? kExitFailure : kExitUsage;
  }
  const double bound = static_cast<double>(o.clients) * 1000.0 / std::max(1, o.latency_ms);
  const auto interrupted_exit = [] {
    std::cerr << kProgram << ": interrupted\n";
    return kExitInterrupted;
  };
  const auto failed = [](const Status& s) {
    std::cerr << kProgram << ": " << s.message() << "\n";
    return kExitFailure;
  };

  if (!o.json) print_throughput_head(o, db, targets->size());
  std::vector<ThroughputRow> rows;
  for (serve::ServeMode mode : {serve::ServeMode::kAsync, serve::ServeMode::kSync}) {
    bool interrupted = false;
    Result<ThroughputRow> row = run_throughput(o, db, *targets, mode, interrupted);
    if (interrupted) return interrupted_exit();
    if (!row.ok()) return failed(row.status());
    if (!o.json) {
      std::cout << fmt::format("{:<6} {:>12} {:>9} {:>9.0f} {:>10} {:>10} {:>11} {:>8.0f}%\n", mode_name(mode),
                               threads_text(o, mode, row->threads), row->answered_in_window, row->rps,
                               ms(row->f.latency.p50), ms(row->f.latency.p99, row->f.p99_lower_bound()),
                               row->f.unanswered, 100 * row->rps / bound);
    }
    rows.push_back(*row);
  }
  const double ratio = rows[1].rps > 0 ? rows[0].rps / rows[1].rps : 0;
  if (!o.json) {
    std::cout << fmt::format(
        "\nasync answered {:.1f}x the requests of sync. Little's-law bound: {} clients / {} ms = {:.0f} req/s,\n"
        "the most any server can answer when every request waits {} ms. Sync holds a thread per connection:\n"
        "{} threads / {} ms = {:.0f} req/s at most; the other clients wait in the accept queue until a\n"
        "connection ends (here: at the end of the run). A request unanswered {} s after the run counts with\n"
        "its waiting time so far (a lower bound, marked >=).\n\n",
        ratio, o.clients, o.latency_ms, bound, o.latency_ms, o.sync_threads, o.latency_ms,
        o.sync_threads * 1000.0 / std::max(1, o.latency_ms), kGrace.count());
    std::cout << fmt::format(
        "2. Alice and Bob: one {} request among fast ones ({} clients, {} ms each, a new connection per\n"
        "   request), {} thread{} per server:\n\n",
        human_duration(std::chrono::milliseconds(o.slow_ms)), o.fast_clients, o.latency_ms, o.slow_threads,
        o.slow_threads == 1 ? "" : "s");
    std::cout << fmt::format("{:<6} {:>8}   {:>21}   {:>21}   {}\n", "mode", "slow", "fast before: p50  p99",
                             "fast during: p50  p99", "answered while the slow one waited");
  }
  std::vector<SlowRow> slow_rows;
  for (serve::ServeMode mode : {serve::ServeMode::kAsync, serve::ServeMode::kSync}) {
    bool interrupted = false;
    Result<SlowRow> row = run_slow(o, db, *targets, mode, interrupted);
    if (interrupted) return interrupted_exit();
    if (!row.ok()) return failed(row.status());
    if (!o.json) {
      std::cout << fmt::format("{:<6} {:>8}   {:>10} {:>10}   {:>10} {:>10}   {} of {}\n", mode_name(mode),
                               ms(row->slow.latency(), !row->slow.answered()), ms(row->before.latency.p50),
                               ms(row->before.latency.p99, row->before.p99_lower_bound()), ms(row->during.latency.p50),
                               ms(row->during.latency.p99, row->during.p99_lower_bound()), row->answered_before_slow,
                               row->during.sent);
    }
    slow_rows.push_back(*row);
  }
  std::size_t failures = 0;
  for (const auto& r : rows) failures += r.failures;
  for (const auto& r : slow_rows) failures += r.failures;

  if (!o.json) {
    std::cout << "\nasync: the slow request waits on a timer and the io thread keeps answering the others; sync: it "
                 "holds\nthe thread, and every request that arrives meanwhile waits for it.\n";
    if (failures > 0) std::cout << fmt::format("{} requests failed (not 2xx, or a broken connection).\n", failures);
    return kExitOk;
  }
  boost::json::object out;
  out["db"] = db;
  out["targets"] = targets->size();
  out["latency_ms"] = o.latency_ms;
  out["failures"] = failures;
  boost::json::object t;
  t["clients"] = o.clients;
  t["seconds"] = json_number(o.seconds);
  t["little_bound_rps"] = json_number(bound);
  boost::json::array modes;
  for (const ThroughputRow& r : rows) {
    boost::json::object m = figures_json(r.f);
    m["mode"] = mode_name(r.mode);
    m["threads"] = r.threads;
    if (r.mode == serve::ServeMode::kAsync) m["db_threads"] = o.db_threads;
    m["requests"] = r.answered_in_window;  // within the window (the latencies include the last ones' too)
    m["requests_per_s"] = json_number(r.rps);
    m["fraction_of_bound"] = json_number(r.rps / bound);
    m["failures"] = r.failures;
    modes.push_back(std::move(m));
  }
  t["modes"] = std::move(modes);
  t["async_over_sync"] = json_number(ratio);
  out["throughput"] = std::move(t);
  boost::json::object s;
  s["slow_ms"] = o.slow_ms;
  s["fast_clients"] = o.fast_clients;
  s["threads"] = o.slow_threads;
  boost::json::array smodes;
  for (const SlowRow& r : slow_rows) {
    boost::json::object m;
    m["mode"] = mode_name(r.mode);
    m["slow_answered"] = r.slow.answered();
    m["slow_latency_ms"] = json_number(to_millis(r.slow.latency()));
    m["before"] = figures_json(r.before);
    m["during"] = figures_json(r.during);
    m["answered_before_slow"] = r.answered_before_slow;
    m["failures"] = r.failures;
    smodes.push_back(std::move(m));
  }
  s["modes"] = std::move(smodes);
  out["slow_request"] = std::move(s);
  print_json(out);
  return kExitOk;
}

}  // namespace

void add_demo_server_command(CLI::App& demo, std::vector<Command>& out) {
  auto o = std::make_shared<DemoServerOptions>();
  CLI::App* c = demo.add_subcommand("server", "The async and the sync server under load, and one slow request");
  c->footer(
      "Without --db it first crawls its own demo site (a testsite child) into OUT/server-demo.db.\n"
      "Example:\n  preheat demo server --clients 200 --seconds 3 --latency-ms 50 --json");
  c->add_option("--db", o->db, "Serve this crawl database instead of building the demo crawl")->type_name("PATH");
  c->add_option("--pages", o->pages, "Pages of the demo site (without --db)")->check(CLI::Range(1, 100000))->capture_default_str();
  c->add_option("--clients", o->clients, "Concurrent clients in the throughput run")->check(CLI::Range(1, 20000))->capture_default_str();
  c->add_option("--seconds", o->seconds, "Seconds of load per mode")->check(CLI::Range(0.1, 3600.0))->capture_default_str();
  c->add_option("--latency-ms", o->latency_ms, "Simulated database latency of every request")->check(CLI::Range(0, 10000))->capture_default_str();
  c->add_option("--threads", o->threads, "io threads of the async server")->check(CLI::Range(1, 64))->capture_default_str();
  c->add_option("--db-threads", o->db_threads, "Database reader threads of the async server")->check(CLI::Range(1, 256))->capture_default_str();
  c->add_option("--sync-threads", o->sync_threads, "Threads of the sync server")->check(CLI::Range(1, 1024))->capture_default_str();
  c->add_option("--slow-ms", o->slow_ms, "How long the slow request waits on the database")->check(CLI::Range(1, 600000))->capture_default_str();
  c->add_option("--fast-clients", o->fast_clients, "Clients sending fast requests around the slow one")->check(CLI::Range(1, 1000))->capture_default_str();
  c->add_option("--slow-threads", o->slow_threads, "Threads of each server in the slow-request run")->check(CLI::Range(1, 64))->capture_default_str();
  c->add_option("--out", o->out, "Folder for the demo crawl")->capture_default_str();
  c->add_flag("--json", o->json, "Print the figures as JSON");
  out.push_back(Command{c, [o] { return run_demo_server(*o); }});
}

}  // namespace preheat::cli
