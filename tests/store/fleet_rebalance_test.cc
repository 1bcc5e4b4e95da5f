// Rebalancing the fleet's hosts (store/postgres/postgres_fleet.cc,
// kDrainHost): a worker holding more hosts than its fair share drains one
// (claims no more of its rows) while another live worker holds fewer, and
// hands it back once none of its rows is claimed there. Times are the `now_ms` arguments (no background
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

std::unique_ptr<CrawlStore> worker(const std::string& uri, const std::string& id) {
  return open_store(uri, {.fleet = FleetOptions{.worker_id = id, .lease_ms = 1000, .renew_in_background = false}});
}

std::string host_url(int h, int i) { return "http://h" + std::to_string(h) + ".test/" + std::to_string(i); }

WriteBatch one_more_per_host(int i) {
  WriteBatch batch;
  for (int h = 0; h < 6; ++h) batch.seeds.push_back(new_url(host_url(h, i)));
  return batch;
}

std::vector<PageRecord> pages_of(const std::vector<FrontierEntry>& entries) {
  std::vector<PageRecord> out;
  for (const FrontierEntry& e : entries) out.push_back(page(e.url));
  return out;
}

TEST(FleetRebalanceTest, AWorkerOverItsShareDrainsAndHandsBackHostsToALateWorker) {
  PostgresTestDb db;
  auto a = worker(db.uri(), "a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->write(one_more_per_host(0)).ok());
  // Alone, a takes every host (one per claim) and claims their rows.
  std::vector<FrontierEntry> claimed;
  for (std::int64_t t = 10; t < 16; ++t) {
    Result<std::vector<FrontierEntry>> got = a->claim_due(100, t);
    ASSERT_TRUE(got.ok()) << got.status().to_string();
    claimed.insert(claimed.end(), got->begin(), got->end());
  }
  ASSERT_EQ(a->held_hosts()->size(), 6u);
  ASSERT_EQ(claimed.size(), 6u);

  // b starts; each host has one more row queued. a is over its share (3):
  // h0 drains (all hosts have one row claimed here: the first by name). Its
  // new row is not claimed, the others' are, and a keeps h0 while its
  // claimed row is not written.
  auto b = worker(db.uri(), "b");
  ASSERT_TRUE(b);
  ASSERT_TRUE(a->write(one_more_per_host(1)).ok());
  Result<std::vector<FrontierEntry>> more = a->claim_due(100, 20);
  ASSERT_TRUE(more.ok()) << more.status().to_string();
  EXPECT_EQ(more->size(), 5u);
  for (const FrontierEntry& e : *more) EXPECT_NE(fleet_host(e.url), "http://h0.test") << e.url;
  EXPECT_EQ(a->held_hosts()->size(), 6u);
  EXPECT_TRUE(b->claim_due(100, 20)->empty());

  // Its rows written (and more queued), a hands back one drained host per
  // claim and drains the next, until it holds its share, counting the
  // hosts handed back and not taken yet as b's.
  ASSERT_TRUE(a->write(pages(pages_of(claimed))).ok());
  ASSERT_TRUE(a->write(pages(pages_of(*more))).ok());
  ASSERT_TRUE(a->write(one_more_per_host(2)).ok());
  for (std::int64_t t = 30; t < 36; ++t) ASSERT_TRUE(a->claim_due(0, t).ok());
  const std::vector<std::string> kept = *a->held_hosts();
  EXPECT_EQ(kept, (std::vector<std::string>{"http://h3.test", "http://h4.test", "http://h5.test"}));

  // For half a lease (500 ms) after it was handed back nobody takes a host
  // (the giver closes its idle connections meanwhile); then b takes the
  // three, one per claim, and a keeps its three.
  EXPECT_TRUE(b->claim_due(100, 40)->empty());
  EXPECT_TRUE(b->claim_due(100, 500)->empty());
  for (std::int64_t t = 600; t < 606; ++t) ASSERT_TRUE(b->claim_due(100, t).ok());
  EXPECT_EQ(*b->held_hosts(), (std::vector<std::string>{"http://h0.test", "http://h1.test", "http://h2.test"}));
  ASSERT_TRUE(a->claim_due(100, 606).ok());
  EXPECT_EQ(*a->held_hosts(), kept);
}

}  // namespace
}  // namespace preheat::store
