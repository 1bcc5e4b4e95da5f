// A whole crawl against the fake fetcher on a ManualClock, for the crawler's
// tests: virtual time, so assertions are about order and virtual start
// times, never about how long a test took. Shared by politeness, robots and
// sitemap crawl tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crawl/crawler.h"
#include "fetch/fake_fetcher.h"
#include "runtime/runtime.h"
#include "store/crawl_store.h"

namespace preheat::crawl {

inline std::string html_with_links(const std::vector<std::string>& hrefs) {
  std::string b = "<html><head><title>t</title></head><body>";
  for (const auto& h : hrefs) b += "<a href=\"" + h + "\">x</a>";
  return b + "</body></html>";
}

// Options for a short fake crawl: one attempt per URL (retries are due in
// wall-clock time, these crawls run on virtual time), quick commits.
inline CrawlOptions fake_crawl_options(std::vector<std::string> seeds) {
  CrawlOptions o;
  o.seeds = std::move(seeds);
  o.retry_base = std::chrono::milliseconds(1);
  o.commit_interval = std::chrono::milliseconds(1);
  o.max_attempts = 1;
  return o;
}

// Forwards to a FakeFetcher and records when (virtual time) each request started.
class RecordingFetcher final : public fetch::Fetcher {
 public:
  RecordingFetcher(const Clock& clock, fetch::Fetcher& inner) : clock_(clock), inner_(inner) {}
  runtime::Task<fetch::FetchResult> fetch(fetch::Request request) override {
    starts.emplace_back(request.url, clock_.now());
    co_return co_await inner_.fetch(std::move(request));
  }
  std::size_t in_flight() const override { return inner_.in_flight(); }

  std::vector<std::pair<std::string, TimePoint>> starts;

  std::vector<TimePoint> starts_of(std::string_view prefix) const {
    std::vector<TimePoint> out;
    for (const auto& [url, t] : starts) {
      if (url.starts_with(prefix)) out.push_back(t);
    }
    return out;
  }

 private:
  const Clock& clock_;
  fetch::Fetcher& inner_;
};

// Runs the crawl in its constructor; `setup` fills the fake's answers.
struct FakeCrawl {
  ManualClock clock{TimePoint(std::chrono::seconds(1000))};
  runtime::Runtime rt{{.mode = ExecutionMode::kAsync, .manual_clock = &clock}};
  fetch::FakeFetcher fake;
  RecordingFetcher fetcher{clock, fake};
  std::unique_ptr<store::CrawlStore> store;
  std::optional<Crawler> crawler;

  FakeCrawl(const std::filesystem::path& db, const CrawlOptions& o,
            const std::function<void(fetch::FakeFetcher&)>& setup)
      : fake(rt, o.fetch) {
    setup(fake);
    auto s = store::open_crawl_store(db.string(), {});
    EXPECT_TRUE(s.ok());
    store = std::move(*s);
    auto scope = Scope::make(o.scope, o.seeds);
    EXPECT_TRUE(scope.ok());
    crawler.emplace(rt, fetcher, *store, std::move(*scope), o);
    EXPECT_TRUE(crawler->prepare().ok());
    rt.run(crawler->run());
    EXPECT_TRUE(crawler->finish().ok());
  }

  // The page row, or nothing.
  std::optional<store::PageRecord> find(const std::string& url) {
    auto p = store->find_page(url);
    EXPECT_TRUE(p.ok());
    return p.ok() ? *p : std::nullopt;
  }
  // The page row, which must exist.
  store::PageRecord page(const std::string& url) {
    std::optional<store::PageRecord> p = find(url);
    EXPECT_TRUE(p.has_value()) << url;
    return p ? *p : store::PageRecord{};
  }
  std::vector<std::string> pages() { return *store->page_urls(std::nullopt); }
  // Requests for the URL, redirect hops included.
  std::size_t hops_of(const std::string& url) const {
    return static_cast<std::size_t>(std::count(fake.hops().begin(), fake.hops().end(), url));
  }
};

}  // namespace preheat::crawl
