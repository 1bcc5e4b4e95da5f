#include "store/postgres/pg_async_read.h"

#include <optional>
#include <utility>

namespace preheat::store {
namespace {

using runtime::Task;

std::vector<PgParam> async_params(const postgres::PgQuery& q) {
  std::vector<PgParam> out;
  out.reserve(q.params.size());
  for (const std::optional<std::string>& v : q.params) out.push_back(v ? PgParam::text(*v) : PgParam::null());
  return out;
}

// The plan's statements, one after the other, on `conn`. Short on purpose
// (GCC 12: keep coroutine bodies small).
Task<Status> run_statements(PgAsyncConnection& conn, postgres::PgReadPlan& plan) {
  std::optional<PgResult> last;
  std::optional<postgres::PgQuery> q = plan.next(nullptr);
  while (q) {
    std::vector<PgParam> params = async_params(*q);
    Result<PgResult> r = co_await conn.query(std::move(q->sql), std::move(params));
    if (!r.ok()) co_return r.status();
    last = std::move(*r);
    const postgres::PgRows rows(last->raw());
    q = plan.next(&rows);
  }
  co_return Status();
}

Task<Status> in_snapshot(PgAsyncConnection& conn, postgres::PgReadPlan& plan) {
  Result<PgResult> begun = co_await conn.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!begun.ok()) co_return begun.status();
  Status s = co_await run_statements(conn, plan);
  Result<PgResult> ended = co_await conn.query(s.ok() ? "COMMIT" : "ROLLBACK");
  if (s.ok() && !ended.ok()) s = ended.status();
  co_return s;
}

}  // namespace

Task<Status> run_plan(PgAsyncPool& pool, postgres::PgReadPlan& plan) {
  Result<PgAsyncPool::Lease> lease = co_await pool.acquire();
  if (!lease.ok()) co_return lease.status();
  PgAsyncConnection& conn = **lease;
  Status s;
  if (plan.snapshot()) {
    s = co_await in_snapshot(conn, plan);
  } else {
    s = co_await run_statements(conn, plan);
  }
  if (!s.ok()) co_return s;
  co_return plan.status();
}

}  // namespace preheat::store
