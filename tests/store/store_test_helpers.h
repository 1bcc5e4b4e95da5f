// Helpers for the store tests: open a store or fail the test, build records.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/crawl_store.h"
#include "tests/support/postgres_server.h"
#include "tests/support/support.h"

namespace preheat::store::testing {

// A fresh empty crawl database of one engine: "sqlite" (a file in a
// temporary folder) or "postgresql" (a database of its own on the tests'
// server, tests/support/postgres_server.h). For tests of the CrawlStore
// interface's semantics, run on both engines (TEST_P over kEngines).
class EngineDb {
 public:
  explicit EngineDb(const std::string& engine) {
    if (engine == "postgresql") pg_ = std::make_unique<preheat::testing::PostgresTestDb>();
  }
  std::string location() const { return pg_ ? pg_->uri() : (dir_ / "crawl.db").string(); }

 private:
  preheat::testing::TempDir dir_;
  std::unique_ptr<preheat::testing::PostgresTestDb> pg_;
};

inline auto engines() { return ::testing::Values(std::string("sqlite"), std::string("postgresql")); }
inline std::string engine_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

// Opens `path`; a failure fails the calling test (and returns null).
inline std::unique_ptr<CrawlStore> open_store(const std::string& path, const OpenOptions& options = {}) {
  Result<std::unique_ptr<CrawlStore>> store = open_crawl_store(path, options);
  EXPECT_TRUE(store.ok()) << store.status().to_string();
  if (!store.ok()) return nullptr;
  return std::move(*store);
}

inline NewUrl new_url(std::string url, int depth = 0, bool claimed = false) {
  return NewUrl{std::move(url), depth, claimed};
}

// A fetched page (200, done) with links to `links` (none discovered).
inline PageRecord page(std::string url, int depth = 0, const std::vector<std::string>& links = {}) {
  PageRecord p;
  p.url = std::move(url);
  p.final_url = p.url;
  p.depth = depth;
  p.status = 200;
  p.content_type = "text/html";
  p.fetched_at_ms = 1000;
  for (const std::string& to : links) p.links.push_back(LinkRecord{to, "anchor", "", "a"});
  return p;
}

inline WriteBatch seeds(const std::vector<std::string>& urls, int depth = 0) {
  WriteBatch batch;
  for (const std::string& u : urls) batch.seeds.push_back(new_url(u, depth));
  return batch;
}

inline WriteBatch pages(std::vector<PageRecord> records) {
  WriteBatch batch;
  batch.pages = std::move(records);
  return batch;
}

inline std::vector<std::string> urls_of(const std::vector<FrontierEntry>& entries) {
  std::vector<std::string> out;
  for (const FrontierEntry& e : entries) out.push_back(e.url);
  return out;
}

inline std::vector<std::string> frontier_urls(CrawlStore& store) {
  std::vector<std::string> out;
  const Status s = store.for_each_frontier_url([&](std::string_view u) { out.emplace_back(u); });
  EXPECT_TRUE(s.ok()) << s.to_string();
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace preheat::store::testing
