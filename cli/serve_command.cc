// preheat serve: the crawl database over HTTP (serve/), async or sync.
#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "base/interrupt.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "runtime/runtime.h"
#include "runtime/scope.h"
#include "serve/async_server.h"
#include "serve/open_serve_readers.h"
#include "serve/sync_server.h"
#include "store/crawl_store.h"

namespace preheat::cli {
namespace {

struct ServeFlags {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  std::string mode = "async";
  int threads = 1;
  int db_threads = 2;
  int db_connections = 4;
  int latency_ms = 0;
};

int fail(const Status& s) {
  std::cerr << "preheat serve: " << s.message() << "\n";
  const bool input = s.code() == Status::Code::kInvalidArgument || s.code() == Status::Code::kNotFound;
  return input ? kExitUsage : kExitFailure;
}

// What serving needs and a crawl does not maintain (docs/schema.md,
// "Serving"): the in-link index and the full-text search index, made or
// brought up to date by one short writable open. A file we may not write is
// served without them (in-links are then a scan: correct, slow; search
// answers 503) or with the search index as it was.
void ensure_serving_indexes(const std::string& path) {
  Result<std::unique_ptr<store::CrawlStore>> writer = store::open_crawl_store(path);
  Status s = writer.ok() ? (*writer)->ensure_serving_indexes() : writer.status();
  if (!s.ok()) {
    std::cerr << "preheat serve: warning: cannot add the in-link index (" << s.message()
              << "); in-links will be slow\n";
  }
  if (!writer.ok()) {
    std::cerr << "preheat serve: warning: cannot build or refresh the search index; search uses it as it is, if "
                 "there is one\n";
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  Result<store::SearchIndexRefresh> search = (*writer)->refresh_search_index();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!search.ok()) {
    std::cerr << "preheat serve: warning: cannot build or refresh the search index (" << search.status().message()
              << ")\n";
  } else if (search->action != store::SearchIndexRefresh::Action::kUpToDate) {
    const bool built = search->action == store::SearchIndexRefresh::Action::kBuilt;
    std::cerr << fmt::format("preheat serve: search index {}: {} pages indexed in {:.2f} s ({} in all)\n",
                             built ? "built" : "updated", search->pages_indexed, seconds, search->pages_total);
  }
}

// Watches for Ctrl-C / SIGTERM and turns it into a drain.
runtime::Task<void> watch_interrupt(serve::AsyncServer& server, const bool& done) {
  runtime::asio::steady_timer timer(co_await runtime::asio::this_coro::executor);
  while (!done) {
    if (interrupt_requested()) {
      server.stop();
      co_return;
    }
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(runtime::asio::use_awaitable);
  }
}

runtime::Task<void> serve_until_stopped(serve::AsyncServer& server) {
  bool done = false;
  runtime::Scope watcher(co_await runtime::asio::this_coro::executor);
  watcher.spawn(watch_interrupt(server, done));
  co_await server.serve();
  done = true;
  co_await watcher.join();
}

void report(const serve::ServerStats& stats) {
  std::cerr << "preheat serve: stopped after " << stats.requests << " requests on " << stats.connections
            << " connections\n";
}

int run_async(const std::string& path, const serve::ServeOptions& options) {
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  auto readers = serve::open_serve_readers(rt, path, options);
  if (!readers.ok()) return fail(readers.status());
  auto server = serve::AsyncServer::open(rt, **readers, options);
  if (!server.ok()) return fail(server.status());
  std::cout << "listening on " << (*server)->url() << std::endl;  // flushed: harnesses wait for this line
  rt.run(serve_until_stopped(**server));
  report((*server)->stats());
  return kExitOk;
}

int run_sync(const std::string& path, const serve::ServeOptions& options) {
  auto server = serve::SyncServer::open(path, options);
  if (!server.ok()) return fail(server.status());
  std::cout << "listening on " << (*server)->url() << std::endl;
  std::atomic<bool> done{false};
  serve::SyncServer& s = **server;
  std::thread watcher([&s, &done] {
    while (!done.load()) {
      if (interrupt_requested()) {
        s.stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  s.serve();
  done.store(true);
  watcher.join();
  report(s.stats());
  return kExitOk;
}

int run_serve(const ServeFlags& f) {
  auto listen = parse_listen_address(f.listen);
  if (!listen.ok()) return fail(listen.status());
  {
    // Refuse a missing or foreign file before touching it.
    auto probe = store::open_crawl_store(f.db, {.read_only = true});
    if (!probe.ok()) return fail(probe.status());
  }
  ensure_serving_indexes(f.db);
  serve::ServeOptions options;
  options.listen = *listen;
  options.mode = f.mode == "sync" ? serve::ServeMode::kSync : serve::ServeMode::kAsync;
  options.threads = f.threads;
  options.db_threads = f.db_threads;
  options.db_connections = f.db_connections;
  options.simulated_db_latency = std::chrono::milliseconds(f.latency_ms);
  return options.mode == serve::ServeMode::kSync ? run_sync(f.db, options) : run_async(f.db, options);
}

}  // namespace

void add_serve_command(CLI::App& app, std::vector<Command>& out) {
  auto f = std::make_shared<ServeFlags>();
  CLI::App* sub = app.add_subcommand("serve", "Serve a crawl database over HTTP: pages, links, broken links, stats");
  sub->footer(
      "The first line on stdout is 'listening on http://ADDR:PORT/'. Ctrl-C or SIGTERM stops accepting, lets\n"
      "the requests in flight finish and exits 0.\n"
      "\n"
      "Routes: / (search box, look up a page, the figures), /search?q=WORDS[&page=N], /page?url=URL, /broken,\n"
      "/stats, /healthz; JSON: /api/search?q=WORDS[&page=N&per_page=N], /api/page?url=URL, /api/broken, /api/stats.\n"
      "At start, serve builds the full-text search index (or adds the pages crawled since) and prints how long\n"
      "it took; an unchanged database is not indexed again.\n"
      "\n"
      "--mode async (default): coroutines on --threads io threads. On SQLite the database is read on\n"
      "--db-threads reader threads; on PostgreSQL (--db postgresql://...) each io thread reads through its\n"
      "own pool of --db-connections non-blocking connections, with no database thread.\n"
      "--mode sync: --threads threads, each serving one connection at a time (for comparison).\n"
      "--simulate-db-latency MS adds MS to every database call (a timer in async mode, a sleeping thread\n"
      "in sync mode): a demonstration and benchmark setting.\n"
      "\n"
      "Example:\n"
      "  preheat serve --db preheat-out/demo.db --listen 127.0.0.1:8080\n"
      "  preheat serve --db 'postgresql://preheat@/crawl?host=/run/postgresql' --db-connections 8");
  sub->add_option("--db", f->db, "The crawl database (written by preheat crawl)")->required()->type_name("PATH");
  sub->add_option("--listen", f->listen, "Address and port to listen on (port 0 picks a free port)")
      ->capture_default_str();
  sub->add_option("--mode", f->mode, "Serving model")->check(CLI::IsMember({"async", "sync"}))->capture_default_str();
  sub->add_option("--threads", f->threads, "io threads (async) or connection threads (sync)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  sub->add_option("--db-threads", f->db_threads, "Database reader threads (async, SQLite)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  sub->add_option("--db-connections", f->db_connections,
                  "PostgreSQL connections per io thread (async, PostgreSQL; no reader threads)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  sub->add_option("--simulate-db-latency", f->latency_ms, "Add this wait to every database call")
      ->type_name("MS")
      ->check(CLI::Range(0, 3'600'000))
      ->capture_default_str();
  out.push_back(Command{sub, [f] { return run_serve(*f); }});
}

}  // namespace preheat::cli
