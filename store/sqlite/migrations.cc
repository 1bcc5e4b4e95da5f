#include "store/sqlite/migrations.h"

#include <string>

#include <sqlite3.h>

#include "store/crawl_store.h"

namespace preheat::store::sqlite {
namespace {

// Schema v1. Column order matters a little: SQLite reads a row's columns up to
// the last one a query needs, so the small columns the aggregates read come
// first and the long texts last (stats() never touches overflow pages).
// Tables are STRICT: a value of the wrong type is an error, not a surprise.
// No FOREIGN KEY clauses: the one writer keeps the references whole in one
// transaction, and enforcing them would cost an index probe per link row.
// No index on links.to_id (in-links) yet: maintaining it during a crawl made
// writes 1.5-1.7x slower (random inserts, one dirty page each); see
// docs/schema.md.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE urls (
  id  INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE frontier (
  url_id          INTEGER PRIMARY KEY,
  state           INTEGER NOT NULL,
  depth           INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_due_ms     INTEGER NOT NULL DEFAULT 0,
  discovered_from INTEGER
) STRICT;
CREATE INDEX frontier_due ON frontier (depth, url_id, next_due_ms) WHERE state = 0;

CREATE TABLE pages (
  url_id        INTEGER PRIMARY KEY,
  final_url_id  INTEGER NOT NULL,
  status        INTEGER NOT NULL,
  depth         INTEGER NOT NULL,
  attempts      INTEGER NOT NULL,
  fetched_at_ms INTEGER NOT NULL,
  elapsed_s     REAL NOT NULL,
  bytes         INTEGER NOT NULL,
  wire_bytes    INTEGER NOT NULL,
  content_hash  INTEGER,
  run_id        INTEGER,
  error_class   TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  etag          TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  canonical     TEXT NOT NULL,
  language      TEXT NOT NULL,
  title         TEXT NOT NULL,
  description   TEXT NOT NULL,
  error_message TEXT NOT NULL,
  text          TEXT NOT NULL
) STRICT;

CREATE TABLE links (
  from_id INTEGER NOT NULL,
  seq     INTEGER NOT NULL,
  to_id   INTEGER NOT NULL,
  tag     TEXT NOT NULL,
  rel     TEXT NOT NULL,
  anchor  TEXT NOT NULL,
  PRIMARY KEY (from_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE redirects (
  page_id INTEGER NOT NULL,
  hop     INTEGER NOT NULL,
  from_id INTEGER NOT NULL,
  to_id   INTEGER NOT NULL,
  status  INTEGER NOT NULL,
  PRIMARY KEY (page_id, hop)
) STRICT, WITHOUT ROWID;

CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  started_at_ms INTEGER NOT NULL,
  ended_at_ms   INTEGER,
  mode          TEXT NOT NULL,
  seeds         TEXT NOT NULL,
  options       TEXT NOT NULL,
  wall_s        REAL,
  execution_s   REAL,
  pages         INTEGER,
  outcome       TEXT
) STRICT;
)sql";

// Schema v2: the final response of each page, for archives (WARC). One row
// per page row, keyed like it; BLOBs because header blocks and bodies are
// bytes (a header may hold obs-text, a body any bytes). The body is stored
// decoded and uncompressed (docs/schema.md: zlib level 1 would cut bodies to
// ~34% for ~50 us of writer CPU per page, more than storing them raw costs).
// Its own table keeps `pages` rows small,
// so stats() and serve's queries never read body pages.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE bodies (
  page_id        INTEGER PRIMARY KEY,
  request_block  BLOB NOT NULL,
  response_block BLOB NOT NULL,
  body           BLOB NOT NULL
) STRICT;
)sql";

// Schema v3: page-level robots directives and recrawls. The pages table is
// made again rather than ALTERed: ADD COLUMN appends after `text`, and the new
// small columns must come before the long texts (see v1). Every row is copied
// with its url_id (the FTS5 index's rowid). checked_at_ms starts as the fetch
// time. A view over pages (serve's search source) would stop the RENAME, so
// it is dropped here; serve makes it again.
constexpr std::string_view kSchemaV3 = R"sql(
DROP VIEW IF EXISTS page_search_source;
CREATE TABLE pages_v3 (
  url_id        INTEGER PRIMARY KEY,
  final_url_id  INTEGER NOT NULL,
  status        INTEGER NOT NULL,
  depth         INTEGER NOT NULL,
  attempts      INTEGER NOT NULL,
  fetched_at_ms INTEGER NOT NULL,
  elapsed_s     REAL NOT NULL,
  bytes         INTEGER NOT NULL,
  wire_bytes    INTEGER NOT NULL,
  content_hash  INTEGER,
  run_id        INTEGER,
  checked_at_ms INTEGER NOT NULL,
  not_modified  INTEGER NOT NULL DEFAULT 0,
  error_class   TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  etag          TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  robots        TEXT NOT NULL DEFAULT '',
  canonical     TEXT NOT NULL,
  language      TEXT NOT NULL,
  title         TEXT NOT NULL,
  description   TEXT NOT NULL,
  error_message TEXT NOT NULL,
  text          TEXT NOT NULL
) STRICT;
INSERT INTO pages_v3 (url_id, final_url_id, status, depth, attempts, fetched_at_ms, elapsed_s, bytes, wire_bytes,
                      content_hash, run_id, checked_at_ms, not_modified, error_class, content_type, etag,
                      last_modified, robots, canonical, language, title, description, error_message, text)
  SELECT url_id, final_url_id, status, depth, attempts, fetched_at_ms, elapsed_s, bytes, wire_bytes,
         content_hash, run_id, fetched_at_ms, 0, error_class, content_type, etag,
         last_modified, '', canonical, language, title, description, error_message, text FROM pages;
DROP TABLE pages;
ALTER TABLE pages_v3 RENAME TO pages;

CREATE TABLE recrawls (
  id            INTEGER PRIMARY KEY,
  started_at_ms INTEGER NOT NULL,
  ended_at_ms   INTEGER,
  requeued      INTEGER NOT NULL
) STRICT;
)sql";

constexpr Migration kMigrations[] = {
    {1, "the crawl schema: urls, frontier, pages, links, redirects, runs", kSchemaV1},
    {2, "bodies: each page's final request and response (header blocks, decoded body)", kSchemaV2},
    {3, "pages.robots, checked_at_ms, not_modified; recrawls", kSchemaV3},
};

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

Result<DatabaseIdentity> read_identity(Connection& db) {
  DatabaseIdentity id;
  // The first read of the file: this is where a non-database shows.
  Result<std::int64_t> app = db.query_int64("PRAGMA application_id");
  if (!app.ok()) {
    if (db.last_error_code() == SQLITE_NOTADB) {
      // Bad input (the user named the wrong file), not an I/O failure: the
      // CLI answers it with exit code 2, like any bad input file.
      return Status::invalid_argument("'" + db.path() + "' is not a preheat database: file is not a database");
    }
    return app.status();
  }
  id.application_id = *app;
  Result<std::int64_t> version = db.query_int64("PRAGMA user_version");
  if (!version.ok()) return version.status();
  id.user_version = *version;
  Result<std::int64_t> objects = db.query_int64("SELECT count(*) FROM sqlite_schema");
  if (!objects.ok()) return objects.status();
  id.schema_objects = *objects;
  return id;
}

Status check_identity(const DatabaseIdentity& id, const std::string& path, bool read_only) {
  const bool empty = id.application_id == 0 && id.user_version == 0 && id.schema_objects == 0;
  if (empty) {
    if (read_only) return Status::not_found("no crawl database at '" + path + "': the database is empty");
    return Status();
  }
  if (id.application_id != kApplicationId) {
    return Status::invalid_argument("'" + path + "' is not a preheat database: an SQLite database of another application " +
                            "(application_id " + std::to_string(id.application_id) + ", " +
                            std::to_string(id.schema_objects) + " schema objects)");
  }
  if (id.user_version > kSchemaVersion) {
    return Status::invalid_argument("database '" + path + "' has schema version " + std::to_string(id.user_version) +
                                    ", newer than this preheat (" + std::to_string(kSchemaVersion) +
                                    "): use a newer preheat");
  }
  if (read_only && id.user_version < kSchemaVersion) {
    return Status::invalid_argument("database '" + path + "' has schema version " + std::to_string(id.user_version) +
                                    ", older than this preheat (" + std::to_string(kSchemaVersion) +
                                    "): open it for writing once (e.g. `preheat crawl`) to upgrade it");
  }
  return Status();
}

Status apply_migrations(Connection& db, std::span<const Migration> list) {
  for (const Migration& m : list) {
    Result<Transaction> tx = Transaction::begin(db, Transaction::Kind::kImmediate);
    if (!tx.ok()) return tx.status();
    // Read inside the write lock: another writer may have migrated meanwhile.
    Result<std::int64_t> version = db.query_int64("PRAGMA user_version");
    if (!version.ok()) return version.status();
    if (*version >= m.version) continue;  // already there; the guard rolls back nothing
    if (*version != m.version - 1) {
      return Status::internal("database '" + db.path() + "' is at schema version " + std::to_string(*version) +
                              ": cannot apply migration " + std::to_string(m.version));
    }
    const std::string what = "migration " + std::to_string(m.version) + " (" + std::string(m.summary) + ")";
    if (Status s = db.exec(m.sql, what); !s.ok()) return s;
    if (m.version == 1) {
      if (Status s = db.exec("PRAGMA application_id = " + std::to_string(kApplicationId), what); !s.ok()) return s;
    }
    if (Status s = db.exec("PRAGMA user_version = " + std::to_string(m.version), what); !s.ok()) return s;
    if (Status s = tx->commit(); !s.ok()) return s;
  }
  return Status();
}

}  // namespace preheat::store::sqlite
