// write(): seeds, pages, links, redirects, retries and discovered URLs, as
// seen back through stats(), page_urls(), find_page() and claim_due().
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/crawl_store.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/support.h"

namespace preheat::store {
namespace {

using ::testing::ElementsAre;
using namespace preheat::store::testing;

class CrawlStoreWriteTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = open_store(db_.location());
    ASSERT_TRUE(store_);
  }
  CrawlStore& store() { return *store_; }

  EngineDb db_{GetParam()};
  std::unique_ptr<CrawlStore> store_;
};

TEST_P(CrawlStoreWriteTest, SeedsAreIdempotent) {
  ASSERT_TRUE(store().write(seeds({"https://a.test/", "https://b.test/"})).ok());
  ASSERT_TRUE(store().write(seeds({"https://a.test/"}, /*depth=*/3)).ok());
  const CrawlStats st = *store().stats();
  EXPECT_EQ(st.urls, 2);
  EXPECT_EQ(st.frontier.at(FrontierState::kQueued), 2);
  const auto due = *store().claim_due(10, 0);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].url, "https://a.test/");
  EXPECT_EQ(due[0].depth, 0);  // the first write wins
  EXPECT_EQ(due[0].attempts, 0);
}

TEST_P(CrawlStoreWriteTest, PageLinksRedirectsAndDiscoveredRoundTrip) {
  ASSERT_TRUE(store().write(seeds({"https://a.test/"})).ok());
  ASSERT_EQ(store().claim_due(10, 0)->size(), 1u);

  PageRecord p = page("https://a.test/", 0);
  p.final_url = "https://a.test/home";
  p.redirects = {RedirectRecord{"https://a.test/", "https://a.test/home", 301}};
  p.links = {LinkRecord{"https://a.test/b", "B", "next", "a"}, LinkRecord{"https://a.test/c", "", "", "link"},
             LinkRecord{"mailto:x@a.test", "mail", "nofollow", "a"},
             LinkRecord{"https://a.test/b", "B again", "", "a"}};
  p.discovered = {new_url("https://a.test/b", 1), new_url("https://a.test/c", 1, /*claimed=*/true)};
  p.bytes = 1234;
  p.wire_bytes = 456;
  p.content_hash = 0xfedcba9876543210ULL;  // above INT64_MAX: stored as its bit pattern
  p.title = "Home";
  p.text = "Welcome";
  p.etag = "\"abc\"";
  p.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
  p.elapsed_s = 0.25;
  p.attempts = 2;
  ASSERT_TRUE(store().write(pages({p})).ok());

  const CrawlStats st = *store().stats();
  EXPECT_EQ(st.urls, 5);  // a, home, b, c, mailto
  EXPECT_EQ(st.pages, 1);
  EXPECT_EQ(st.links, 4);
  EXPECT_EQ(st.redirects, 1);
  EXPECT_EQ(st.frontier.at(FrontierState::kDone), 1);
  EXPECT_EQ(st.frontier.at(FrontierState::kQueued), 1);
  EXPECT_EQ(st.frontier.at(FrontierState::kClaimed), 1);
  EXPECT_EQ(st.bytes, 1234);
  EXPECT_EQ(st.wire_bytes, 456);

  EXPECT_EQ(*store().page_urls(std::nullopt), std::vector<std::string>{"https://a.test/"});
  const auto due = *store().claim_due(10, 0);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].url, "https://a.test/b");
  EXPECT_EQ(due[0].depth, 1);

  const std::optional<PageRecord> got = *store().find_page("https://a.test/");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->url, p.url);
  EXPECT_EQ(got->final_url, "https://a.test/home");
  EXPECT_EQ(got->content_hash, p.content_hash);
  EXPECT_EQ(got->bytes, 1234u);
  EXPECT_EQ(got->title, "Home");
  EXPECT_EQ(got->etag, p.etag);
  EXPECT_EQ(got->last_modified, p.last_modified);
  EXPECT_EQ(got->elapsed_s, 0.25);
  EXPECT_EQ(got->attempts, 2);
  EXPECT_EQ(got->state, FrontierState::kDone);
  ASSERT_EQ(got->redirects.size(), 1u);
  EXPECT_EQ(got->redirects[0].from_url, "https://a.test/");
  EXPECT_EQ(got->redirects[0].to_url, "https://a.test/home");
  EXPECT_EQ(got->redirects[0].status, 301);
  ASSERT_EQ(got->links.size(), 4u);  // document order, duplicates kept
  EXPECT_EQ(got->links[0].to_url, "https://a.test/b");
  EXPECT_EQ(got->links[0].rel, "next");
  EXPECT_EQ(got->links[1].tag, "link");
  EXPECT_EQ(got->links[2].to_url, "mailto:x@a.test");
  EXPECT_EQ(got->links[3].anchor, "B again");

  EXPECT_FALSE(*store().find_page("https://a.test/b"));
}

TEST_P(CrawlStoreWriteTest, RetryWritesNoPageRowOnlyTheFrontier) {
  ASSERT_TRUE(store().write(seeds({"https://a.test/"})).ok());
  ASSERT_EQ(store().claim_due(10, 0)->size(), 1u);
  PageRecord retry = page("https://a.test/");
  retry.state = FrontierState::kQueued;
  retry.attempts = 2;
  retry.next_due_ms = 5000;
  retry.error_class = "timeout";
  ASSERT_TRUE(store().write(pages({retry})).ok());

  EXPECT_EQ(*store().page_count(), 0);
  EXPECT_EQ(store().stats()->frontier.at(FrontierState::kQueued), 1);
  EXPECT_EQ(*store().next_due_ms(), 5000);
  EXPECT_TRUE(store().claim_due(10, 4999)->empty());
  const auto due = *store().claim_due(10, 5000);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].attempts, 2);
}

TEST_P(CrawlStoreWriteTest, FailedPageKeepsItsError) {
  PageRecord p = page("https://a.test/");
  p.state = FrontierState::kFailed;
  p.status = 0;
  p.attempts = 3;
  p.error_class = "timeout";
  p.error_message = "no answer within 30 s";
  ASSERT_TRUE(store().write(pages({p})).ok());
  const CrawlStats st = *store().stats();
  EXPECT_EQ(st.frontier.at(FrontierState::kFailed), 1);
  EXPECT_EQ(st.errors.at("timeout"), 1);
  EXPECT_EQ(st.status_classes.at(0), 1);
  EXPECT_EQ(store().find_page("https://a.test/")->value().error_message, "no answer within 30 s");
}

TEST_P(CrawlStoreWriteTest, KnownDiscoveredUrlsAreNotDuplicatedAndKeepTheirDepth) {
  ASSERT_TRUE(store().write(seeds({"https://a.test/"})).ok());
  PageRecord a = page("https://a.test/", 0, {"https://a.test/b"});
  a.discovered = {new_url("https://a.test/b", 1)};
  ASSERT_TRUE(store().write(pages({a})).ok());
  PageRecord x = page("https://a.test/x", 4, {"https://a.test/b", "https://a.test/"});
  x.discovered = {new_url("https://a.test/b", 5), new_url("https://a.test/", 5, /*claimed=*/true)};
  ASSERT_TRUE(store().write(pages({x})).ok());

  const CrawlStats st = *store().stats();
  EXPECT_EQ(st.urls, 3);
  EXPECT_EQ(st.frontier.at(FrontierState::kDone), 2);
  EXPECT_EQ(st.frontier.at(FrontierState::kQueued), 1);
  EXPECT_EQ(st.frontier.count(FrontierState::kClaimed), 0u);  // a stays done
  const auto due = *store().claim_due(10, 0);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].url, "https://a.test/b");
  EXPECT_EQ(due[0].depth, 1);
}

TEST_P(CrawlStoreWriteTest, ClaimedFlagIsRespected) {
  WriteBatch batch;
  batch.seeds = {new_url("https://a.test/held", 0, /*claimed=*/true), new_url("https://a.test/queued", 0)};
  ASSERT_TRUE(store().write(batch).ok());
  EXPECT_EQ(urls_of(*store().claim_due(10, 0)), std::vector<std::string>{"https://a.test/queued"});
  EXPECT_EQ(*store().release_claims(), 2);
  EXPECT_THAT(urls_of(*store().claim_due(10, 0)), ElementsAre("https://a.test/held", "https://a.test/queued"));
}

TEST_P(CrawlStoreWriteTest, RewritingAPageReplacesItsLinksAndRedirects) {
  PageRecord first = page("https://a.test/", 0, {"https://a.test/b", "https://a.test/c"});
  first.redirects = {RedirectRecord{"https://a.test/", "https://a.test/", 302}};
  first.title = "old";
  ASSERT_TRUE(store().write(pages({first})).ok());
  PageRecord second = page("https://a.test/", 0, {"https://a.test/d"});
  second.title = "new";
  ASSERT_TRUE(store().write(pages({second})).ok());

  const CrawlStats st = *store().stats();
  EXPECT_EQ(st.pages, 1);
  EXPECT_EQ(st.links, 1);
  EXPECT_EQ(st.redirects, 0);
  const PageRecord got = store().find_page("https://a.test/")->value();
  EXPECT_EQ(got.title, "new");
  ASSERT_EQ(got.links.size(), 1u);
  EXPECT_EQ(got.links[0].to_url, "https://a.test/d");
}

// Link counts around the SQLite writer's multi-row INSERT sizes (64, 16, 4,
// 1 rows per statement): every link comes back once, in document order, with
// its own target, anchor, rel and tag; a rewrite with fewer links leaves none
// of the old ones.
TEST_P(CrawlStoreWriteTest, ManyLinksPerPageComeBackInOrderAcrossInsertBatchSizes) {
  const std::vector<std::size_t> counts = {0, 1, 3, 4, 5, 15, 16, 17, 63, 64, 65, 85, 149, 200};
  const auto links_of = [](std::size_t page_index, std::size_t n) {
    std::vector<LinkRecord> links;
    for (std::size_t i = 0; i < n; ++i) {
      // Targets repeat (i % 7) and are new (i); anchors, rels and tags differ per link.
      const std::string to = i % 3 == 0 ? "https://a.test/nav" + std::to_string(i % 7)
                                        : "https://a.test/p" + std::to_string(page_index) + "/" + std::to_string(i);
      links.push_back(LinkRecord{to, "anchor " + std::to_string(page_index) + "." + std::to_string(i),
                                 i % 5 == 0 ? "next" : "", i % 4 == 0 ? "link" : "a"});
    }
    return links;
  };
  std::vector<PageRecord> written;
  for (std::size_t p = 0; p < counts.size(); ++p) {
    PageRecord r = page("https://a.test/page" + std::to_string(p), 1);
    r.links = links_of(p, counts[p]);
    written.push_back(std::move(r));
  }
  ASSERT_TRUE(store().write(pages(written)).ok());
  // The page with 200 links is rewritten with 70 others (a recrawl).
  PageRecord rewritten = page(written.back().url, 1);
  rewritten.links = links_of(99, 70);
  ASSERT_TRUE(store().write(pages({rewritten})).ok());
  written.back() = rewritten;

  std::map<std::string, std::vector<LinkExport>> by_page;
  std::size_t total = 0;
  UrlId after = 0;
  std::int64_t seq = -1;
  while (true) {
    const std::vector<LinkExport> rows = *store().links_after(after, seq, 50);
    if (rows.empty()) break;
    for (const LinkExport& l : rows) by_page[l.from_url].push_back(l);
    total += rows.size();
    after = rows.back().from_id;
    seq = rows.back().seq;
  }
  std::size_t expected_total = 0;
  for (const PageRecord& r : written) {
    expected_total += r.links.size();
    const std::vector<LinkExport>& got = by_page[r.url];
    ASSERT_EQ(got.size(), r.links.size()) << r.url;
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].seq, static_cast<std::int64_t>(i)) << r.url;
      EXPECT_EQ(got[i].to_url, r.links[i].to_url) << r.url << " link " << i;
      EXPECT_EQ(got[i].anchor, r.links[i].anchor) << r.url << " link " << i;
      EXPECT_EQ(got[i].rel, r.links[i].rel) << r.url << " link " << i;
      EXPECT_EQ(got[i].tag, r.links[i].tag) << r.url << " link " << i;
    }
  }
  EXPECT_EQ(total, expected_total);
  EXPECT_EQ(store().stats()->links, static_cast<std::int64_t>(expected_total));
}

TEST_P(CrawlStoreWriteTest, PageWithoutFrontierRowGetsOne) {
  // Reached through a redirect: the crawler never queued it.
  ASSERT_TRUE(store().write(pages({page("https://a.test/target", 2)})).ok());
  EXPECT_EQ(store().stats()->frontier.at(FrontierState::kDone), 1);
  EXPECT_EQ(frontier_urls(store()), std::vector<std::string>{"https://a.test/target"});
}

TEST_P(CrawlStoreWriteTest, ForEachFrontierUrlListsFrontierNotLinkTargets) {
  ASSERT_TRUE(store().write(seeds({"https://a.test/"})).ok());
  PageRecord a = page("https://a.test/", 0, {"https://a.test/b", "https://elsewhere.test/"});
  a.discovered = {new_url("https://a.test/b", 1)};
  ASSERT_TRUE(store().write(pages({a})).ok());
  EXPECT_THAT(frontier_urls(store()), ElementsAre("https://a.test/", "https://a.test/b"));
  EXPECT_EQ(store().stats()->urls, 3);
}

TEST_P(CrawlStoreWriteTest, StatsAggregates) {
  std::vector<PageRecord> records;
  const struct {
    const char* url;
    int status;
    int depth;
    std::int64_t at;
    const char* error;
  } rows[] = {{"https://a.test/1", 200, 0, 5000, ""},
              {"https://a.test/2", 200, 1, 3000, ""},
              {"https://a.test/3", 404, 1, 7000, "http-4xx"},
              {"https://a.test/4", 503, 2, 4000, "http-5xx"},
              {"https://a.test/5", 301, 2, 6000, ""}};
  for (const auto& r : rows) {
    PageRecord p = page(r.url, r.depth);
    p.status = r.status;
    p.fetched_at_ms = r.at;
    p.error_class = r.error;
    p.bytes = 100;
    p.wire_bytes = 10;
    records.push_back(p);
  }
  ASSERT_TRUE(store().write(pages(records)).ok());
  const std::int64_t run = *store().begin_run(RunInfo{1, "parallel", "https://a.test/", "preheat crawl"});
  ASSERT_TRUE(store().end_run(run, RunEnd{2, 1.5, 1.0, 5, "complete"}).ok());
  EXPECT_EQ(store().end_run(run + 100, RunEnd{}).code(), Status::Code::kNotFound);

  const CrawlStats st = *store().stats();
  EXPECT_EQ(st.pages, 5);
  EXPECT_EQ(st.bytes, 500);
  EXPECT_EQ(st.wire_bytes, 50);
  EXPECT_EQ(st.first_fetch_ms, 3000);
  EXPECT_EQ(st.last_fetch_ms, 7000);
  EXPECT_EQ(st.runs, 1);
  EXPECT_EQ(st.status_classes, (std::map<int, std::int64_t>{{2, 2}, {3, 1}, {4, 1}, {5, 1}}));
  EXPECT_EQ(st.errors, (std::map<std::string, std::int64_t>{{"http-4xx", 1}, {"http-5xx", 1}}));
  EXPECT_EQ(st.depths, (std::map<int, std::int64_t>{{0, 1}, {1, 2}, {2, 2}}));
  EXPECT_EQ(st.frontier, (std::map<FrontierState, std::int64_t>{{FrontierState::kDone, 5}}));

  EXPECT_THAT(*store().page_urls(200), ElementsAre("https://a.test/1", "https://a.test/2"));
  EXPECT_THAT(*store().page_urls(404), ElementsAre("https://a.test/3"));
  EXPECT_TRUE(store().page_urls(418)->empty());
}

TEST_P(CrawlStoreWriteTest, EmptyStoreStats) {
  const CrawlStats st = *store().stats();
  EXPECT_EQ(st.urls, 0);
  EXPECT_EQ(st.pages, 0);
  EXPECT_EQ(st.first_fetch_ms, 0);
  EXPECT_EQ(st.last_fetch_ms, 0);
  EXPECT_TRUE(st.frontier.empty());
  EXPECT_FALSE(*store().next_due_ms());
  EXPECT_TRUE(store().page_urls(std::nullopt)->empty());
}

TEST_P(CrawlStoreWriteTest, PageUrlsAreSortedByUrl) {
  ASSERT_TRUE(
      store().write(pages({page("https://a.test/z"), page("https://a.test/a"), page("https://a.test/m")})).ok());
  EXPECT_THAT(*store().page_urls(std::nullopt),
              ElementsAre("https://a.test/a", "https://a.test/m", "https://a.test/z"));
}

TEST_P(CrawlStoreWriteTest, FailedBatchWritesNothingAndTheStoreGoesOn) {
  WriteBatch bad;
  bad.seeds = {new_url("https://a.test/seed")};
  bad.pages = {page("https://a.test/ok", 0, {"https://a.test/new-in-bad-batch"})};
  PageRecord claimed = page("https://a.test/bad");
  claimed.state = FrontierState::kClaimed;  // not a valid outcome
  bad.pages.push_back(claimed);
  const Status s = store().write(bad);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  const CrawlStats st = *store().stats();
  EXPECT_EQ(st.urls, 0);
  EXPECT_EQ(st.pages, 0);

  // The ids the rolled-back batch handed out are not reused wrongly.
  ASSERT_TRUE(store().write(seeds({"https://a.test/other"})).ok());
  ASSERT_TRUE(
      store()
          .write(pages({page("https://a.test/ok", 0, {"https://a.test/new-in-bad-batch", "https://a.test/other"})}))
          .ok());
  const PageRecord got = store().find_page("https://a.test/ok")->value();
  ASSERT_EQ(got.links.size(), 2u);
  EXPECT_EQ(got.links[0].to_url, "https://a.test/new-in-bad-batch");
  EXPECT_EQ(got.links[1].to_url, "https://a.test/other");
  EXPECT_EQ(store().stats()->urls, 3);
}

TEST_P(CrawlStoreWriteTest, PagesAreStampedWithTheRun) {
  const std::int64_t run = *store().begin_run(RunInfo{1, "async", "https://a.test/", ""});
  EXPECT_GT(run, 0);
  ASSERT_TRUE(store().write(pages({page("https://a.test/")})).ok());
  ASSERT_TRUE(store().end_run(run, RunEnd{2, 1, 1, 1, "complete"}).ok());
  const std::int64_t second = *store().begin_run(RunInfo{3, "async", "https://a.test/", ""});
  EXPECT_EQ(second, run + 1);
  ASSERT_TRUE(store().write(pages({page("https://a.test/2")})).ok());
  EXPECT_EQ(store().stats()->runs, 2);

  // Each run's page count is of the page rows stamped with it.
  const std::vector<RunSummary> runs = *store().runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id, second);
  EXPECT_EQ(runs[0].pages, 1);
  EXPECT_EQ(runs[1].id, run);
  EXPECT_EQ(runs[1].pages, 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, CrawlStoreWriteTest, engines(), engine_name);

}  // namespace
}  // namespace preheat::store
