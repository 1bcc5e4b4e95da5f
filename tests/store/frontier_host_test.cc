// frontier.host (a PostgreSQL migration, store/postgres/postgres_migrations.cc):
// rows of a database written before it get their host from the migration,
// rows written after it from the writer, both as fleet_host() cuts it, and
// the fleet's claims find a host's rows through it.
#include <gtest/gtest.h>

#include <map>

#include "store/crawl_store.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_migrations.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/postgres_server.h"

namespace preheat::store {
namespace {

using namespace preheat::store::testing;
using postgres::PgConnection;
using postgres::PgResult;
using preheat::testing::PostgresTestDb;

std::map<std::string, std::string> hosts_by_url(PgConnection& db) {
  Result<PgResult> r = db.query("SELECT u.url, coalesce(f.host, '<null>') FROM frontier f JOIN urls u ON u.id = f.url_id");
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  std::map<std::string, std::string> out;
  for (int i = 0; r.ok() && i < r->rows(); ++i) out[std::string(r->text(i, 0))] = r->text(i, 1);
  return out;
}

TEST(FrontierHostTest, TheMigrationFillsOldRowsAndTheWriterNewOnes) {
  PostgresTestDb db;
  Result<PgConnection> c = PgConnection::connect(db.uri());
  ASSERT_TRUE(c.ok());
  // A database at the version before frontier.host, with rows in it.
  const std::span<const postgres::PgMigration> all = postgres::pg_migrations();
  std::size_t before = 0;
  while (before < all.size() && all[before].sql.find("ADD COLUMN host") == std::string_view::npos) ++before;
  ASSERT_LT(before, all.size()) << "no migration adds frontier.host";
  ASSERT_GE(before, 1u);
  ASSERT_TRUE(postgres::check_and_migrate(*c, false, all.first(before)).ok());
  ASSERT_TRUE(c->exec("INSERT INTO urls (url) VALUES ('http://a.test:81/x?y'), ('https://b.test?q'), "
                      "('https://b.test/p'); "
                      "INSERT INTO frontier (url_id, state, depth) SELECT id, id % 3, 0 FROM urls",
                      "old rows")
                  .ok());

  auto store = open_store(db.uri());  // migrates
  ASSERT_TRUE(store);
  EXPECT_EQ(*c->query_int64("SELECT value::int FROM meta WHERE key = 'schema_version'"), postgres::kPgSchemaVersion);
  PageRecord p = page("https://b.test/p");
  p.discovered.push_back(new_url("http://d.test:8080/q#f", 1));
  p.discovered.push_back(new_url("https://e.test", 1));
  WriteBatch batch = pages({p});
  batch.seeds.push_back(new_url("http://c.test/z?w"));
  Status written = store->write(batch);
  ASSERT_TRUE(written.ok()) << written.to_string();

  std::map<std::string, std::string> got = hosts_by_url(*c);
  ASSERT_EQ(got.size(), 6u);
  for (const auto& [url, host] : got) EXPECT_EQ(host, fleet_host(url)) << url;
}

TEST(FrontierHostTest, AFleetClaimTakesOnlyTheHeldHostsRowsLowestDepthFirst) {
  PostgresTestDb db;
  auto a = open_store(db.uri(), {.fleet = FleetOptions{"a", 1000, /*renew_in_background=*/false}});
  ASSERT_TRUE(a);
  WriteBatch batch;
  for (int depth : {3, 1, 2}) {
    for (const char* host : {"http://x.test", "http://y.test"}) {
      batch.seeds.push_back(new_url(std::string(host) + "/" + std::to_string(depth), depth));
    }
  }
  ASSERT_TRUE(a->write(batch).ok());
  // The first claim takes one host; the second asks for 2 rows of it.
  Result<std::vector<FrontierEntry>> first = a->claim_due(1, 10);
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  ASSERT_EQ(first->size(), 1u);
  const std::string host = fleet_host((*first)[0].url);
  EXPECT_EQ((*first)[0].url, host + "/1");
  Result<std::vector<FrontierEntry>> next = a->claim_due(2, 10);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(urls_of(*next), (std::vector<std::string>{host + "/2", host + "/3"}));
}

}  // namespace
}  // namespace preheat::store
