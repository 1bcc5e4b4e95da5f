// The runs and their timelines (sqlite_crawl_store_runs.cc): what /stats and
// /timeline read.
#include <gtest/gtest.h>

#include "tests/store/store_test_helpers.h"
#include "tests/support/support.h"

namespace preheat::store::testing {
namespace {

PageRecord fetched(const std::string& url, std::int64_t end_ms, double elapsed_s, int status = 200) {
  PageRecord p = page(url);
  p.fetched_at_ms = end_ms;
  p.elapsed_s = elapsed_s;
  p.status = status;
  return p;
}

class RunsTest : public ::testing::TestWithParam<std::string> {
 protected:
  testing::EngineDb db_{GetParam()};
  std::string path_ = db_.location();
};

TEST_P(RunsTest, EachRunKnowsItsPagesAndTheLatestComesFirst) {
  auto store = open_store(path_);
  ASSERT_TRUE(store);
  Result<std::int64_t> first = store->begin_run({1000, "async", "http://a/", "crawl"});
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(store->write(pages({fetched("http://a/", 2000, 0.5), fetched("http://a/1", 2100, 0.2)})).ok());
  ASSERT_TRUE(store->end_run(*first, {3000, 2.0, 0.1, 2, "complete"}).ok());
  Result<std::int64_t> second = store->begin_run({5000, "sequential", "http://a/", "crawl again"});
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(store->write(pages({fetched("http://a/2", 6000, 0.1, 404)})).ok());

  Result<std::vector<RunSummary>> runs = store->runs();
  ASSERT_TRUE(runs.ok()) << runs.status().to_string();
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].id, *second);
  EXPECT_EQ((*runs)[0].pages, 1);
  EXPECT_EQ((*runs)[0].ended_at_ms, 0);  // still running
  EXPECT_EQ((*runs)[0].outcome, "");
  EXPECT_EQ((*runs)[1].id, *first);
  EXPECT_EQ((*runs)[1].pages, 2);
  EXPECT_EQ((*runs)[1].outcome, "complete");
  EXPECT_DOUBLE_EQ((*runs)[1].wall_s, 2.0);
  EXPECT_EQ((*runs)[1].mode, "async");

  // No run id: the latest run.
  Result<std::optional<RunTimeline>> latest = store->run_timeline(std::nullopt, 100);
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->run.id, *second);
  ASSERT_EQ((*latest)->spans.size(), 1u);
  EXPECT_EQ((*latest)->spans[0].status, 404);

  Result<std::optional<RunTimeline>> one = store->run_timeline(*first, 100);
  ASSERT_TRUE(one.ok());
  ASSERT_TRUE(one->has_value());
  ASSERT_EQ((*one)->spans.size(), 2u);
  EXPECT_EQ((*one)->spans[0].url, "http://a/");  // ordered by end time
  EXPECT_EQ((*one)->spans[0].end_ms, 2000);
  EXPECT_DOUBLE_EQ((*one)->spans[0].elapsed_s, 0.5);
  EXPECT_EQ((*one)->stride, 1);

  Result<std::optional<RunTimeline>> none = store->run_timeline(999, 100);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(RunsTest, ALongRunIsSampledEvenly) {
  auto store = open_store(path_);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->begin_run({1000, "async", "http://a/", "crawl"}).ok());
  std::vector<PageRecord> records;
  for (int i = 0; i < 1000; ++i) records.push_back(fetched("http://a/" + std::to_string(i), 10'000 + i, 0.01));
  ASSERT_TRUE(store->write(pages(std::move(records))).ok());
  Result<std::optional<RunTimeline>> t = store->run_timeline(std::nullopt, 300);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(t->has_value());
  EXPECT_EQ((*t)->stride, 4);  // ceil(1000 / 300)
  ASSERT_EQ((*t)->spans.size(), 250u);
  for (std::size_t i = 0; i < (*t)->spans.size(); ++i) EXPECT_EQ((*t)->spans[i].end_ms, 10'000 + 4 * static_cast<int>(i));
}

TEST_P(RunsTest, PagesOverTimeCountsEveryPageInEqualBuckets) {
  auto store = open_store(path_);
  ASSERT_TRUE(store);
  Result<TimeHistogram> empty = store->pages_over_time(10);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->counts.empty());
  EXPECT_EQ(empty->bucket_ms, 0);

  std::vector<PageRecord> records;
  // 0..999 ms after the start: 1000 pages, one per ms.
  for (int i = 0; i < 1000; ++i) records.push_back(fetched("http://a/" + std::to_string(i), 50'000 + i, 0.01));
  ASSERT_TRUE(store->write(pages(std::move(records))).ok());
  Result<TimeHistogram> h = store->pages_over_time(10);
  ASSERT_TRUE(h.ok()) << h.status().to_string();
  EXPECT_EQ(h->start_ms, 50'000);
  EXPECT_EQ(h->bucket_ms, 100);
  ASSERT_EQ(h->counts.size(), 10u);
  for (std::int64_t n : h->counts) EXPECT_EQ(n, 100);

  // A crawl shorter than the buckets asked: one bucket per ms.
  Result<TimeHistogram> fine = store->pages_over_time(5000);
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(fine->bucket_ms, 1);
  EXPECT_EQ(fine->counts.size(), 1000u);
}

INSTANTIATE_TEST_SUITE_P(Engines, RunsTest, engines(), engine_name);

}  // namespace
}  // namespace preheat::store::testing
