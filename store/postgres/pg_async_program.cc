#include "store/postgres/pg_async_program.h"

#include <optional>
#include <utility>
#include <vector>

namespace preheat::store {
namespace {

using runtime::Task;

// The blocking driver's parameters as the async driver's (a copy: Params
// owns its values and is what the programs build once for both drivers).
PgStatement statement_of(const postgres::PgStepStatement& st) {
  PgStatement out{st.sql, {}, false, st.prepared};
  const postgres::Params& p = st.params;
  out.params.reserve(static_cast<std::size_t>(p.size()));
  for (int i = 0; i < p.size(); ++i) {
    if (p.values()[i] == nullptr) {
      out.params.push_back(PgParam::null());
    } else {
      std::string v(p.values()[i], static_cast<std::size_t>(p.lengths()[i]));
      out.params.push_back(PgParam{std::move(v), p.formats()[i] == 1, 0});
    }
  }
  return out;
}

// One step; a queries step's results go to `results`. Short on purpose
// (GCC 12: keep coroutine bodies small).
Task<Status> run_step(PgAsyncConnection& conn, const postgres::PgStep& step, std::vector<PgResult>& results) {
  if (!step.pipeline) {
    for (const postgres::PgStepStatement& st : step.statements) {
      Result<PgResult> r = co_await conn.query(statement_of(st));
      if (!r.ok()) co_return r.status();
      results.push_back(std::move(*r));
    }
    co_return Status();
  }
  std::vector<PgStatement> statements;
  statements.reserve(step.statements.size());
  for (const postgres::PgStepStatement& st : step.statements) statements.push_back(statement_of(st));
  Result<std::vector<Result<PgResult>>> done = co_await conn.pipeline(std::move(statements));
  if (!done.ok()) co_return done.status();
  for (Result<PgResult>& r : *done) {
    // The first real error; the statements it made the server skip say cancelled.
    if (!r.ok() && r.status().code() != Status::Code::kCancelled) co_return r.status();
  }
  for (Result<PgResult>& r : *done) {
    if (!r.ok()) co_return r.status();
  }
  co_return Status();
}

Task<Status> run_steps(PgAsyncConnection& conn, postgres::PgProgram& program, std::optional<postgres::PgStep> step) {
  std::vector<PgResult> results;
  std::vector<postgres::PgRows> views;
  while (step) {
    results.clear();
    Status s = co_await run_step(conn, *step, results);
    if (!s.ok()) co_return s;
    views.clear();
    for (const PgResult& r : results) views.emplace_back(r.raw());
    step = program.next(views);
  }
  co_return program.status();
}

Task<Status> roll_back(PgAsyncConnection& conn, postgres::PgProgram& program, Status error) {
  if (program.transaction() && !conn.broken()) (void)co_await conn.query("ROLLBACK");
  program.failed();
  co_return error;
}

}  // namespace

Task<Status> run_program(PgAsyncConnection& conn, postgres::PgProgram& program) {
  const std::vector<postgres::PgRows> none;
  std::optional<postgres::PgStep> first = program.next(none);
  if (!first) co_return program.status();
  if (program.transaction()) {
    Result<PgResult> begun = co_await conn.query("BEGIN");
    if (!begun.ok()) co_return begun.status();
  }
  Status s = co_await run_steps(conn, program, std::move(first));
  if (!s.ok()) co_return co_await roll_back(conn, program, std::move(s));
  if (program.transaction()) {
    Result<PgResult> committed = co_await conn.query("COMMIT");
    if (!committed.ok()) {
      program.failed();
      co_return committed.status();
    }
  }
  co_return Status();
}

Task<Status> prepare_writer_statements(PgAsyncConnection& conn) {
  for (const postgres::PgNamedStatement& st : postgres::writer_statements()) {
    std::string sql = std::string("PREPARE ") + st.name + " AS " + std::string(st.sql);
    Result<PgResult> r = co_await conn.query(std::move(sql));
    if (!r.ok()) co_return r.status();
  }
  co_return Status();
}

}  // namespace preheat::store
