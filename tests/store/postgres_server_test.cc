// The tests' PostgreSQL server (tests/support/postgres_server.h) works: a
// database per test, reachable by psql on a unix socket, isolated and dropped.
#include "tests/support/postgres_server.h"

#include <gtest/gtest.h>

#include "tests/support/support.h"

namespace preheat::testing {
namespace {

std::string psql_value(const std::string& uri, const std::string& sql) {
  return command_output("psql -X -q -At '" + uri + "' -c \"" + sql + "\" 2>&1");
}

TEST(PostgresTestServerTest, EachTestDatabaseIsFreshReachableAndDroppedAfterwards) {
  std::string name;
  {
    PostgresTestDb a;
    PostgresTestDb b;
    name = a.name();
    EXPECT_NE(a.uri(), b.uri());
    EXPECT_EQ(psql_value(a.uri(), "SELECT current_database()"), a.name() + "\n");
    EXPECT_EQ(psql_value(a.uri(), "CREATE TABLE x (v int); INSERT INTO x VALUES (7); SELECT v FROM x"), "7\n");
    // b does not see a's table.
    EXPECT_NE(psql_value(b.uri(), "SELECT v FROM x").find("does not exist"), std::string::npos);
    // No TCP port: the server listens on its socket only.
    EXPECT_EQ(psql_value(a.uri(), "SHOW listen_addresses"), "\n");
  }
  EXPECT_EQ(psql_value(postgres_server_uri(),
                       "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'"),
            "0\n");
}

}  // namespace
}  // namespace preheat::testing
