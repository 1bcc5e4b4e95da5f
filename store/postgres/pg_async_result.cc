#include "store/postgres/pg_async_result.h"

#include <libpq-fe.h>

#include <cstdlib>

namespace preheat::store {

void PgResult::Clear::operator()(PGresult* r) const { PQclear(r); }

PgResult::PgResult(PGresult* owned) : result_(owned) {}

int PgResult::rows() const { return result_ ? PQntuples(result_.get()) : 0; }
int PgResult::columns() const { return result_ ? PQnfields(result_.get()) : 0; }

bool PgResult::is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }

std::string_view PgResult::value(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

int PgResult::column(const char* name) const { return result_ ? PQfnumber(result_.get(), name) : -1; }

long long PgResult::affected_rows() const {
  if (!result_) return 0;
  const char* n = PQcmdTuples(result_.get());
  return (n == nullptr || *n == '\0') ? 0 : std::atoll(n);
}

std::string PgResult::command_tag() const {
  const char* tag = result_ ? PQcmdStatus(result_.get()) : nullptr;
  return tag == nullptr ? std::string() : std::string(tag);
}

namespace {
std::string big_endian(unsigned long long v, int bytes) {
  std::string out(static_cast<std::size_t>(bytes), '\0');
  for (int i = bytes - 1; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}
}  // namespace

PgParam PgParam::int4(int v) { return bytes(big_endian(static_cast<unsigned int>(v), 4), 23); }
PgParam PgParam::int8(long long v) { return bytes(big_endian(static_cast<unsigned long long>(v), 8), 20); }

std::string pg_sqlstate(const Status& status) {
  const std::string& m = status.message();
  constexpr std::string_view kPrefix = "SQLSTATE ";
  if (m.size() < kPrefix.size() + 6 || m.compare(0, kPrefix.size(), kPrefix) != 0) return {};
  if (m[kPrefix.size() + 5] != ':') return {};
  return m.substr(kPrefix.size(), 5);
}

namespace pg_detail {

Status error_status(const PGresult* result, bool connection_lost) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message;
  if (state != nullptr) message = std::string("SQLSTATE ") + state + ": ";
  if (primary != nullptr) {
    message += primary;
  } else if (result != nullptr) {
    message += PQresultErrorMessage(result);
    while (!message.empty() && message.back() == '\n') message.pop_back();
  }
  if (connection_lost) return Status::io_error(message.empty() ? "connection lost" : message);
  return Status::invalid_argument(message.empty() ? "statement failed" : message);
}

long long read_binary_int(std::string_view bytes) {
  unsigned long long v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  if (bytes.size() == 4) return static_cast<int>(static_cast<unsigned int>(v));
  return static_cast<long long>(v);
}

}  // namespace pg_detail
}  // namespace preheat::store
