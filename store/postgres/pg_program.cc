#include "store/postgres/pg_program.h"

#include <utility>

namespace preheat::store::postgres {
namespace {

// One step on the blocking connection; the rows of a queries step go to `results`.
Status run_step(PgConnection& db, const PgStep& step, std::vector<PgResult>& results, bool& in_pipeline,
                const std::function<void()>* after_first_sync) {
  if (!step.pipeline) {
    for (const PgStepStatement& st : step.statements) {
      Result<PgResult> r = st.prepared ? db.run_prepared(st.sql, st.params) : db.query(st.sql, st.params);
      if (!r.ok()) return r.status();
      results.push_back(std::move(*r));
    }
    return Status();
  }
  if (Status s = db.enter_pipeline(); !s.ok()) return s;
  in_pipeline = true;
  std::size_t next_sync = 0;
  bool synced_once = false;
  for (std::size_t i = 0; i < step.statements.size(); ++i) {
    const PgStepStatement& st = step.statements[i];
    if (!st.prepared) return Status::internal("PgProgram: a pipelined statement must be a prepared one");
    if (Status s = db.send_prepared(st.sql, st.params); !s.ok()) return s;
    if (next_sync < step.sync_after.size() && step.sync_after[next_sync] == i + 1) {
      ++next_sync;
      if (Status s = db.sync(); !s.ok()) return s;
      if (!std::exchange(synced_once, true) && after_first_sync != nullptr && *after_first_sync) (*after_first_sync)();
    }
  }
  if (Status s = db.sync(); !s.ok()) return s;
  in_pipeline = false;
  return db.exit_pipeline();
}

}  // namespace

Status run_program(PgConnection& db, PgProgram& program, const std::function<void()>* after_first_sync) {
  std::vector<PgResult> results;
  std::vector<PgRows> views;
  std::optional<PgStep> step = program.next(views);
  if (!step) return program.status();
  const bool tx = program.transaction();
  if (tx) {
    if (Status s = db.exec("BEGIN", "begin a write"); !s.ok()) return s;
  }
  bool in_pipeline = false;
  const auto fail = [&](Status s) {
    if (in_pipeline) {
      (void)db.sync();
      (void)db.exit_pipeline();
    }
    if (tx) (void)db.exec("ROLLBACK", "roll back a write");
    program.failed();
    return s;
  };
  while (step) {
    results.clear();
    Status s;
    try {
      s = run_step(db, *step, results, in_pipeline, after_first_sync);
    } catch (...) {
      (void)fail(Status());
      throw;
    }
    if (!s.ok()) return fail(s);
    views.assign(results.begin(), results.end());
    step = program.next(views);
  }
  if (!program.status().ok()) return fail(program.status());
  if (tx) {
    if (Status s = db.exec("COMMIT", "commit a write"); !s.ok()) {
      program.failed();
      return s;
    }
  }
  return Status();
}

}  // namespace preheat::store::postgres
