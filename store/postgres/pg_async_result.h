// PgResult, PgParam, PgStatement: the values that cross the async PostgreSQL
// driver's boundary (store/postgres/pg_async_connection.h).
//
// What: PgResult owns one libpq PGresult (rows, columns, values as views into
// it, the command tag). PgParam is one query parameter, text or binary, or
// NULL. PgStatement is one SQL text with its parameters, the unit a pipeline
// is made of.
//
// Errors are values (base/status.h). A statement the server rejected becomes
// Status::invalid_argument("SQLSTATE 23505: duplicate key value ...");
// pg_sqlstate(status) gives back the five-character code (empty when the
// error did not come from the server). A lost connection is Status::io_error
// (with the server's SQLSTATE when it said why, e.g. 57P01 for
// pg_terminate_backend). A statement a pipeline skipped because an earlier one
// failed is Status::cancelled (PGRES_PIPELINE_ABORTED).
//
// Thread safety: values; a PgResult may be read from any thread, one at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

typedef struct pg_result PGresult;  // libpq's, so callers need not include libpq-fe.h

namespace preheat::store {

class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* owned);  // takes ownership (PQclear on destruction)

  // Rows returned (0 for a command without rows) and columns per row.
  int rows() const;
  int columns() const;
  bool is_null(int row, int column) const;
  // The value's bytes: text, or binary when the statement asked for binary
  // results. Valid while this PgResult lives. REQUIRES: row < rows(), column < columns().
  std::string_view value(int row, int column) const;
  // Column index by name, or -1.
  int column(const char* name) const;
  // Rows a command touched (PQcmdTuples), 0 when it does not say.
  long long affected_rows() const;
  // The command tag: "INSERT 0 1", "SELECT 3".
  std::string command_tag() const;

  PGresult* raw() const { return result_.get(); }

 private:
  struct Clear {
    void operator()(PGresult* r) const;
  };
  std::unique_ptr<PGresult, Clear> result_;
};

// One parameter ($1, $2, ...). Text parameters let the server infer the type
// from the SQL; binary ones must name their type OID (23 int4, 20 int8, 17
// bytea, ...) and hold the value in network byte order.
struct PgParam {
  std::optional<std::string> value;  // nullopt: SQL NULL
  bool binary = false;
  unsigned int type = 0;  // 0: let the server infer (text parameters)

  static PgParam text(std::string v) { return {std::move(v), false, 0}; }
  static PgParam null() { return {std::nullopt, false, 0}; }
  static PgParam bytes(std::string v, unsigned int type_oid) { return {std::move(v), true, type_oid}; }
  static PgParam int4(int v);  // binary int4
  static PgParam int8(long long v);  // binary int8
};

struct PgStatement {
  std::string sql;
  std::vector<PgParam> params;
  bool binary_results = false;  // ask for every result column in binary
  // True: `sql` is the name of a statement prepared on the connection (SQL
  // PREPARE), run with PQsendQueryPrepared (the crawler's async writer).
  bool prepared = false;
};

// The five-character SQLSTATE of a status made from a server error, or "".
std::string pg_sqlstate(const Status& status);

namespace pg_detail {
// The Status for a failed PGresult (PGRES_FATAL_ERROR and friends):
// invalid_argument with "SQLSTATE XXXXX: message", or io_error when
// `connection_lost`.
Status error_status(const PGresult* result, bool connection_lost);
// Reads a big-endian integer out of a binary result value.
long long read_binary_int(std::string_view bytes);
}  // namespace pg_detail

}  // namespace preheat::store
