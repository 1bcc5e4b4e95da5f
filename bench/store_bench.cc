// Write throughput of the crawl store, SQLite and PostgreSQL (one thread, a temp file DB):
// batches of 100 pages, each with 30 links of which half point to URLs never
// seen (also discovered: new frontier rows) and half to URLs already known.
// Pages carry 2 KB of text. Two variants of "known":
//   uniform  picked uniformly from every URL so far: the worst case (the URL
//            cache misses, every lookup is a random B-tree probe);
//   nav      12 of the 15 from a site's navigation (100 URLs every page links
//            to), 3 uniform: what documentation sites look like.
// The figure that matters is pages/s: the crawler must not be limited by its
// store (wget2 fetches ~3,500 pages/s here).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <unistd.h>

#include "runtime/runtime.h"
#include "store/async_crawl_writer.h"
#include "store/crawl_store.h"

namespace {

namespace fs = std::filesystem;
using preheat::store::LinkRecord;
using preheat::store::NewUrl;
using preheat::store::PageRecord;
using preheat::store::WriteBatch;

constexpr int kPagesPerBatch = 100;
constexpr int kLinksPerPage = 30;

// URL i is a function of i: the bench keeps no list of URLs, so the process's
// memory is the store's.
class Site {
 public:
  static std::string url(std::size_t i) {
    return "https://docs.example.org/section-" + std::to_string(i % 97) + "/page-" + std::to_string(i) + ".html";
  }
  std::string new_url() { return url(size_++); }
  std::string known_url() {
    std::uniform_int_distribution<std::size_t> pick(0, size_ - 1);
    return url(pick(rng_));
  }
  // The first 100 URLs (the seeds) play the navigation.
  std::string nav_url() {
    std::uniform_int_distribution<std::size_t> pick(0, std::min<std::size_t>(size_, 100) - 1);
    return url(pick(rng_));
  }
  // The next page to "fetch": URLs in discovery order (breadth first).
  std::string next_page() { return url(next_page_++); }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_ = 0;
  std::size_t next_page_ = 0;
  std::mt19937_64 rng_{42};
};

// Resident memory of the whole process now, in MB.
double rss_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, resident = 0;
  statm >> pages_total >> resident;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / 1e6;
}

WriteBatch make_batch(Site& site, const std::string& text, bool nav) {
  WriteBatch batch;
  for (int i = 0; i < kPagesPerBatch; ++i) {
    PageRecord page;
    page.url = site.next_page();
    page.final_url = page.url;
    page.depth = 2;
    page.status = 200;
    page.content_type = "text/html; charset=utf-8";
    page.bytes = 20000;
    page.wire_bytes = 6000;
    page.fetched_at_ms = 1700000000000;
    page.elapsed_s = 0.01;
    page.title = "A page about something, number " + std::to_string(i);
    page.description = "The description of the page, as its meta tag says.";
    page.language = "en";
    page.text = text;
    page.content_hash = 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(i + 1);
    for (int l = 0; l < kLinksPerPage; ++l) {
      LinkRecord link;
      if (l % 2 == 0) {
        link.to_url = site.new_url();
        page.discovered.push_back(NewUrl{link.to_url, 3, false});
      } else {
        link.to_url = nav && l % 10 != 1 ? site.nav_url() : site.known_url();
      }
      link.anchor = "Link text " + std::to_string(l);
      link.tag = "a";
      page.links.push_back(std::move(link));
    }
    batch.pages.push_back(std::move(page));
  }
  return batch;
}

// Writes batches into the store at `location` until the state stops; with
// `async`, through the store's async writer on an async runtime's loop (the
// crawler's PostgreSQL path in async and parallel modes), one batch per
// loop run.
void write_batches(benchmark::State& state, const std::string& location, bool nav, bool async = false) {
  {
    auto store = preheat::store::open_crawl_store(location, {.fresh = true});
    if (!store.ok()) {
      state.SkipWithError(store.status().to_string().c_str());
      return;
    }
    preheat::runtime::Runtime rt({.mode = preheat::ExecutionMode::kAsync});
    std::shared_ptr<preheat::store::AsyncCrawlWriter> writer;
    if (async) writer = (*store)->async_writer(preheat::store::AsyncWriterExecutor{rt.executor()});
    if (async && !writer) {
      state.SkipWithError("this store has no async writer");
      return;
    }
    const auto write = [&](const WriteBatch& batch) {
      return writer ? rt.run_for_result(writer->write(batch)) : (*store)->write(batch);
    };
    Site site;
    WriteBatch seeds;
    for (int i = 0; i < kPagesPerBatch; ++i) seeds.seeds.push_back(NewUrl{site.new_url(), 0, false});
    if (auto s = (*store)->write(seeds); !s.ok()) state.SkipWithError(s.to_string().c_str());
    const std::string text(2048, 'x');
    std::int64_t pages = 0;
    WriteBatch batch;
    for (auto _ : state) {
      state.PauseTiming();
      batch = make_batch(site, text, nav);  // the old batch is freed here, untimed
      state.ResumeTiming();
      if (auto s = write(batch); !s.ok()) {
        state.SkipWithError(s.to_string().c_str());
        break;
      }
      pages += kPagesPerBatch;
    }
    state.counters["pages/s"] = benchmark::Counter(static_cast<double>(pages), benchmark::Counter::kIsRate);
    state.counters["links/s"] =
        benchmark::Counter(static_cast<double>(pages * kLinksPerPage), benchmark::Counter::kIsRate);
    state.counters["urls"] = static_cast<double>(site.size());
    state.counters["rss_MB"] = rss_mb();
  }
}

void BM_WriteBatches(benchmark::State& state) {
  const bool nav = state.range(0) == 1;
  state.SetLabel(nav ? "nav" : "uniform");
  const fs::path dir = fs::temp_directory_path() / ("preheat-store-bench-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_batches(state, (dir / "crawl.db").string(), nav);
  fs::remove_all(dir);
}
// The number of batches: PREHEAT_STORE_BENCH_BATCHES when set (e.g. 50, to run
// under callgrind in a minute), else `otherwise`.
benchmark::IterationCount batches(benchmark::IterationCount otherwise) {
  const char* v = std::getenv("PREHEAT_STORE_BENCH_BATCHES");
  if (v == nullptr) return otherwise;
  const long n = std::atol(v);
  return n > 0 ? n : otherwise;
}

// 1,000 batches: 100,000 pages, 1.5 million URLs, 3 million links.
BENCHMARK(BM_WriteBatches)->Arg(0)->Arg(1)->Iterations(batches(1000))->Unit(benchmark::kMillisecond)->UseRealTime();

// The same batches into PostgreSQL: PREHEAT_BENCH_PG names an empty database
// (postgresql://...; its crawl rows are deleted first), e.g. one made on the
// tests' server (scripts/pg_test_server). 200 batches: 20,000 pages. The
// second argument 1: through the async writer (store/async_crawl_writer.h,
// the crawler's PostgreSQL path in async and parallel modes): one pipeline
// per batch on a non-blocking connection, where the blocking store syncs
// every 16 pages.
void BM_WriteBatchesPostgres(benchmark::State& state) {
  const bool nav = state.range(0) == 1;
  const bool async = state.range(1) == 1;
  state.SetLabel(std::string(nav ? "nav" : "uniform") + (async ? " async" : ""));
  const char* uri = std::getenv("PREHEAT_BENCH_PG");
  if (uri == nullptr) {
    state.SkipWithError("set PREHEAT_BENCH_PG=postgresql://... to a database to write into");
    for (auto _ : state) {
    }
    return;
  }
  write_batches(state, uri, nav, async);
}
BENCHMARK(BM_WriteBatchesPostgres)
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Iterations(batches(200))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
