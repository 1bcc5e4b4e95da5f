// Test helper: one crawl in process against a FakeFetcher (async mode), on a
// database file; what it did, for the directive and recrawl tests. (A plain
// run returning its counts and requests; tests/crawl/fake_crawl.h is the
// virtual-time fixture that keeps the crawler for inspection.)
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "crawl/crawler.h"
#include "fetch/fake_fetcher.h"
#include "runtime/runtime.h"
#include "store/crawl_store.h"

namespace preheat::crawl::crawl_test {

struct FakeCrawl {
  CrawlCounters counters;
  CrawlOutcome outcome = CrawlOutcome::kFailed;
  std::vector<fetch::Request> requests;  // every hop, in order (url: the hop's)
  // The hops' URLs, sorted.
  std::vector<std::string> sorted_urls() const {
    std::vector<std::string> out;
    for (const fetch::Request& r : requests) out.push_back(r.url);
    std::sort(out.begin(), out.end());
    return out;
  }
};

// `setup(FakeFetcher&)` gives the answers.
template <class Setup>
FakeCrawl fake_crawl(const std::filesystem::path& db, const CrawlOptions& o, Setup setup) {
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  fetch::FakeFetcher fetcher(rt, o.fetch);
  setup(fetcher);
  auto store = store::open_crawl_store(db.string());
  EXPECT_TRUE(store.ok()) << store.status().message();
  auto scope = Scope::make(o.scope, o.seeds);
  EXPECT_TRUE(scope.ok());
  Crawler crawler(rt, fetcher, **store, std::move(*scope), o);
  EXPECT_TRUE(crawler.prepare().ok());
  rt.run(crawler.run());
  EXPECT_TRUE(crawler.finish().ok());
  return FakeCrawl{crawler.counters(), crawler.outcome(), fetcher.hop_requests()};
}

// The stored page of `url` (read-only open), none when it has no row.
inline std::optional<store::PageRecord> stored_page(const std::filesystem::path& db, const std::string& url) {
  auto s = store::open_crawl_store(db.string(), {.read_only = true});
  EXPECT_TRUE(s.ok()) << s.status().message();
  if (!s.ok()) return std::nullopt;
  auto p = (*s)->find_page(url);
  EXPECT_TRUE(p.ok());
  return p.ok() ? *p : std::nullopt;
}

}  // namespace preheat::crawl::crawl_test
