// The fleet's page budget (crawl_store.h FleetOptions::max_pages,
// store/postgres/postgres_fleet.cc): the committed pages plus the rows
// claimed under a live lease, whatever worker claimed them, never pass it;
// a claim that ends without a page row (a retry, an expired lease) gives
// its room back; the fleet has no work left once it is spent, even with
// rows still queued. Times are the `now_ms` arguments (no background
// renewal), as in fleet_store_test.cc.
#include <gtest/gtest.h>

#include <string>

#include "store/crawl_store.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/postgres_server.h"

namespace preheat::store {
namespace {

using namespace preheat::store::testing;
using preheat::testing::PostgresTestDb;

constexpr std::int64_t kLease = 1000;

std::unique_ptr<CrawlStore> worker(const std::string& uri, const std::string& id, std::int64_t max_pages,
                                   bool count_pass = false) {
  return open_store(uri, {.fleet = FleetOptions{.worker_id = id,
                                                .lease_ms = kLease,
                                                .renew_in_background = false,
                                                .max_pages = max_pages,
                                                .count_pass = count_pass}});
}

// `n` URLs on each of hosts a.test and b.test.
WriteBatch two_hosts(int n) {
  WriteBatch batch;
  for (int i = 0; i < n; ++i) {
    batch.seeds.push_back(new_url("http://a.test/" + std::to_string(i)));
    batch.seeds.push_back(new_url("http://b.test/" + std::to_string(i)));
  }
  return batch;
}

PageRecord retry(const std::string& url, std::int64_t due_ms) {
  PageRecord p = page(url);
  p.status = 503;
  p.error_class = "http-503";
  p.state = FrontierState::kQueued;
  p.next_due_ms = due_ms;
  return p;
}

TEST(FleetBudgetTest, ClaimsOfAllWorkersTogetherStayWithinTheBudget) {
  PostgresTestDb db;
  auto a = worker(db.uri(), "a", 5);
  auto b = worker(db.uri(), "b", 5);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->write(two_hosts(10)).ok());

  // a takes a host and 5 of its 10 rows: the whole budget.
  Result<std::vector<FrontierEntry>> got_a = a->claim_due(100, 10);
  ASSERT_TRUE(got_a.ok()) << got_a.status().to_string();
  ASSERT_EQ(got_a->size(), 5u);
  // b: no room (5 live claims), so not even a host.
  Result<std::vector<FrontierEntry>> got_b = b->claim_due(100, 10);
  ASSERT_TRUE(got_b.ok()) << got_b.status().to_string();
  EXPECT_TRUE(got_b->empty());
  EXPECT_TRUE(b->held_hosts()->empty());
  // Committing pages moves room from claimed to committed: still none.
  ASSERT_TRUE(a->write(pages({page((*got_a)[0].url), page((*got_a)[1].url)})).ok());
  EXPECT_TRUE(b->claim_due(100, 20)->empty());
  EXPECT_TRUE(a->claim_due(100, 20)->empty());
  EXPECT_TRUE(*b->fleet_work_left(20)) << "a's live claims may still give room back";

  // A retry makes no page row: its room comes back, and b may take it.
  ASSERT_TRUE(a->write(pages({retry((*got_a)[2].url, 10'000)})).ok());
  got_b = b->claim_due(100, 30);
  ASSERT_TRUE(got_b.ok());
  ASSERT_EQ(got_b->size(), 1u);
  EXPECT_NE(fleet_host(got_b->front().url), fleet_host(got_a->front().url));

  // Everything claimed is committed: 5 pages, rows still queued, no work left.
  ASSERT_TRUE(a->write(pages({page((*got_a)[3].url), page((*got_a)[4].url)})).ok());
  EXPECT_TRUE(*a->fleet_work_left(40)) << "b's claim is live";
  EXPECT_FALSE(a->fleet_budget_spent());
  ASSERT_TRUE(b->write(pages({page(got_b->front().url)})).ok());
  EXPECT_EQ(*a->page_count(), 5);
  EXPECT_FALSE(*a->fleet_work_left(40));
  EXPECT_TRUE(a->fleet_budget_spent());
  EXPECT_FALSE(*b->fleet_work_left(40));
  EXPECT_GT(b->stats()->frontier[FrontierState::kQueued], 0);
  EXPECT_TRUE(a->claim_due(100, 50)->empty());
}

TEST(FleetBudgetTest, AnExpiredClaimReturnsToTheBudget) {
  PostgresTestDb db;
  auto a = worker(db.uri(), "a", 3);
  auto b = worker(db.uri(), "b", 3);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->write(two_hosts(5)).ok());
  ASSERT_EQ(a->claim_due(100, 10)->size(), 3u);
  EXPECT_TRUE(b->claim_due(100, 500)->empty());
  // a dies: after its lease its 3 claims count no more, b gets 3 rows.
  Result<std::vector<FrontierEntry>> got_b = b->claim_due(100, 2000);
  ASSERT_TRUE(got_b.ok());
  EXPECT_EQ(got_b->size(), 3u);
}

TEST(FleetBudgetTest, PagesAlreadyInTheDatabaseCountAndARecrawlCountsItsPass) {
  PostgresTestDb db;
  {
    auto a = worker(db.uri(), "a", 2);
    ASSERT_TRUE(a->write(two_hosts(3)).ok());
    Result<std::vector<FrontierEntry>> got = a->claim_due(100, 10);
    ASSERT_EQ(got->size(), 2u);
    ASSERT_TRUE(a->write(pages({page((*got)[0].url), page((*got)[1].url)})).ok());
    EXPECT_FALSE(*a->fleet_work_left(20));
    EXPECT_TRUE(a->fleet_budget_spent());
  }
  // A resumed crawl with a higher budget gets only the difference.
  {
    auto a = worker(db.uri(), "a2", 3);
    EXPECT_EQ(a->claim_due(100, 30)->size(), 1u);
  }
  // A recrawl counts the pass's pages: the 2 pages requeued count no more.
  auto r = worker(db.uri(), "r", 2, /*count_pass=*/true);
  ASSERT_TRUE(r->begin_recrawl(40).ok());
  Result<std::vector<FrontierEntry>> again = r->claim_due(100, 50);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 2u);
}

TEST(FleetBudgetTest, WithoutABudgetTheFleetClaimsAsBefore) {
  PostgresTestDb db;
  auto a = worker(db.uri(), "a", -1);
  ASSERT_TRUE(a->write(two_hosts(10)).ok());
  EXPECT_EQ(a->claim_due(100, 10)->size(), 10u);
  EXPECT_TRUE(*a->fleet_work_left(20));
  EXPECT_FALSE(a->fleet_budget_spent());
}

}  // namespace
}  // namespace preheat::store
