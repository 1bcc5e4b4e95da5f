#include "store/sqlite/sqlite_db.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include <sqlite3.h>

namespace preheat::store::sqlite {
namespace {

std::string database_name(sqlite3* db) {
  const char* name = db ? sqlite3_db_filename(db, "main") : nullptr;
  return name ? name : "";
}

// "crawl database 'PATH': WHAT: message"
Status make_error(sqlite3* db, int rc, std::string_view what) {
  std::string msg = "crawl database '" + database_name(db) + "': ";
  msg.append(what);
  msg += ": ";
  msg += (db && sqlite3_errcode(db) == rc) ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Status::io_error(std::move(msg));
}

// The start of a statement's SQL, to name it in an error.
std::string sql_head(sqlite3_stmt* stmt) {
  const char* sql = sqlite3_sql(stmt);
  std::string head = sql ? sql : "?";
  for (char& c : head) {
    if (c == '\n') c = ' ';
  }
  if (head.size() > 60) head = head.substr(0, 57) + "...";
  return head;
}

}  // namespace

// ---- Statement ----

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      bind_error_(other.bind_error_),
      bind_error_index_(other.bind_error_index_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_error_ = other.bind_error_;
    bind_error_index_ = other.bind_error_index_;
  }
  return *this;
}

void Statement::note_bind(int rc, int index) {
  if (rc != SQLITE_OK && bind_error_ == 0) {
    bind_error_ = rc;
    bind_error_index_ = index;
  }
}

Statement& Statement::bind_int64(int index, std::int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::bind_double(int index, double value) {
  note_bind(sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view value) {
  // A zero-length text with a null pointer would bind NULL: give SQLite a real
  // pointer so an empty string stays an empty string.
  const char* data = value.data() ? value.data() : "";
  note_bind(sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8), index);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view value) {
  // As bind_text: a real pointer, so that an empty blob is not NULL.
  const char* data = value.data() ? value.data() : "";
  note_bind(sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_STATIC), index);
  return *this;
}

Statement& Statement::bind_null(int index) {
  note_bind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Status Statement::error(int rc) const {
  return make_error(sqlite3_db_handle(stmt_), rc, sql_head(stmt_));
}

Result<bool> Statement::step() {
  if (bind_error_ != 0) {
    const int rc = std::exchange(bind_error_, 0);
    Status s = make_error(sqlite3_db_handle(stmt_), rc,
                          sql_head(stmt_) + " (parameter " + std::to_string(bind_error_index_) + ")");
    sqlite3_reset(stmt_);
    return s;
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    sqlite3_reset(stmt_);
    return false;
  }
  Status s = error(rc);
  sqlite3_reset(stmt_);
  return s;
}

Status Statement::run() {
  while (true) {
    Result<bool> row = step();
    if (!row.ok()) return row.status();
    if (!*row) return Status();
  }
}

void Statement::reset() {
  if (stmt_) sqlite3_reset(stmt_);
}

std::int64_t Statement::column_int64(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

double Statement::column_double(int index) const {
  return sqlite3_column_double(stmt_, index);
}

std::string_view Statement::column_text(int index) const {
  // Text first, then its byte count (the order SQLite documents).
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  const int size = sqlite3_column_bytes(stmt_, index);
  if (!text) return {};
  return {text, static_cast<std::size_t>(size)};
}

std::string_view Statement::column_blob(int index) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, index));
  const int size = sqlite3_column_bytes(stmt_, index);
  if (!data) return {};
  return {data, static_cast<std::size_t>(size)};
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

// ---- Connection ----

Result<Connection> Connection::open(const std::string& path, Mode mode) {
  // Before SQLite initialises (the first open): no process-wide allocation
  // statistics, which take a global mutex on every sqlite3_malloc and made the
  // server's reader threads contend (nothing here reads them).
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  const bool read_only = mode == Mode::kReadOnly;
  const int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
                    (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    const int sys = db ? sqlite3_system_errno(db) : 0;
    std::string msg = std::string("cannot ") + (read_only ? "open" : "open or create") + " crawl database '" + path +
                      "': " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    if (sys != 0) msg += std::string(" (") + std::strerror(sys) + ")";
    sqlite3_close_v2(db);
    return Status::io_error(std::move(msg));
  }
  Connection connection(db, path);
  // SQLite quietly falls back to read-only when the file is not writable.
  if (!read_only && sqlite3_db_readonly(db, "main") == 1) {
    return Status::io_error("cannot write crawl database '" + path + "': the file is read-only");
  }
  return connection;
}

Connection::~Connection() {
  close();
}

void Connection::close() {
  if (db_) {
    // v2: closes once the last statement is finalised, whatever the order of
    // destruction of the owner's members.
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }
}

Connection::Connection(Connection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)), cache_(std::move(other.cache_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    cache_.clear();
    close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    cache_ = std::move(other.cache_);
  }
  return *this;
}

Status Connection::exec(std::string_view sql, std::string_view what) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(rc, what);
  return Status();
}

Result<Statement> Connection::prepare(std::string_view sql, bool persistent) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    std::string head(sql.substr(0, 60));
    return error(rc, "prepare " + head);
  }
  return Statement(stmt);
}

Result<Statement*> Connection::cached(std::string_view sql, Statement& scratch) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && sqlite3_stmt_busy(it->second->stmt_) == 0) {
    sqlite3_clear_bindings(it->second->stmt_);  // the last caller's text may be gone
    return it->second.get();
  }
  Result<Statement> fresh = prepare(sql, /*persistent=*/true);
  if (!fresh.ok()) return fresh.status();
  if (it != cache_.end() || cache_.size() >= kMaxCachedStatements) {
    scratch = std::move(*fresh);
    return &scratch;
  }
  auto kept = std::make_unique<Statement>(std::move(*fresh));
  Statement* out = kept.get();
  cache_.emplace(std::string(sql), std::move(kept));
  return out;
}

Result<std::int64_t> Connection::query_int64(std::string_view sql) {
  Result<Statement> stmt = prepare(sql);
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::internal("query returned no row: " + std::string(sql));
  return stmt->column_int64(0);
}

std::int64_t Connection::changes() const {
  return sqlite3_changes64(db_);
}

std::int64_t Connection::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

bool Connection::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

Status Connection::error(int rc, std::string_view what) const {
  return make_error(db_, rc, what);
}

int Connection::last_error_code() const {
  return sqlite3_errcode(db_) & 0xff;
}

// ---- Transaction ----

Status Connection::run_cached(std::string_view sql) {
  Statement scratch;
  Result<Statement*> stmt = cached(sql, scratch);
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->run();
}

Result<Transaction> Transaction::begin(Connection& connection, Kind kind) {
  Status s = connection.run_cached(kind == Kind::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN");
  if (!s.ok()) return s;
  return Transaction(&connection);
}

Transaction::Transaction(Transaction&& other) noexcept : connection_(std::exchange(other.connection_, nullptr)) {}

Transaction::~Transaction() {
  // A failed COMMIT may already have rolled back: only roll back what is open.
  if (connection_ && connection_->in_transaction()) {
    (void)connection_->exec("ROLLBACK", "rollback");
  }
}

Status Transaction::commit() {
  if (!connection_) return Status::internal("commit of a finished transaction");
  Status s = connection_->run_cached("COMMIT");
  if (s.ok()) connection_ = nullptr;
  return s;
}

}  // namespace preheat::store::sqlite
