// A thin RAII layer over the SQLite C API: a Connection, its prepared
// Statements and a Transaction guard. Every failure is a Status (io_error)
// whose message names the database file, the step and SQLite's own message
// ("crawl database '/tmp/x.db': INSERT INTO urls...: database is locked").
// Data only ever reaches SQL through bound parameters.
//
// Lifetimes: a Statement and a Transaction must not outlive their Connection.
// Text bound with Statement::bind_text is NOT copied (SQLITE_STATIC): the bytes
// must stay valid until the statement is reset or rebound.
//
// Thread safety: connections are opened with SQLITE_OPEN_NOMUTEX. A Connection
// and everything made from it is used by one thread at a time.
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace preheat::store::sqlite {

class Connection;

class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQL (?1, ?2...). A bind error is kept and
  // returned by the next step()/run().
  Statement& bind_int64(int index, std::int64_t value);
  Statement& bind_double(int index, double value);
  Statement& bind_text(int index, std::string_view value);  // not copied: see above
  Statement& bind_blob(int index, std::string_view value);  // not copied either
  Statement& bind_null(int index);

  // Advances: true when a row is ready, false when done. On done or error the
  // statement is reset (its read snapshot released); after a row the caller
  // reads columns and calls reset() (or steps on).
  Result<bool> step();
  // Steps to the end, ignoring rows (INSERT, UPDATE, DELETE), and resets.
  Status run();
  // Ready to run again; bindings are kept.
  void reset();

  // Columns are 0-based. Text views are valid until the next step() or reset().
  std::int64_t column_int64(int index) const;
  double column_double(int index) const;
  std::string_view column_text(int index) const;
  std::string_view column_blob(int index) const;  // bytes as stored, any value
  bool column_is_null(int index) const;

  bool valid() const { return stmt_ != nullptr; }

 private:
  friend class Connection;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  void note_bind(int rc, int index);
  Status error(int rc) const;

  sqlite3_stmt* stmt_ = nullptr;
  int bind_error_ = 0;  // first failing bind's result code, 0 when none
  int bind_error_index_ = 0;
};

// Resets a statement when the scope ends (after a loop over rows that may
// stop early, or an early return).
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) : statement_(statement) {}
  ~ResetOnExit() { statement_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& statement_;
};

class Connection {
 public:
  enum class Mode { kReadOnly, kReadWriteCreate };

  // Opens (SQLITE_OPEN_NOMUTEX; kReadWriteCreate creates a missing file).
  // Errors: io_error naming the path and the system's reason. An existing file
  // that SQLite could only open read-only is refused in kReadWriteCreate.
  // Nothing is read from the file yet: a file that is not a database fails
  // at the first statement.
  static Result<Connection> open(const std::string& path, Mode mode);

  Connection() = default;
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL text without parameters or results (schema, pragmas, BEGIN).
  // `what` names the step in the error message.
  Status exec(std::string_view sql, std::string_view what);
  // persistent: the statement lives as long as the store (SQLITE_PREPARE_PERSISTENT).
  Result<Statement> prepare(std::string_view sql, bool persistent = false);
  // A statement prepared once per connection and kept (up to
  // kMaxCachedStatements distinct texts): what for_each_row runs, so that a
  // server's reads do not parse their SQL for every request (parsing was
  // about a fifth of /api/page's CPU). Reset, bindings cleared. When the cached
  // one is in use (a query run from inside its own row callback) or the
  // cache is full, `scratch` receives a fresh statement and is returned.
  Result<Statement*> cached(std::string_view sql, Statement& scratch);
  static constexpr std::size_t kMaxCachedStatements = 64;
  // Runs a cached statement without parameters or rows (BEGIN, COMMIT: one
  // parse per connection instead of one per transaction).
  Status run_cached(std::string_view sql);
  // A query with one integer result (pragmas, count(*)); NULL reads as 0.
  Result<std::int64_t> query_int64(std::string_view sql);

  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  bool in_transaction() const;

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

  // A Status for result code `rc` of the step `what`: io_error
  // "crawl database 'PATH': WHAT: SQLite message".
  Status error(int rc, std::string_view what) const;
  // The primary result code of the last failure (SQLITE_NOTADB...).
  int last_error_code() const;

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void close();

  sqlite3* db_ = nullptr;
  std::string path_;
  // Declared after db_: finalised before the connection closes (close_v2
  // would wait for them anyway).
  // Looked up by string_view (transparent): no key string built per call.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> cache_;
};

// BEGIN on construction, ROLLBACK on destruction unless committed.
class Transaction {
 public:
  enum class Kind {
    kRead,       // BEGIN (deferred): one snapshot for several reads
    kImmediate,  // BEGIN IMMEDIATE: takes the write lock now (waits busy_timeout)
  };
  static Result<Transaction> begin(Connection& connection, Kind kind);

  ~Transaction();
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status commit();

 private:
  explicit Transaction(Connection* connection) : connection_(connection) {}
  Connection* connection_ = nullptr;  // null once committed or rolled back
};


// A row count for a LIMIT parameter (SQLite integers are signed 64-bit).
inline std::int64_t sql_limit(std::size_t n) {
  return n > static_cast<std::size_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(n);
}

// Runs `sql` (with `bind` applied to the prepared statement) and calls `row`
// for each result row. The statement is the connection's cached one
// (Connection::cached): prepared on first use.
template <class Bind, class Row>
Status for_each_row(Connection& db, std::string_view sql, Bind bind, Row row) {
  Statement scratch;
  Result<Statement*> found = db.cached(sql, scratch);
  if (!found.ok()) return found.status();
  Statement& stmt = **found;
  bind(stmt);
  ResetOnExit reset(stmt);
  while (true) {
    Result<bool> more = stmt.step();
    if (!more.ok()) return more.status();
    if (!*more) return Status();
    row(stmt);
  }
}

}  // namespace preheat::store::sqlite
