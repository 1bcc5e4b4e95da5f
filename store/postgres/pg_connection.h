// PgConnection: one blocking libpq connection, with the few operations the
// PostgreSQL CrawlStore needs: statements with parameters (text, or binary
// for bytes), results read by row, single-row streaming, and pipeline mode
// for a write batch. Errors are values (Status) carrying libpq's message;
// nothing throws.
//
// Blocking on purpose: CrawlStore is a synchronous interface used by one
// writer thread (crawl/store_writer.h) or by CLI readers, so a blocking
// connection per store object is right here. The non-blocking driver on
// Asio is store/postgres/pg_async_* (issue 8): serve's reads, and the
// crawler's writer in async and parallel modes (pg_async_crawl_writer.h).
//
// Text parameters: PostgreSQL TEXT holds neither NUL bytes nor malformed
// UTF-8 (the database encoding is UTF8), and libpq passes text parameters
// as C strings (a NUL would silently cut the value). pg_text() makes any
// bytes storable: NUL bytes are dropped, malformed sequences become U+FFFD
// (docs/schema.md, "PostgreSQL"). Bytes that must round-trip exactly go in
// BYTEA columns as binary parameters.
//
// Thread safety: one thread at a time per object.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

struct pg_conn;
struct pg_result;

namespace preheat::store::postgres {

// `s` made storable in a TEXT column (see the header comment). Returns `s`
// unchanged (one scan) when it already is.
std::string pg_text(std::string_view s);

// An array of texts as a PostgreSQL array literal ({"a","b"}), each element
// through pg_text(): one parameter for `unnest($1::text[])`.
std::string pg_text_array(const std::vector<std::string_view>& values);

// The parameters of one statement; values are copied and owned. Movable,
// not copyable: values() points into the owned strings, which a move keeps
// in place (std::deque) and a copy would not.
class Params {
 public:
  Params() = default;
  Params(Params&&) = default;
  Params& operator=(Params&&) = default;
  Params(const Params&) = delete;
  Params& operator=(const Params&) = delete;

  Params& text(std::string_view v);
  Params& bytes(std::string_view v);  // binary: any bytes, for BYTEA
  Params& int64(std::int64_t v);
  Params& real(double v);
  Params& boolean(bool v) { return text(v ? "t" : "f"); }
  Params& null();
  template <class T>
  Params& optional_int64(const std::optional<T>& v) {
    return v ? int64(static_cast<std::int64_t>(*v)) : null();
  }

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  Params& add(std::string v, int format, bool is_null = false);
  std::deque<std::string> storage_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// A read-only view of a result's rows, values read as text (int/double
// parsed). Either driver's result: the blocking PgResult below is one, and
// the async driver's (pg_async_result.h) is viewed through PgRows(r.raw()),
// so a query's row decoding is written once (postgres_read_plans.h).
class PgRows {
 public:
  explicit PgRows(pg_result* r) : r_(r) {}

  int rows() const;
  bool is_null(int row, int col) const;
  std::string_view text(int row, int col) const;
  std::int64_t int64(int row, int col) const;        // text result: parsed; NULL -> 0
  double real(int row, int col) const;
  // A BYTEA column of a text result (hex output): the bytes.
  std::string bytea(int row, int col) const;
  bool boolean(int row, int col) const { return text(row, col) == "t"; }

 protected:
  pg_result* r_ = nullptr;
};

// A result; owns the PGresult.
class PgResult : public PgRows {
 public:
  PgResult() : PgRows(nullptr) {}
  explicit PgResult(pg_result* r) : PgRows(r) {}
  PgResult(PgResult&& o) noexcept : PgRows(o.r_) { o.r_ = nullptr; }
  PgResult& operator=(PgResult&& o) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult();

  // Rows changed by INSERT/UPDATE/DELETE.
  std::int64_t affected() const;
};

class PgConnection {
 public:
  // Connects (conninfo or URI). Errors: io_error with libpq's message; the
  // location itself is not echoed (it may hold a password).
  static Result<PgConnection> connect(const std::string& location);

  PgConnection() = default;
  PgConnection(PgConnection&& o) noexcept : c_(o.c_) { o.c_ = nullptr; }
  PgConnection& operator=(PgConnection&& o) noexcept;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // Statements without parameters; several may be separated by ';'.
  Status exec(std::string_view sql, std::string_view what);
  Result<PgResult> query(std::string_view sql, const Params& params = {});
  Result<std::int64_t> query_int64(std::string_view sql, const Params& params = {});
  // Streams the rows of `sql` one at a time (single-row mode): a million
  // rows never sit in one PGresult. `row` sees a one-row result.
  Status for_each_row(std::string_view sql, const Params& params, const std::function<void(const PgResult&)>& row);

  // Named prepared statements (prepared once per connection).
  Status prepare(const std::string& name, std::string_view sql);
  Result<PgResult> run_prepared(const std::string& name, const Params& params);

  // Pipeline mode (libpq 14+): statements are sent without waiting; sync()
  // sends a sync point and reads every pending result, answering the first
  // error. The caller holds a transaction open across syncs (BEGIN sent
  // first), so a sync commits nothing.
  Status enter_pipeline();
  Status send_prepared(const std::string& name, const Params& params);
  Status sync();
  Status exit_pipeline();

 private:
  explicit PgConnection(pg_conn* c) : c_(c) {}
  Status error(std::string_view what) const;
  Result<PgResult> check(pg_result* r, std::string_view what) const;

  pg_conn* c_ = nullptr;
  int pending_ = 0;  // pipeline: statements sent since the last sync
};

}  // namespace preheat::store::postgres
