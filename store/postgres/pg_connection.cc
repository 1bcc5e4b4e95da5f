#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

#include "base/utf8.h"

namespace preheat::store::postgres {
namespace {

bool storable(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string trimmed_message(const char* m) {
  std::string s = m ? m : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string pg_text(std::string_view s) {
  if (storable(s)) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0) {
      ++i;
    } else if (c < 0x80) {
      out += s[i++];
    } else if (const std::size_t n = utf8_length(s, i); n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += kReplacementChar;
      ++i;
    }
  }
  return out;
}

std::string pg_text_array(const std::vector<std::string_view>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : pg_text(values[i])) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

Params& Params::add(std::string v, int format, bool is_null) {
  storage_.push_back(std::move(v));
  values_.push_back(is_null ? nullptr : storage_.back().c_str());
  lengths_.push_back(static_cast<int>(storage_.back().size()));
  formats_.push_back(format);
  return *this;
}

Params& Params::text(std::string_view v) { return add(pg_text(v), 0); }
Params& Params::bytes(std::string_view v) { return add(std::string(v), 1); }
Params& Params::int64(std::int64_t v) { return add(std::to_string(v), 0); }
Params& Params::null() { return add(std::string(), 0, /*is_null=*/true); }

Params& Params::real(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return add(std::string(buf, r.ptr), 0);
}

PgResult& PgResult::operator=(PgResult&& o) noexcept {
  if (this != &o) {
    if (r_) PQclear(r_);
    r_ = o.r_;
    o.r_ = nullptr;
  }
  return *this;
}

PgResult::~PgResult() {
  if (r_) PQclear(r_);
}

int PgRows::rows() const { return r_ ? PQntuples(r_) : 0; }
bool PgRows::is_null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }

std::string_view PgRows::text(int row, int col) const {
  return std::string_view(PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col)));
}

std::int64_t PgRows::int64(int row, int col) const {
  const std::string_view t = text(row, col);
  std::int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

double PgRows::real(int row, int col) const {
  const std::string t(text(row, col));
  return std::strtod(t.c_str(), nullptr);
}

std::string PgRows::bytea(int row, int col) const {
  const std::string_view t = text(row, col);
  std::string out;
  if (t.size() < 2 || t[0] != '\\' || t[1] != 'x') return out;
  out.reserve((t.size() - 2) / 2);
  const auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 2; i + 1 < t.size(); i += 2) out += static_cast<char>(nibble(t[i]) << 4 | nibble(t[i + 1]));
  return out;
}

std::int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(r_);
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

Result<PgConnection> PgConnection::connect(const std::string& location) {
  PGconn* c = PQconnectdb(location.c_str());
  if (c == nullptr) return Status::io_error("PostgreSQL: out of memory making a connection");
  if (PQstatus(c) != CONNECTION_OK) {
    Status s = Status::io_error("cannot connect to PostgreSQL: " + trimmed_message(PQerrorMessage(c)));
    PQfinish(c);
    return s;
  }
  PgConnection conn(c);
  // Quiet notices (CREATE ... IF NOT EXISTS): libpq would print them to stderr.
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  if (Status s = conn.exec("SET client_encoding = 'UTF8'; SET client_min_messages = warning; SET bytea_output = 'hex'", "set up the session");
      !s.ok()) {
    return s;
  }
  return conn;
}

PgConnection& PgConnection::operator=(PgConnection&& o) noexcept {
  if (this != &o) {
    if (c_) PQfinish(c_);
    c_ = o.c_;
    pending_ = o.pending_;
    o.c_ = nullptr;
  }
  return *this;
}

PgConnection::~PgConnection() {
  if (c_) PQfinish(c_);
}

Status PgConnection::error(std::string_view what) const {
  return Status::io_error("PostgreSQL: " + std::string(what) + ": " + trimmed_message(PQerrorMessage(c_)));
}

Result<PgResult> PgConnection::check(pg_result* r, std::string_view what) const {
  PgResult result(r);
  if (r == nullptr) return error(what);
  const ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_SINGLE_TUPLE) return result;
  const std::string msg = trimmed_message(PQresultErrorMessage(r));
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  // 25006: read-only transaction (a write on a read-only open).
  if (state && std::strcmp(state, "25006") == 0) {
    return Status::invalid_argument("PostgreSQL crawl database is open read-only: " + msg);
  }
  return Status::io_error("PostgreSQL: " + std::string(what) + ": " + msg);
}

Status PgConnection::exec(std::string_view sql, std::string_view what) {
  const std::string s(sql);
  Result<PgResult> r = check(PQexec(c_, s.c_str()), what);
  return r.status();
}

Result<PgResult> PgConnection::query(std::string_view sql, const Params& params) {
  const std::string s(sql);
  return check(PQexecParams(c_, s.c_str(), params.size(), nullptr, params.values(), params.lengths(),
                            params.formats(), 0),
               sql.substr(0, 60));
}

Result<std::int64_t> PgConnection::query_int64(std::string_view sql, const Params& params) {
  Result<PgResult> r = query(sql, params);
  if (!r.ok()) return r.status();
  if (r->rows() != 1) return Status::internal("PostgreSQL: expected one row from: " + std::string(sql));
  return r->int64(0, 0);
}

Status PgConnection::for_each_row(std::string_view sql, const Params& params,
                                  const std::function<void(const PgResult&)>& row) {
  const std::string s(sql);
  if (PQsendQueryParams(c_, s.c_str(), params.size(), nullptr, params.values(), params.lengths(), params.formats(),
                        0) == 0) {
    return error("send query");
  }
  if (PQsetSingleRowMode(c_) == 0) return error("single-row mode");
  Status first;
  // Every result is read, even after an error, so the connection is idle again.
  while (PGresult* raw = PQgetResult(c_)) {
    Result<PgResult> r = check(raw, sql.substr(0, 60));
    if (!r.ok()) {
      if (first.ok()) first = r.status();
      continue;
    }
    if (first.ok() && r->rows() == 1) row(*r);
  }
  return first;
}

Status PgConnection::prepare(const std::string& name, std::string_view sql) {
  const std::string s(sql);
  return check(PQprepare(c_, name.c_str(), s.c_str(), 0, nullptr), "prepare " + name).status();
}

Result<PgResult> PgConnection::run_prepared(const std::string& name, const Params& params) {
  return check(PQexecPrepared(c_, name.c_str(), params.size(), params.values(), params.lengths(), params.formats(), 0),
               name);
}

Status PgConnection::enter_pipeline() {
  if (PQenterPipelineMode(c_) == 0) return error("enter pipeline mode");
  pending_ = 0;
  return Status();
}

Status PgConnection::send_prepared(const std::string& name, const Params& params) {
  if (PQsendQueryPrepared(c_, name.c_str(), params.size(), params.values(), params.lengths(), params.formats(), 0) ==
      0) {
    return error("send " + name);
  }
  ++pending_;
  return Status();
}

Status PgConnection::sync() {
  if (PQpipelineSync(c_) == 0) return error("pipeline sync");
  Status first;
  for (int i = 0; i < pending_; ++i) {
    PGresult* raw = PQgetResult(c_);
    if (raw == nullptr) {
      if (first.ok()) first = error("pipeline: a result is missing");
      continue;
    }
    if (PQresultStatus(raw) == PGRES_PIPELINE_ABORTED) {
      PQclear(raw);
    } else if (Result<PgResult> r = check(raw, "pipelined write"); !r.ok() && first.ok()) {
      first = r.status();
    }
    // The end of this statement's results.
    while (PGresult* extra = PQgetResult(c_)) PQclear(extra);
  }
  pending_ = 0;
  // The sync point itself.
  PGresult* raw = PQgetResult(c_);
  if (raw == nullptr || PQresultStatus(raw) != PGRES_PIPELINE_SYNC) {
    if (first.ok()) first = error("pipeline: no sync result");
  }
  if (raw) PQclear(raw);
  return first;
}

Status PgConnection::exit_pipeline() {
  if (PQexitPipelineMode(c_) == 0) return error("exit pipeline mode");
  return Status();
}

}  // namespace preheat::store::postgres
