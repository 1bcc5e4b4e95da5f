// Migrations: ordered, one transaction each, and the identity checks.
#include "store/sqlite/migrations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/crawl_store.h"
#include "store/sqlite/sqlite_db.h"
#include "tests/support/support.h"

namespace preheat::store::sqlite {
namespace {

using preheat::testing::TempDir;
using ::testing::HasSubstr;

Connection open_rw(const std::string& path) {
  Result<Connection> db = Connection::open(path, Connection::Mode::kReadWriteCreate);
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  return std::move(*db);
}

TEST(MigrationsTest, VersionsRunFromOneToTheSchemaVersion) {
  int expected = 1;
  for (const Migration& m : migrations()) {
    EXPECT_EQ(m.version, expected++);
    EXPECT_FALSE(m.summary.empty());
  }
  EXPECT_EQ(migrations().back().version, kSchemaVersion);
}

TEST(MigrationsTest, AppliesAndStampsOnce) {
  TempDir dir;
  Connection db = open_rw((dir / "x.db").string());
  ASSERT_TRUE(apply_migrations(db).ok());
  EXPECT_EQ(*db.query_int64("PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(*db.query_int64("PRAGMA application_id"), kApplicationId);
  const std::int64_t objects = *db.query_int64("SELECT count(*) FROM sqlite_schema");
  EXPECT_GT(objects, 0);
  ASSERT_TRUE(apply_migrations(db).ok());  // nothing left to do
  EXPECT_EQ(*db.query_int64("SELECT count(*) FROM sqlite_schema"), objects);
}

TEST(MigrationsTest, AFailingMigrationLeavesThePreviousVersionWhole) {
  TempDir dir;
  Connection db = open_rw((dir / "x.db").string());
  const Migration list[] = {
      {1, "one", "CREATE TABLE a (x INTEGER)"},
      {2, "two", "CREATE TABLE b (x INTEGER); INSERT INTO no_such_table VALUES (1)"},
  };
  const Status s = apply_migrations(db, list);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("migration 2 (two)"));
  EXPECT_THAT(s.message(), HasSubstr("no_such_table"));
  EXPECT_EQ(*db.query_int64("PRAGMA user_version"), 1);
  EXPECT_EQ(*db.query_int64("SELECT count(*) FROM sqlite_schema WHERE name = 'a'"), 1);
  EXPECT_EQ(*db.query_int64("SELECT count(*) FROM sqlite_schema WHERE name = 'b'"), 0);
  EXPECT_FALSE(db.in_transaction());

  // Fixed, it applies from where it stopped.
  const Migration fixed[] = {list[0], {2, "two", "CREATE TABLE b (x INTEGER)"}};
  ASSERT_TRUE(apply_migrations(db, fixed).ok());
  EXPECT_EQ(*db.query_int64("PRAGMA user_version"), 2);
}

TEST(MigrationsTest, IdentityChecks) {
  const std::string path = "x.db";
  const DatabaseIdentity empty{};
  EXPECT_TRUE(check_identity(empty, path, false).ok());
  EXPECT_EQ(check_identity(empty, path, true).code(), Status::Code::kNotFound);

  const DatabaseIdentity ours{kApplicationId, kSchemaVersion, 8};
  EXPECT_TRUE(check_identity(ours, path, false).ok());
  EXPECT_TRUE(check_identity(ours, path, true).ok());

  const DatabaseIdentity newer{kApplicationId, kSchemaVersion + 6, 8};
  EXPECT_EQ(check_identity(newer, path, false).code(), Status::Code::kInvalidArgument);

  const DatabaseIdentity older{kApplicationId, kSchemaVersion - 1, 8};
  EXPECT_TRUE(check_identity(older, path, false).ok());  // the writer migrates it
  EXPECT_EQ(check_identity(older, path, true).code(), Status::Code::kInvalidArgument);

  const DatabaseIdentity foreign{0, 0, 3};
  EXPECT_EQ(check_identity(foreign, path, false).code(), Status::Code::kInvalidArgument);
  const DatabaseIdentity other_app{0x12345678, 1, 3};
  EXPECT_EQ(check_identity(other_app, path, false).code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace preheat::store::sqlite
