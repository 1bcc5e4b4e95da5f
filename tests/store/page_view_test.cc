// page_view(): what /page and /api/page read, in one snapshot. It must answer
// what find_page, out_links and in_links answer (without the text and the
// page's own link list), both from SQLite's lean read and from the default
// composition any other engine gets.
#include <gtest/gtest.h>

#include "store/crawl_store.h"
#include "store/sqlite/sqlite_db.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/support.h"

namespace preheat::store {
namespace {

using namespace preheat::store::testing;
using preheat::testing::TempDir;

// A store that has only the three calls the default page_view composes (it
// forwards them): page_view here is CrawlStore's own.
class ComposingStore final : public CrawlStore {
 public:
  explicit ComposingStore(CrawlStore& real) : real_(real) {}
  Result<std::int64_t> release_claims() override { return real_.release_claims(); }
  Status for_each_frontier_url(const std::function<void(std::string_view)>& fn) override {
    return real_.for_each_frontier_url(fn);
  }
  Result<std::vector<FrontierEntry>> claim_due(std::size_t limit, std::int64_t now_ms) override {
    return real_.claim_due(limit, now_ms);
  }
  Result<std::optional<std::int64_t>> next_due_ms() override { return real_.next_due_ms(); }
  Status write(const WriteBatch& batch) override { return real_.write(batch); }
  Result<std::int64_t> begin_run(const RunInfo& run) override { return real_.begin_run(run); }
  Status end_run(std::int64_t id, const RunEnd& end) override { return real_.end_run(id, end); }
  Result<std::vector<std::string>> page_urls(std::optional<int> status) override { return real_.page_urls(status); }
  Result<CrawlStats> stats() override { return real_.stats(); }
  Result<std::int64_t> page_count() override { return real_.page_count(); }
  Result<std::optional<PageRecord>> find_page(std::string_view url) override { return real_.find_page(url); }
  Result<std::vector<LinkView>> out_links(std::string_view url, std::size_t limit) override {
    return real_.out_links(url, limit);
  }
  Result<std::vector<InLink>> in_links(std::string_view url, std::size_t limit) override {
    return real_.in_links(url, limit);
  }

 private:
  CrawlStore& real_;
};

// A 301 from /r to /, a page with four links (one to a 404, one never
// fetched, one twice to the same target), and pages linking back.
void write_crawl(CrawlStore& store) {
  PageRecord home =
      page("https://a.test/", 0, {"https://a.test/x", "https://a.test/gone", "mailto:me@a.test", "https://a.test/x"});
  home.url = "https://a.test/r";
  home.final_url = "https://a.test/";
  home.redirects.push_back(RedirectRecord{"https://a.test/r", "https://a.test/", 301});
  home.title = "Home 'quoted' <b>";
  home.text = "the home page's text";
  home.content_hash = 42;
  home.etag = "\"e1\"";
  home.links[1].anchor = "gone <i>";
  home.links[1].rel = "nofollow";
  PageRecord x = page("https://a.test/x", 1, {"https://a.test/r", "https://a.test/gone"});
  PageRecord gone = page("https://a.test/gone", 1);
  gone.status = 404;
  gone.error_class = "http-4xx";
  PageRecord y = page("https://a.test/y", 1, {"https://a.test/gone", "https://a.test/r"});
  ASSERT_TRUE(store.write(pages({home, x, gone, y})).ok());
}

void expect_same_page(const PageRecord& got, const PageRecord& want) {
  EXPECT_EQ(got.url, want.url);
  EXPECT_EQ(got.final_url, want.final_url);
  EXPECT_EQ(got.depth, want.depth);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.content_type, want.content_type);
  EXPECT_EQ(got.bytes, want.bytes);
  EXPECT_EQ(got.wire_bytes, want.wire_bytes);
  EXPECT_EQ(got.fetched_at_ms, want.fetched_at_ms);
  EXPECT_EQ(got.elapsed_s, want.elapsed_s);
  EXPECT_EQ(got.title, want.title);
  EXPECT_EQ(got.description, want.description);
  EXPECT_EQ(got.canonical, want.canonical);
  EXPECT_EQ(got.language, want.language);
  EXPECT_EQ(got.content_hash, want.content_hash);
  EXPECT_EQ(got.error_class, want.error_class);
  EXPECT_EQ(got.error_message, want.error_message);
  EXPECT_EQ(got.attempts, want.attempts);
  EXPECT_EQ(got.etag, want.etag);
  EXPECT_EQ(got.last_modified, want.last_modified);
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.next_due_ms, want.next_due_ms);
  ASSERT_EQ(got.redirects.size(), want.redirects.size());
  for (std::size_t i = 0; i < got.redirects.size(); ++i) {
    EXPECT_EQ(got.redirects[i].from_url, want.redirects[i].from_url);
    EXPECT_EQ(got.redirects[i].to_url, want.redirects[i].to_url);
    EXPECT_EQ(got.redirects[i].status, want.redirects[i].status);
  }
}

// page_view(url, limit) of `store` against find_page/out_links/in_links of `reference`.
void expect_view_matches(CrawlStore& store, CrawlStore& reference, const std::string& url, std::size_t limit) {
  SCOPED_TRACE(url);
  Result<std::optional<PageView>> view = store.page_view(url, limit);
  ASSERT_TRUE(view.ok()) << view.status().to_string();
  ASSERT_TRUE(view->has_value());
  const PageView& v = **view;
  const std::optional<PageRecord> page = *reference.find_page(url);
  ASSERT_TRUE(page);
  expect_same_page(v.page, *page);
  EXPECT_EQ(v.page.text, "");
  EXPECT_TRUE(v.page.links.empty());

  const std::vector<LinkView> out = *reference.out_links(url, limit);
  ASSERT_EQ(v.out_links.size(), out.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(v.out_links[i].url, out[i].url);
    EXPECT_EQ(v.out_links[i].anchor, out[i].anchor);
    EXPECT_EQ(v.out_links[i].rel, out[i].rel);
    EXPECT_EQ(v.out_links[i].tag, out[i].tag);
    EXPECT_EQ(v.out_links[i].status, out[i].status);
    EXPECT_EQ(v.out_links[i].error_class, out[i].error_class);
  }
  const std::vector<InLink> in = *reference.in_links(url, limit);
  ASSERT_EQ(v.in_links.size(), in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(v.in_links[i].from_url, in[i].from_url);
    EXPECT_EQ(v.in_links[i].anchor, in[i].anchor);
    EXPECT_EQ(v.in_links[i].from_status, in[i].from_status);
  }
}

class PageViewTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = open_store(db_.location());
    ASSERT_TRUE(store_);
    write_crawl(*store_);
    ASSERT_TRUE(store_->ensure_serving_indexes().ok());
  }
  EngineDb db_{GetParam()};
  std::unique_ptr<CrawlStore> store_;
};

TEST_P(PageViewTest, TheEngineAnswersWhatTheSeparateCallsAnswer) {
  for (const char* url : {"https://a.test/r", "https://a.test/x", "https://a.test/gone", "https://a.test/y"}) {
    expect_view_matches(*store_, *store_, url, 1000);
    expect_view_matches(*store_, *store_, url, 1);
  }
}

TEST_P(PageViewTest, TheDefaultCompositionAnswersTheSame) {
  ComposingStore composing(*store_);
  for (const char* url : {"https://a.test/r", "https://a.test/x", "https://a.test/gone"}) {
    expect_view_matches(composing, *store_, url, 1000);
    expect_view_matches(composing, *store_, url, 2);
  }
}

TEST_P(PageViewTest, SpellsOutTheHomePage) {
  const std::optional<PageView> v = *store_->page_view("https://a.test/r", 1000);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->page.final_url, "https://a.test/");
  EXPECT_EQ(v->page.title, "Home 'quoted' <b>");
  EXPECT_EQ(v->page.content_hash, 42u);
  ASSERT_EQ(v->page.redirects.size(), 1u);
  EXPECT_EQ(v->page.redirects[0].status, 301);
  ASSERT_EQ(v->out_links.size(), 4u);  // document order, duplicates kept
  EXPECT_EQ(v->out_links[0].url, "https://a.test/x");
  EXPECT_EQ(v->out_links[0].status, 200);
  EXPECT_EQ(v->out_links[1].url, "https://a.test/gone");
  EXPECT_EQ(v->out_links[1].status, 404);
  EXPECT_EQ(v->out_links[1].error_class, "http-4xx");
  EXPECT_EQ(v->out_links[1].anchor, "gone <i>");
  EXPECT_EQ(v->out_links[1].rel, "nofollow");
  EXPECT_EQ(v->out_links[2].url, "mailto:me@a.test");
  EXPECT_FALSE(v->out_links[2].status);  // never fetched
  ASSERT_EQ(v->in_links.size(), 2u);     // sorted by URL, one per linking page
  EXPECT_EQ(v->in_links[0].from_url, "https://a.test/x");
  EXPECT_EQ(v->in_links[1].from_url, "https://a.test/y");
}

TEST_P(PageViewTest, NoneForAUrlWithoutAPageRow) {
  // Unknown, and known only as a link target that was never fetched.
  for (const char* url : {"https://a.test/nowhere", "mailto:me@a.test", "https://a.test/"}) {
    Result<std::optional<PageView>> v = store_->page_view(url, 1000);
    ASSERT_TRUE(v.ok()) << v.status().to_string();
    EXPECT_FALSE(v->has_value()) << url;
  }
}

// The linking pages come back sorted by URL, the smallest `limit` of them,
// whatever order they were discovered in (ids: z < b < m), with their first
// link's anchor.
TEST(InLinksTest, SortedByUrlAndCutAtTheLimit) {
  TempDir dir;
  auto store = open_store((dir / "crawl.db").string());
  ASSERT_TRUE(store);
  PageRecord z = page("https://a.test/z", 0, {"https://a.test/t"});
  PageRecord b = page("https://a.test/b", 0, {"https://a.test/t", "https://a.test/t"});
  b.links[0].anchor = "first";
  b.links[1].anchor = "second";
  PageRecord m = page("https://a.test/m", 0, {"https://a.test/t"});
  ASSERT_TRUE(store->write(pages({z, b, m, page("https://a.test/t")})).ok());
  for (bool indexed : {false, true}) {
    if (indexed) {
      ASSERT_TRUE(store->ensure_serving_indexes().ok());
    }
    const auto urls = [&](std::size_t limit) {
      std::vector<std::string> out;
      const Result<std::vector<InLink>> in = store->in_links("https://a.test/t", limit);
      EXPECT_TRUE(in.ok()) << in.status().to_string();
      if (in.ok()) {
        for (const InLink& l : *in) out.push_back(l.from_url);
      }
      return out;
    };
    EXPECT_EQ(urls(10), (std::vector<std::string>{"https://a.test/b", "https://a.test/m", "https://a.test/z"}));
    EXPECT_EQ(urls(2), (std::vector<std::string>{"https://a.test/b", "https://a.test/m"}));
    EXPECT_EQ(urls(1), (std::vector<std::string>{"https://a.test/b"}));
    EXPECT_TRUE(urls(0).empty());
    const std::optional<PageView> v = *store->page_view("https://a.test/t", 2);
    ASSERT_TRUE(v);
    ASSERT_EQ(v->in_links.size(), 2u);
    EXPECT_EQ(v->in_links[0].from_url, "https://a.test/b");
    EXPECT_EQ(v->in_links[0].anchor, "first");
    EXPECT_EQ(v->in_links[1].from_url, "https://a.test/m");
  }
}

// SQLite's in-link index: a database served by an earlier build has
// links_to (to_id only); serving it now replaces it with links_in, which
// covers the in-links query (the anchor without a seek into links), and the
// answers stay the same.
TEST(InLinksTest, TheCoveringIndexReplacesTheEarlierOne) {
  TempDir dir;
  const std::string path = (dir / "crawl.db").string();
  auto store = open_store(path);
  ASSERT_TRUE(store);
  PageRecord b = page("https://a.test/b", 0, {"https://a.test/t", "https://a.test/t"});
  b.links[0].anchor = "first";
  b.links[1].anchor = "second";
  ASSERT_TRUE(store->write(pages({b, page("https://a.test/m", 0, {"https://a.test/t"}), page("https://a.test/t")})).ok());
  Result<sqlite::Connection> raw = sqlite::Connection::open(path, sqlite::Connection::Mode::kReadWriteCreate);
  ASSERT_TRUE(raw.ok()) << raw.status().to_string();
  ASSERT_TRUE(raw->exec("CREATE INDEX links_to ON links (to_id)", "the earlier index").ok());
  const auto count_index = [&](const char* name) {
    return *raw->query_int64(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = '") + name +
                             "'");
  };
  const std::vector<InLink> before = *store->in_links("https://a.test/t", 10);

  ASSERT_TRUE(store->ensure_serving_indexes().ok());
  EXPECT_EQ(count_index("links_to"), 0);
  EXPECT_EQ(count_index("links_in"), 1);
  ASSERT_TRUE(store->ensure_serving_indexes().ok());  // idempotent
  EXPECT_EQ(count_index("links_in"), 1);
  const std::vector<InLink> after = *store->in_links("https://a.test/t", 10);
  ASSERT_EQ(after.size(), 2u);
  ASSERT_EQ(before.size(), after.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(before[i].from_url, after[i].from_url);
    EXPECT_EQ(before[i].anchor, after[i].anchor);
    EXPECT_EQ(before[i].from_status, after[i].from_status);
  }
  EXPECT_EQ(after[0].anchor, "first");
}

TEST_P(PageViewTest, AReadOnlyReaderSeesTheSame) {
  auto reader = open_store(db_.location(), {.read_only = true});
  ASSERT_TRUE(reader);
  expect_view_matches(*reader, *store_, "https://a.test/r", 1000);
}

INSTANTIATE_TEST_SUITE_P(Engines, PageViewTest, engines(), engine_name);

}  // namespace
}  // namespace preheat::store
