// The tests' PostgreSQL server (issue 8): scripts/pg_test_server starts one
// per build folder on a unix socket, the first time a test asks; scripts/test
// stops it when the suite ends. Each test takes a fresh database of its own,
// so tests running in parallel (ctest -j) never see each other's rows.
#pragma once

#include <string>

namespace preheat::testing {

// A new empty database on the test server, dropped with the object. Throws
// std::runtime_error (the test fails, it never skips) when the server cannot
// be started: CI installs PostgreSQL (scripts/setup), so a missing server is
// a broken setup, not a reason to pass.
class PostgresTestDb {
 public:
  PostgresTestDb();
  ~PostgresTestDb();
  PostgresTestDb(const PostgresTestDb&) = delete;
  PostgresTestDb& operator=(const PostgresTestDb&) = delete;

  // postgresql://preheat@/NAME?host=SOCKET_DIR: what --db and
  // open_crawl_store() take.
  const std::string& uri() const { return uri_; }
  const std::string& name() const { return name_; }

 private:
  std::string server_uri_;  // the maintenance database (postgres)
  std::string name_;
  std::string uri_;
};

// The server's URI (maintenance database `postgres`), starting it when needed.
std::string postgres_server_uri();

}  // namespace preheat::testing
