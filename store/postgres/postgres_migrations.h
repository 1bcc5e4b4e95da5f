// The PostgreSQL schema and its versioned migrations (docs/schema.md,
// "PostgreSQL"). The version lives in the `meta` table (SQLite keeps it in
// PRAGMA user_version) with the application name, so a database of another
// application is recognised and left alone.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/postgres/pg_connection.h"

namespace preheat::store::postgres {

// The PostgreSQL schema version this build writes: the last migration's.
// Its own number, not kSchemaVersion (crawl_store.h, SQLite's): PostgreSQL
// has tables SQLite makes outside its versions (the search index), and a
// PostgreSQL-only change must not make every SQLite file migrate.
inline constexpr int kPgSchemaVersion = 5;

struct PgMigration {
  int version;
  std::string_view summary;
  std::string_view sql;
};

// In version order. PostgreSQL databases start at version 3 (the SQLite
// schema's third version): there never were older ones. Versions above 3
// are PostgreSQL's own (SQLite's kSchemaVersion does not follow them).
std::span<const PgMigration> pg_migrations();

// Checks the database is empty or preheat's, not newer than kPgSchemaVersion;
// a writable open then applies what `list` has above its version, each in
// one transaction under an advisory lock (two processes opening at once do
// not both migrate). Errors: a database of another application or of a
// newer schema (invalid_argument naming both versions), a read-only open of
// an empty database (not_found) or of an older schema (invalid_argument).
Status check_and_migrate(PgConnection& db, bool read_only, std::span<const PgMigration> list = pg_migrations());

}  // namespace preheat::store::postgres
