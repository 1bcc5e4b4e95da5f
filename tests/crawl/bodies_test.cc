// Keeping what the crawl fetched: the final response goes with the record
// that owns the content (a redirect's final URL), --no-bodies keeps none, a
// real crawl stores curl's header blocks, and the StoreWriter bounds the
// BYTES it holds (a byte budget, not only a batch count).
#include <atomic>
#include <condition_variable>
#include <mutex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crawl/crawler.h"
#include "crawl/store_writer.h"
#include "fetch/fake_fetcher.h"
#include "fetch/fetcher.h"
#include "runtime/runtime.h"
#include "runtime/scope.h"
#include "store/crawl_store.h"
#include "testsite/site_model.h"
#include "tests/support/support.h"
#include "tests/testsite/running_server.h"

namespace preheat::crawl {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Every stored body, by requested URL.
std::map<std::string, store::StoredBody> bodies_of(const std::filesystem::path& db) {
  auto s = store::open_crawl_store(db.string(), {.read_only = true});
  EXPECT_TRUE(s.ok());
  std::map<std::string, store::StoredBody> out;
  auto rows = (*s)->bodies_after(0, 1'000'000, std::size_t(1) << 40);
  EXPECT_TRUE(rows.ok());
  for (store::StoredBody& b : *rows) out[b.url] = std::move(b);
  return out;
}

Status crawl_fake(const std::filesystem::path& db, bool keep_bodies) {
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  CrawlOptions o;
  o.seeds = {"http://a.test/"};
  o.commit_interval = 1ms;
  o.keep_bodies = keep_bodies;
  fetch::FakeFetcher f(rt, o.fetch);
  f.add_page("http://a.test/", "<a href=/old>o</a><a href=/gone>g</a>");
  f.add_redirect("http://a.test/old", 301, "/new");
  f.add_page("http://a.test/new", "<p>new</p>");
  auto store = store::open_crawl_store(db.string());
  auto scope = Scope::make(o.scope, o.seeds);
  Crawler crawler(rt, f, **store, std::move(*scope), o);
  if (Status s = crawler.prepare(); !s.ok()) return s;
  rt.run(crawler.run());
  return crawler.finish();
}

TEST(CrawlBodiesTest, TheResponseGoesWithTheRecordThatOwnsTheContent) {
  testing::TempDir dir;
  ASSERT_TRUE(crawl_fake(dir / "c.db", true).ok());
  const auto bodies = bodies_of(dir / "c.db");
  // /old redirected: its content (and response) is /new's row; /gone is a 404 (an answer: kept).
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_EQ(bodies.at("http://a.test/").body, "<a href=/old>o</a><a href=/gone>g</a>");
  EXPECT_EQ(bodies.at("http://a.test/new").body, "<p>new</p>");
  EXPECT_EQ(bodies.at("http://a.test/new").final_url, "http://a.test/new");
  EXPECT_EQ(bodies.count("http://a.test/old"), 0u);
  EXPECT_EQ(bodies.at("http://a.test/gone").status, 404);
  // /old's response is counted as stored: it is on its final URL's row.
  auto s = store::open_crawl_store((dir / "c.db").string(), {.read_only = true});
  EXPECT_EQ((*s)->body_counts()->answered_without_body, 0);
}

TEST(CrawlBodiesTest, NoBodiesKeepsNone) {
  testing::TempDir dir;
  ASSERT_TRUE(crawl_fake(dir / "c.db", false).ok());
  EXPECT_TRUE(bodies_of(dir / "c.db").empty());
  auto s = store::open_crawl_store((dir / "c.db").string(), {.read_only = true});
  EXPECT_EQ((*s)->body_counts()->answered_without_body, 4);  // /, /old, /new, /gone
}

TEST(CrawlBodiesTest, ARealCrawlStoresCurlsHeaderBlockAndTheRequestSent) {
  testsite::SiteModel site({.pages = 40, .fanout = 4, .seed = 5, .page_bytes = 700});
  testsite::testing::RunningServer server(site, {});
  const std::string host = "127.0.0.1:" + std::to_string(server.port());
  const std::string base = "http://" + host + "/";
  testing::TempDir dir;
  {
    runtime::Runtime rt({.mode = ExecutionMode::kAsync});
    CrawlOptions o;
    o.seeds = {base};
    o.commit_interval = 1ms;
    auto fetcher = fetch::make_fetcher(rt, o.fetch);
    auto store = store::open_crawl_store((dir / "c.db").string());
    auto scope = Scope::make(o.scope, o.seeds);
    Crawler crawler(rt, *fetcher, **store, std::move(*scope), o);
    ASSERT_TRUE(crawler.prepare().ok());
    rt.run(crawler.run());
    ASSERT_TRUE(crawler.finish().ok());
  }
  const auto bodies = bodies_of(dir / "c.db");
  ASSERT_EQ(bodies.size(), 40u);
  auto s = store::open_crawl_store((dir / "c.db").string(), {.read_only = true});
  for (const auto& [url, b] : bodies) {
    EXPECT_THAT(b.response_block, StartsWith("HTTP/1.1 200")) << url;
    EXPECT_TRUE(b.response_block.ends_with("\r\n\r\n")) << url;
    EXPECT_THAT(b.response_block, HasSubstr("\r\nContent-Type: text/html")) << url;
    const std::string target = "/" + url.substr(base.size());
    EXPECT_EQ(b.request_block, "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " +
                                   fetch::default_user_agent() + "\r\nAccept: */*\r\nAccept-Encoding: gzip, br, zstd\r\n\r\n");
    auto page = (*s)->find_page(url);
    ASSERT_TRUE(page.ok() && *page);
    EXPECT_EQ(b.body.size(), (*page)->bytes) << url;
    EXPECT_THAT(b.body, HasSubstr("<html")) << url;
  }
}

// A store whose write() waits at a gate: the writer thread is held there.
class GatedStore final : public store::CrawlStore {
 public:
  void open_gate() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  Status write(const store::WriteBatch& batch) override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return open_; });
    pages_written += static_cast<int>(batch.pages.size());
    return Status();
  }
  std::atomic<int> pages_written{0};

  Result<std::int64_t> release_claims() override { return 0; }
  Status for_each_frontier_url(const std::function<void(std::string_view)>&) override { return Status(); }
  Result<std::vector<store::FrontierEntry>> claim_due(std::size_t, std::int64_t) override {
    return std::vector<store::FrontierEntry>{};
  }
  Result<std::optional<std::int64_t>> next_due_ms() override { return std::optional<std::int64_t>(); }
  Result<std::int64_t> begin_run(const store::RunInfo&) override { return 1; }
  Status end_run(std::int64_t, const store::RunEnd&) override { return Status(); }
  Result<std::vector<std::string>> page_urls(std::optional<int>) override { return std::vector<std::string>{}; }
  Result<store::CrawlStats> stats() override { return store::CrawlStats{}; }
  Result<std::int64_t> page_count() override { return 0; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

store::PageRecord big_page(int i, std::size_t bytes) {
  store::PageRecord p;
  p.url = "http://h/" + std::to_string(i);
  p.keep_body = true;
  p.body.assign(bytes, 'b');
  return p;
}

// Submits `pages` pages of `bytes` body each with the writer thread held at
// the gate, then runs backpressure(); a sibling task looks whether it has
// returned after letting the loop run, then opens the gate. Returns whether
// backpressure() had returned before the gate opened.
bool returned_before_the_gate(int pages, std::size_t bytes, int* written_when_returned) {
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  GatedStore store;
  StoreWriter writer(rt, store, {.batch_pages = 1000, .commit_interval = 1h, .max_bytes_queued = 1 << 20});
  for (int i = 0; i < pages; ++i) writer.submit(big_page(i, bytes));
  EXPECT_GE(writer.unwritten_bytes(), static_cast<std::size_t>(pages) * bytes);
  bool returned = false;
  bool returned_early = false;
  auto waiter = [&]() -> runtime::Task<void> {
    co_await writer.backpressure();
    returned = true;
    *written_when_returned = store.pages_written.load();
  };
  auto opener = [&]() -> runtime::Task<void> {
    for (int i = 0; i < 20; ++i) co_await rt.yield();
    returned_early = returned;
    store.open_gate();
  };
  auto main = [&]() -> runtime::Task<void> {
    runtime::Scope scope(rt.executor());
    scope.spawn(waiter());
    scope.spawn(opener());
    co_await scope.join();
  };
  rt.run(main());
  EXPECT_TRUE(writer.finish().ok());
  EXPECT_EQ(store.pages_written.load(), pages);
  EXPECT_EQ(writer.unwritten_bytes(), 0u);
  return returned_early;
}

TEST(StoreWriterBytesTest, MoreBytesThanTheBudgetMakeWorkersWaitUntilTheyAreWritten) {
  // 12 pages of 100 kB: 1.2 MB against a 1 MiB budget, in 4 batches of 3 (a
  // batch leaves at a quarter of the budget): not more than the 4 batches
  // allowed, so only the byte budget can make it wait.
  int written = -1;
  EXPECT_FALSE(returned_before_the_gate(12, 100'000, &written));
  EXPECT_EQ(written, 12);  // it returned once everything was written
}

TEST(StoreWriterBytesTest, UnderTheBudgetWorkersGoOn) {
  int written = -1;
  EXPECT_TRUE(returned_before_the_gate(5, 100'000, &written));
  EXPECT_EQ(written, 0);
}

}  // namespace
}  // namespace preheat::crawl
