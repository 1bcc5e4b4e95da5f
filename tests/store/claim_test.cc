// The claim protocol: claim_due() order, limit and due times; release_claims().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/crawl_store.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/support.h"

namespace preheat::store {
namespace {

using ::testing::ElementsAre;
using namespace preheat::store::testing;

class ClaimTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = open_store(db_.location());
    ASSERT_TRUE(store_);
    // Written in this order (age), at these depths.
    WriteBatch batch;
    batch.seeds = {new_url("https://a.test/d2", 2), new_url("https://a.test/d0-old", 0),
                   new_url("https://a.test/d1", 1), new_url("https://a.test/d0-new", 0)};
    ASSERT_TRUE(store_->write(batch).ok());
  }
  CrawlStore& store() { return *store_; }

  EngineDb db_{GetParam()};
  std::unique_ptr<CrawlStore> store_;
};

TEST_P(ClaimTest, LowestDepthFirstThenOldest) {
  EXPECT_THAT(urls_of(*store().claim_due(10, 0)),
              ElementsAre("https://a.test/d0-old", "https://a.test/d0-new", "https://a.test/d1", "https://a.test/d2"));
}

TEST_P(ClaimTest, LimitAndNoSecondHandOut) {
  EXPECT_THAT(urls_of(*store().claim_due(2, 0)), ElementsAre("https://a.test/d0-old", "https://a.test/d0-new"));
  EXPECT_THAT(urls_of(*store().claim_due(10, 0)), ElementsAre("https://a.test/d1", "https://a.test/d2"));
  EXPECT_TRUE(store().claim_due(10, 0)->empty());
  EXPECT_EQ(store().stats()->frontier.at(FrontierState::kClaimed), 4);
  EXPECT_FALSE(*store().next_due_ms());
}

TEST_P(ClaimTest, ZeroLimitClaimsNothing) {
  EXPECT_TRUE(store().claim_due(0, 0)->empty());
  EXPECT_EQ(store().stats()->frontier.at(FrontierState::kQueued), 4);
}

TEST_P(ClaimTest, EntriesCarryIdDepthAndAttempts) {
  const auto due = *store().claim_due(1, 0);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_GT(due[0].id, 0);
  EXPECT_EQ(due[0].depth, 0);
  EXPECT_EQ(due[0].attempts, 0);
}

TEST_P(ClaimTest, NextDueIsRespected) {
  const auto all = *store().claim_due(10, 0);
  ASSERT_EQ(all.size(), 4u);
  // d0-old failed and waits until 2000, d1 until 1000; the others are done.
  std::vector<PageRecord> outcomes;
  for (const auto& [url, due] : {std::pair{"https://a.test/d0-old", 2000}, std::pair{"https://a.test/d1", 1000}}) {
    PageRecord retry = page(url);
    retry.state = FrontierState::kQueued;
    retry.next_due_ms = due;
    outcomes.push_back(retry);
  }
  outcomes.push_back(page("https://a.test/d0-new"));
  outcomes.push_back(page("https://a.test/d2", 2));
  ASSERT_TRUE(store().write(pages(outcomes)).ok());

  EXPECT_EQ(*store().next_due_ms(), 1000);
  EXPECT_TRUE(store().claim_due(10, 999)->empty());
  EXPECT_THAT(urls_of(*store().claim_due(10, 1500)), ElementsAre("https://a.test/d1"));
  EXPECT_EQ(*store().next_due_ms(), 2000);
  EXPECT_THAT(urls_of(*store().claim_due(10, 5000)), ElementsAre("https://a.test/d0-old"));
  EXPECT_FALSE(*store().next_due_ms());
}

TEST_P(ClaimTest, ReleaseClaimsReturnsThemToTheQueue) {
  ASSERT_EQ(store().claim_due(3, 0)->size(), 3u);
  EXPECT_EQ(*store().release_claims(), 3);
  EXPECT_EQ(*store().release_claims(), 0);
  EXPECT_EQ(store().stats()->frontier.at(FrontierState::kQueued), 4);
  EXPECT_EQ(store().claim_due(10, 0)->size(), 4u);
}

TEST_P(ClaimTest, ClaimsSurviveReopenUntilReleased) {
  ASSERT_EQ(store().claim_due(2, 0)->size(), 2u);
  store_.reset();
  store_ = open_store(db_.location());
  ASSERT_TRUE(store_);
  EXPECT_EQ(store().claim_due(10, 0)->size(), 2u);  // the two never claimed
  EXPECT_EQ(*store().release_claims(), 4);
  EXPECT_EQ(store().claim_due(10, 0)->size(), 4u);
}

TEST_P(ClaimTest, DoneRowsAreNeverClaimed) {
  ASSERT_TRUE(store().write(pages({page("https://a.test/d0-old"), page("https://a.test/d1", 1)})).ok());
  EXPECT_THAT(urls_of(*store().claim_due(10, 0)), ElementsAre("https://a.test/d0-new", "https://a.test/d2"));
}

INSTANTIATE_TEST_SUITE_P(Engines, ClaimTest, engines(), engine_name);

}  // namespace
}  // namespace preheat::store
