#include "tests/support/postgres_server.h"

#include <random>
#include <stdexcept>

#include "tests/support/support.h"

#ifndef PREHEAT_SOURCE_DIR
#error "tests/support needs PREHEAT_SOURCE_DIR and PREHEAT_BINARY_DIR (tests/CMakeLists.txt)"
#endif

namespace preheat::testing {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// psql runs the DDL: the tests' own client, independent of the code under test.
void psql(const std::string& uri, const std::string& sql) {
  const std::string command = "psql -X -q -v ON_ERROR_STOP=1 '" + uri + "' -c '" + sql + "' 2>&1 && echo ok";
  const std::string out = command_output(command);
  if (out.size() < 3 || out.substr(out.size() - 3) != "ok\n") {
    throw std::runtime_error("psql failed (" + sql + "): " + out);
  }
}

}  // namespace

std::string postgres_server_uri() {
  const std::string command = std::string("'") + PREHEAT_SOURCE_DIR + "/scripts/pg_test_server' start '" +
                              PREHEAT_BINARY_DIR + "' 2>&1";
  const std::string out = trim(command_output(command));
  // The URI is the last line; anything before it is a warning, kept for the
  // error message only.
  const std::size_t last = out.rfind('\n');
  const std::string uri = last == std::string::npos ? out : out.substr(last + 1);
  if (uri.rfind("postgresql://", 0) != 0) {
    throw std::runtime_error("scripts/pg_test_server could not start PostgreSQL: " + out);
  }
  return uri;
}

PostgresTestDb::PostgresTestDb() : server_uri_(postgres_server_uri()) {
  std::random_device rd;
  name_ = "t" + std::to_string(rd()) + std::to_string(rd() % 1000);
  psql(server_uri_, "CREATE DATABASE " + name_);
  // postgresql://preheat@/postgres?host=DIR -> postgresql://preheat@/NAME?host=DIR
  const auto at = server_uri_.find("@/");
  const auto q = server_uri_.find('?', at);
  uri_ = server_uri_.substr(0, at + 2) + name_ + server_uri_.substr(q);
}

PostgresTestDb::~PostgresTestDb() {
  try {
    psql(server_uri_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // A destructor must not throw; the server and its data go at suite end.
  }
}

}  // namespace preheat::testing
