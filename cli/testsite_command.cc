// preheat testsite: a deterministic local website with latency and faults.
#include <cstdio>
#include <iostream>
#include <memory>

#include <sys/resource.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "runtime/runtime.h"
#include "testsite/gzip_bomb.h"
#include "testsite/server.h"
#include "testsite/site_model.h"
#include "testsite/static_site.h"

namespace preheat::cli {

namespace {

struct TestsiteFlags {
  std::string listen = "127.0.0.1:0";
  std::size_t pages = 1000;
  std::size_t fanout = 8;
  std::uint64_t seed = 1;
  std::size_t page_bytes = 4096;
  std::string latency = "0";
  std::string faults;
  double crawl_delay_s = 1;
  std::string root;
  int threads = 1;
  bool print_urls = false;
  std::string base_url;
  std::string log_path;
};

int usage_error(const Status& s) {
  std::cerr << "preheat testsite: " << s.message() << "\n";
  return kExitUsage;
}

// A server holding thousands of connections needs more than the usual 1024
// descriptors: raise the soft limit to the hard one.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int print_urls(const testsite::SiteModel& site, const TestsiteFlags& f, const testsite::ListenAddress& listen) {
  std::string base = f.base_url;
  if (base.empty()) {
    if (listen.port == 0) {
      return usage_error(Status::invalid_argument(
          "--print-urls needs the port the site will be reached on: give --listen ADDR:PORT with a port other "
          "than 0, or --base-url http://HOST:PORT/"));
    }
    base = "http://" + listen.to_string() + "/";
  }
  auto urls = site.ground_truth(base);
  if (!urls.ok()) return usage_error(urls.status());
  std::string out;
  for (const std::string& u : *urls) out += u + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int run_testsite(const TestsiteFlags& f) {
  auto listen = testsite::parse_listen_address(f.listen);
  if (!listen.ok()) return usage_error(listen.status());
  auto latency = testsite::parse_latency(f.latency);
  if (!latency.ok()) return usage_error(latency.status());
  auto faults = testsite::parse_faults(f.faults);
  if (!faults.ok()) return usage_error(faults.status());
  const testsite::SiteOptions site_options{
      .pages = f.pages, .fanout = f.fanout, .seed = f.seed, .page_bytes = f.page_bytes, .faults = *faults,
      .crawl_delay_s = f.crawl_delay_s};
  if (Status s = testsite::validate(site_options); !s.ok()) return usage_error(s);

  std::unique_ptr<testsite::Site> site;
  if (f.root.empty()) {
    auto model = std::make_unique<testsite::SiteModel>(site_options);
    if (f.print_urls) return print_urls(*model, f, *listen);
    site = std::move(model);
  } else {
    auto files = testsite::StaticSite::open(f.root);
    if (!files.ok()) return usage_error(files.status());
    site = std::move(*files);
  }
  if (!f.log_path.empty()) {
    std::FILE* probe = std::fopen(f.log_path.c_str(), "w");
    if (probe == nullptr) {
      std::cerr << "preheat testsite: cannot write the log " << f.log_path << "\n";
      return kExitOutput;
    }
    std::fclose(probe);
  }
  if (faults->has(testsite::Fault::kGzipBomb)) testsite::gzip_bomb();  // built once, before the first request
  raise_open_file_limit();

  runtime::Runtime rt({.mode = ExecutionMode::kAsync, .stop_on_interrupt = true});
  const testsite::ServerOptions options{
      .listen = *listen, .threads = f.threads, .latency = *latency, .seed = f.seed, .log_path = f.log_path};
  auto server = testsite::Server::open(rt.executor(), *site, options);
  if (!server.ok()) {
    std::cerr << "preheat testsite: " << server.status().message() << "\n";
    return server.status().code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  std::cout << "listening on " << (*server)->url() << std::endl;  // flushed: harnesses wait for this line
  try {
    rt.run((*server)->serve());
  } catch (const runtime::Interrupted&) {
    // Ctrl-C or SIGTERM is how a test site is meant to end.
  }
  const testsite::ServerStats stats = (*server)->stats();
  std::cerr << "preheat testsite: stopped after " << stats.requests << " requests on " << stats.connections
            << " connections (at most " << stats.peak_connections << " open at once)\n";
  return kExitOk;
}

}  // namespace

void add_testsite_command(CLI::App& app, std::vector<Command>& out) {
  auto f = std::make_shared<TestsiteFlags>();
  CLI::App* sub = app.add_subcommand(
      "testsite",
      "Serve a deterministic local website with latency and faults (or a directory), for tests and benchmarks");
  sub->footer(
      "The first line on stdout is 'listening on http://ADDR:PORT/'. Ctrl-C or SIGTERM stops the server (exit 0).\n"
      "\n"
      "--print-urls prints the ground truth (every page URL of the site, sorted, one a line) for the site\n"
      "reached at --base-url, or else at http://ADDR:PORT/ from --listen (which then needs a real port),\n"
      "and exits without listening. A harness that started the site on port 0 reads the port from the\n"
      "'listening on' line and runs: preheat testsite --print-urls --base-url http://127.0.0.1:PORT/ (same\n"
      "--pages, --fanout and --seed).\n"
      "\n"
      "Faults (each on its own paths, linked from /, never in the ground truth):\n"
      "  500 503 429 reset stall redirect-loop redirect-chain gzip-bomb oversize binary bad-utf8 charsets\n"
      "  calendar schemes robots sitemap   (or: all)\n"
      "\n"
      "Examples:\n"
      "  preheat testsite --pages 5000 --latency 50:10 --faults all\n"
      "  preheat testsite --root /usr/share/doc/python3-doc/html --listen 127.0.0.1:8080\n"
      "  preheat testsite --pages 100 --print-urls --base-url http://127.0.0.1:8080/");
  sub->add_option("--listen", f->listen, "Address and port to listen on (port 0 picks a free port)")
      ->capture_default_str();
  auto* pages = sub->add_option("--pages", f->pages, "Pages of the synthetic site, / included")
                    ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}))
                    ->capture_default_str();
  auto* fanout = sub->add_option("--fanout", f->fanout, "Children per page in the tree that makes every page reachable")
                     ->check(CLI::Range(std::size_t{1}, std::size_t{1000}))
                     ->capture_default_str();
  sub->add_option("--seed", f->seed, "Seed of every generated choice (links, spellings, words, jitter)")
      ->capture_default_str();
  auto* page_bytes = sub->add_option("--page-bytes", f->page_bytes, "Pages are padded with words to about this size")
                         ->check(CLI::Range(std::size_t{0}, std::size_t{16} << 20))
                         ->capture_default_str();
  sub->add_option("--latency", f->latency,
                  "Delay every response by MS milliseconds, +-JITTER (deterministic per path and seed)")
      ->type_name("MS[:JITTER]")
      ->capture_default_str();
  auto* faults = sub->add_option("--faults", f->faults, "Traps to set: a comma-separated list of names, or all")
                     ->type_name("LIST");
  sub->add_option("--crawl-delay", f->crawl_delay_s, "Seconds of Crawl-delay in robots.txt (fault robots), e.g. 0.2")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  sub->add_option("--root", f->root, "Serve the files of this directory instead of the synthetic site")
      ->type_name("DIR")
      ->excludes(pages)
      ->excludes(fanout)
      ->excludes(page_bytes)
      ->excludes(faults);
  sub->add_option("--threads", f->threads, "io threads (each with its own event loop and listening socket)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  auto* urls =
      sub->add_flag("--print-urls", f->print_urls, "Print the ground truth and exit (see below)")->excludes("--root");
  sub->add_option("--base-url", f->base_url, "With --print-urls: the site's address, http://HOST:PORT/")->needs(urls);
  sub->add_option("--log", f->log_path,
                  "Write one line per request: time, method, target, status, body bytes, open connections, delay")
      ->type_name("FILE");
  out.push_back(Command{sub, [f] { return run_testsite(*f); }});
}

}  // namespace preheat::cli
