// Fleet mode of the PostgreSQL store (crawl_store.h FleetOptions,
// store/postgres/postgres_fleet.cc): workers never share a host or a URL, an
// expired lease is taken over with its claimed URLs, and a starting worker
// leaves a live worker's claims alone. Times are the `now_ms` arguments
// (leases are compared with them; no background renewal: every claim
// renews), so nothing here waits. The background renewal itself:
// lease_keeper_test.cc.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "store/crawl_store.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/postgres_server.h"

namespace preheat::store {
namespace {

using namespace preheat::store::testing;
using preheat::testing::PostgresTestDb;

constexpr std::int64_t kLease = 1000;

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<CrawlStore> worker(const std::string& uri, const std::string& id) {
  return open_store(uri, {.fleet = FleetOptions{id, kLease, /*renew_in_background=*/false}});
}

std::set<std::string> hosts_of(const std::vector<FrontierEntry>& entries) {
  std::set<std::string> hosts;
  for (const FrontierEntry& e : entries) hosts.insert(fleet_host(e.url));
  return hosts;
}

WriteBatch two_hosts(int per_host) {
  WriteBatch batch;
  for (int i = 0; i < per_host; ++i) {
    batch.seeds.push_back(new_url("http://a.test:81/" + std::to_string(i)));
    batch.seeds.push_back(new_url("http://b.test/" + std::to_string(i)));
  }
  return batch;
}

TEST(FleetStoreTest, FleetHostIsTheUrlUpToItsPath) {
  EXPECT_EQ(fleet_host("http://a.test:8080/x?y#z"), "http://a.test:8080");
  EXPECT_EQ(fleet_host("https://b.test?q"), "https://b.test");
  EXPECT_EQ(fleet_host("https://b.test"), "https://b.test");
}

TEST(FleetStoreTest, TwoWorkersNeverHoldTheSameHostOrUrl) {
  PostgresTestDb db;
  auto a = worker(db.uri(), "a");
  auto b = worker(db.uri(), "b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->write(two_hosts(10)).ok());
  ASSERT_EQ(a->fleet_lease_ms(), kLease);

  Result<std::vector<FrontierEntry>> got_a = a->claim_due(100, 10);
  ASSERT_TRUE(got_a.ok()) << got_a.status().to_string();
  // One new host per claim: a takes one host's ten URLs, not both hosts'.
  ASSERT_EQ(got_a->size(), 10u);
  ASSERT_EQ(hosts_of(*got_a).size(), 1u);
  Result<std::vector<FrontierEntry>> got_b = b->claim_due(100, 10);
  ASSERT_TRUE(got_b.ok()) << got_b.status().to_string();
  ASSERT_EQ(got_b->size(), 10u);
  ASSERT_EQ(hosts_of(*got_b).size(), 1u);
  EXPECT_NE(*hosts_of(*got_a).begin(), *hosts_of(*got_b).begin());
  EXPECT_EQ(*a->held_hosts(), std::vector<std::string>{*hosts_of(*got_a).begin()});
  EXPECT_EQ(*b->held_hosts(), std::vector<std::string>{*hosts_of(*got_b).begin()});

  // More URLs of a's host: only a gets them, b (holding the other) none.
  const std::string host_a = *hosts_of(*got_a).begin();
  ASSERT_TRUE(b->write(seeds({host_a + "/more1", host_a + "/more2"})).ok());
  Result<std::vector<FrontierEntry>> more_b = b->claim_due(100, 20);
  ASSERT_TRUE(more_b.ok());
  EXPECT_TRUE(more_b->empty());
  Result<std::vector<FrontierEntry>> more_a = a->claim_due(100, 20);
  ASSERT_TRUE(more_a.ok());
  EXPECT_EQ(more_a->size(), 2u);
}

TEST(FleetStoreTest, AWorkerTakesNoMoreThanItsFairShareOfHosts) {
  PostgresTestDb db;
  std::vector<std::unique_ptr<CrawlStore>> workers;
  for (const char* id : {"a", "b", "c"}) workers.push_back(worker(db.uri(), id));
  WriteBatch batch;
  for (int h = 0; h < 6; ++h) batch.seeds.push_back(new_url("http://h" + std::to_string(h) + ".test/"));
  ASSERT_TRUE(workers[0]->write(batch).ok());
  // Workers register at open (real time, so live at these claim times):
  // 6 hosts over 3 workers, at most 2 each however often a worker asks.
  std::set<std::string> all;
  for (auto& w : workers) {
    for (std::int64_t t = 10; t < 20; ++t) ASSERT_TRUE(w->claim_due(100, t).ok());
    const std::vector<std::string> held = *w->held_hosts();
    EXPECT_EQ(held.size(), 2u);
    all.insert(held.begin(), held.end());
  }
  EXPECT_EQ(all.size(), 6u) << "a host held twice, or one left";
}

TEST(FleetStoreTest, AnExpiredHostLeaseIsTakenOverWithItsClaimedUrls) {
  PostgresTestDb db;
  auto a = worker(db.uri(), "a");
  auto b = worker(db.uri(), "b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->write(seeds({"http://a.test/1", "http://a.test/2", "http://a.test/3"})).ok());
  Result<std::vector<FrontierEntry>> got_a = a->claim_due(2, 10);
  ASSERT_TRUE(got_a.ok());
  ASSERT_EQ(got_a->size(), 2u);
  // a page done by a: never handed out again.
  ASSERT_TRUE(a->write(pages({page((*got_a)[0].url)})).ok());

  // While a's lease lives (renewed at 900: until 1900), b gets nothing.
  ASSERT_TRUE(a->claim_due(0, 900).ok());  // heartbeat
  Result<std::vector<FrontierEntry>> early = b->claim_due(10, 1800);
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(early->empty());
  EXPECT_TRUE(b->held_hosts()->empty());
  EXPECT_TRUE(*b->fleet_work_left(1800));

  // a dies (stops renewing): after its lease b takes the host, the URL a
  // had claimed and not written, and the one still queued.
  Result<std::vector<FrontierEntry>> later = b->claim_due(10, 2000);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(urls_of(*later), (std::vector<std::string>{(*got_a)[1].url, "http://a.test/3"}));
  EXPECT_EQ(*b->held_hosts(), std::vector<std::string>{"http://a.test"});

  // a comes back: its renewal finds the host taken and the lease is gone.
  Result<std::vector<FrontierEntry>> back = a->claim_due(10, 2100);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->empty());
  EXPECT_TRUE(a->held_hosts()->empty());

  ASSERT_TRUE(b->write(pages({page((*got_a)[1].url), page("http://a.test/3")})).ok());
  EXPECT_FALSE(*b->fleet_work_left(2100));
}

TEST(FleetStoreTest, ReleaseClaimsLeavesALiveWorkersClaimsAlone) {
  PostgresTestDb db;
  auto a = worker(db.uri(), "a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->write(seeds({"http://a.test/1", "http://a.test/2"})).ok());
  const std::int64_t now = unix_now_ms();
  Result<std::vector<FrontierEntry>> got = a->claim_due(10, now);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  // A second worker starting now: a's leases live, nothing is released.
  auto b = worker(db.uri(), "b");
  ASSERT_TRUE(b);
  Result<std::int64_t> released = b->release_claims();
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(*released, 0);
  EXPECT_EQ(b->stats()->frontier[FrontierState::kClaimed], 2);
  // A heartbeat long ago (a's leases expired): a new worker releases them.
  auto c = worker(db.uri(), "c");
  ASSERT_TRUE(a->claim_due(0, now - 10 * kLease).ok());
  released = c->release_claims();
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(*released, 2);
  // Without fleet mode (one process) every claim is released, as on SQLite.
  auto d = worker(db.uri(), "d");
  ASSERT_EQ(d->claim_due(10, now)->size(), 2u);
  auto single = open_store(db.uri());
  EXPECT_EQ(*single->release_claims(), 2);
}

// --fresh on a database other live workers crawl would empty it under them:
// refused (invalid_argument, nothing emptied). A worker that ends hands its
// leases back at once, so a fresh start right after it is allowed.
TEST(FleetStoreTest, FreshIsRefusedWhileAnotherWorkerIsLiveAndAllowedAfterItEnds) {
  PostgresTestDb db;
  auto a = open_store(db.uri(), {.fleet = FleetOptions{"a", 60000}});
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->write(seeds({"http://a.test/1", "http://a.test/2"})).ok());
  ASSERT_EQ(a->claim_due(1, unix_now_ms())->size(), 1u);

  Result<std::unique_ptr<CrawlStore>> fresh =
      open_crawl_store(db.uri(), {.fleet = FleetOptions{"b", 60000}, .fresh = true});
  ASSERT_FALSE(fresh.ok());
  EXPECT_EQ(fresh.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(fresh.status().message().find("1 other crawl worker(s) are live"), std::string::npos)
      << fresh.status().message();
  EXPECT_EQ(a->stats()->urls, 2) << "the refused fresh open emptied the database";

  // a ends: its host, its unfinished claim and its registration go back now.
  a.reset();
  auto c = open_store(db.uri(), {.fleet = FleetOptions{"c", 60000, /*renew_in_background=*/false}});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->stats()->frontier[FrontierState::kClaimed], 0);
  EXPECT_TRUE(*c->fleet_work_left(unix_now_ms()));
  c.reset();
  auto b = open_store(db.uri(), {.fleet = FleetOptions{"b", 60000}, .fresh = true});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->stats()->urls, 0);
}

}  // namespace
}  // namespace preheat::store
