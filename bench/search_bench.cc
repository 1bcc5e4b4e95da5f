// Search latency of the crawl store, SQLite (FTS5) and PostgreSQL (tsvector):
// CrawlStore::search() for the first page of 20 hits with snippets, on a
// crawl made beforehand (the figures in docs/measurements.md are a 10,000-page
// testsite crawl, "Search on both engines"):
//   build/preheat testsite --pages 10000 &
//   build/preheat crawl http://127.0.0.1:PORT/ --db site.db
//   build/preheat crawl http://127.0.0.1:PORT/ --db postgresql://...
//   PREHEAT_BENCH_SEARCH_DBS="site.db postgresql://..." build/bench/search_bench
// Each database's index is brought up to date first (refresh_search_index).
#include <cstdlib>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "store/crawl_store.h"

namespace {

using preheat::store::CrawlStore;

// The queries of the serve benchmark: selective, a word on every page,
// the same typed as a prefix, two common words.
constexpr const char* kQueries[] = {"page 1776 ", "quartz ", "quartz", "quartz river "};

std::unique_ptr<CrawlStore> open_indexed(const std::string& location) {
  auto store = preheat::store::open_crawl_store(location);
  if (!store.ok()) throw std::runtime_error(store.status().to_string());
  auto refreshed = (*store)->refresh_search_index();
  if (!refreshed.ok()) throw std::runtime_error(refreshed.status().to_string());
  return std::move(*store);
}

void search(benchmark::State& state, CrawlStore* store, const std::string& input) {
  const preheat::store::SearchQuery query = preheat::store::parse_search_query(input);
  std::int64_t total = 0;
  for (auto _ : state) {
    auto r = store->search(query, 0, 20);
    if (!r.ok()) {
      state.SkipWithError(r.status().to_string().c_str());
      return;
    }
    total = r->total;
    benchmark::DoNotOptimize(r->hits.data());
  }
  state.counters["matches"] = static_cast<double>(total);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const char* dbs = std::getenv("PREHEAT_BENCH_SEARCH_DBS");
  if (dbs == nullptr) {
    std::fprintf(stderr, "search_bench: set PREHEAT_BENCH_SEARCH_DBS to crawl databases (see the file's comment)\n");
    return 2;
  }
  std::vector<std::unique_ptr<CrawlStore>> stores;
  std::istringstream in(dbs);
  for (std::string location; in >> location;) {
    stores.push_back(open_indexed(location));
    const std::string engine = location.starts_with("postgres") ? "postgresql" : "sqlite";
    for (const char* q : kQueries) {
      benchmark::RegisterBenchmark((engine + "/" + q).c_str(), search, stores.back().get(), std::string(q))
          ->Unit(benchmark::kMillisecond)
          ->MinTime(2.0);
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
