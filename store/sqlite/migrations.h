// The SQLite schema as an ordered list of migrations (docs/schema.md).
//
// Migration N takes a database from user_version N-1 to N; it is applied in
// one transaction (BEGIN IMMEDIATE ... PRAGMA user_version = N; COMMIT), so a
// crash or an error leaves the database at N-1, never half-way. Migration 1
// creates the schema and stamps PRAGMA application_id = kApplicationId, which
// is how a preheat database is told apart from any other SQLite file.
// To change the schema: append a migration (never edit a released one) and
// raise kSchemaVersion (store/crawl_store.h).
//
// Thread safety: functions on one Connection, used by one thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/status.h"
#include "store/sqlite/sqlite_db.h"

namespace preheat::store::sqlite {

// "PrHt": written by migration 1, checked on every open.
inline constexpr std::int32_t kApplicationId = 0x50724874;

struct Migration {
  int version;               // 1, 2, ... without gaps
  std::string_view summary;  // one line, for docs and errors
  std::string_view sql;      // one or more statements
};

// This build's migrations, in order; the last one's version is kSchemaVersion.
std::span<const Migration> migrations();

// What an open file says about itself. Reading it is the first access to the
// file: a file that is not an SQLite database fails here (invalid_argument
// "'PATH' is not a preheat database: file is not a database").
struct DatabaseIdentity {
  std::int64_t application_id = 0;
  std::int64_t user_version = 0;
  std::int64_t schema_objects = 0;  // tables, indexes... in sqlite_schema
};
Result<DatabaseIdentity> read_identity(Connection& db);

// Refuses what this build must not touch: another application's database
// (invalid_argument), a newer schema (invalid_argument naming both versions), and for
// a read-only open an empty file (not_found) or an older schema that needs a
// writer to migrate it (invalid_argument). Modifies nothing.
Status check_identity(const DatabaseIdentity& identity, const std::string& path, bool read_only);

// Applies every migration in `list` newer than the database's user_version,
// each in its own transaction. `list` defaults to migrations(); tests pass
// their own.
Status apply_migrations(Connection& db, std::span<const Migration> list = migrations());

}  // namespace preheat::store::sqlite
