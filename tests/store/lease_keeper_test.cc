// The fleet's lease renewals run on their own connection and thread
// (store/postgres/lease_keeper.h): a write blocked in the database (here
// behind a table lock the test holds) does not stop them. Asserted from the
// lease rows while the write is seen waiting in pg_locks; the waits below
// only guard against a hang.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "store/crawl_store.h"
#include "store/postgres/pg_connection.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/postgres_server.h"

namespace preheat::store {
namespace {

using namespace preheat::store::testing;
using postgres::PgConnection;
using preheat::testing::PostgresTestDb;

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t value(PgConnection& db, const std::string& sql) {
  Result<std::int64_t> v = db.query_int64(sql);
  EXPECT_TRUE(v.ok()) << sql << ": " << v.status().to_string();
  return v.ok() ? *v : -1;
}

// Polls until `done` (a hang guard, not a timed assertion).
bool eventually(const std::function<bool()>& done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST(LeaseKeeperTest, LeasesAreRenewedWhileTheWriterIsBlocked) {
  PostgresTestDb db;
  // 300 ms leases: renewed every 100 ms.
  auto a = open_store(db.uri(), {.fleet = FleetOptions{"a", 300}});
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->write(seeds({"http://a.test/1", "http://a.test/2"})).ok());
  Result<std::vector<FrontierEntry>> got = a->claim_due(10, unix_now_ms());
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  ASSERT_EQ(got->size(), 2u);

  Result<PgConnection> test = PgConnection::connect(db.uri());
  Result<PgConnection> locker = PgConnection::connect(db.uri());
  ASSERT_TRUE(test.ok() && locker.ok());
  ASSERT_TRUE(locker->exec("BEGIN; LOCK TABLE pages IN EXCLUSIVE MODE", "lock pages").ok());
  // The writer writes the first page: it waits for the lock.
  Status written = Status::internal("not written");
  std::thread writer([&] { written = a->write(pages({page((*got)[0].url)})); });
  const std::string waiting =
      "SELECT count(*) FROM pg_locks WHERE relation = 'pages'::regclass AND NOT granted";
  ASSERT_TRUE(eventually([&] { return value(*test, waiting) == 1; })) << "the write never waited for the lock";

  const std::string host_lease = "SELECT lease_until_ms FROM host_leases WHERE worker = 'a'";
  const std::string row_lease = "SELECT f.lease_until_ms FROM frontier f JOIN urls u ON u.id = f.url_id "
                                "WHERE u.url = '" + (*got)[1].url + "' AND f.claimed_by = 'a'";
  const std::int64_t host_before = value(*test, host_lease);
  const std::int64_t row_before = value(*test, row_lease);
  ASSERT_GT(host_before, 0);
  ASSERT_GT(row_before, 0);
  EXPECT_TRUE(eventually([&] { return value(*test, host_lease) > host_before && value(*test, row_lease) > row_before; }))
      << "no renewal while the writer was blocked";
  EXPECT_EQ(value(*test, waiting), 1) << "the write was no longer blocked: the renewal proves nothing";

  ASSERT_TRUE(locker->exec("COMMIT", "unlock pages").ok());
  writer.join();
  EXPECT_TRUE(written.ok()) << written.to_string();
  EXPECT_EQ(a->stats()->frontier[FrontierState::kDone], 1);
}

// Without a keeper (renew_in_background = false, fleet_store_test's mode)
// the claims renew, at their now_ms.
TEST(LeaseKeeperTest, WithoutTheKeeperOnlyClaimsRenew) {
  PostgresTestDb db;
  auto a = open_store(db.uri(), {.fleet = FleetOptions{"a", 300, /*renew_in_background=*/false}});
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->write(seeds({"http://a.test/1"})).ok());
  ASSERT_EQ(a->claim_due(10, 1000)->size(), 1u);
  Result<PgConnection> test = PgConnection::connect(db.uri());
  ASSERT_TRUE(test.ok());
  EXPECT_EQ(value(*test, "SELECT lease_until_ms FROM host_leases WHERE worker = 'a'"), 1300);
  ASSERT_TRUE(a->claim_due(10, 2000).ok());
  EXPECT_EQ(value(*test, "SELECT lease_until_ms FROM host_leases WHERE worker = 'a'"), 2300);
}

}  // namespace
}  // namespace preheat::store
