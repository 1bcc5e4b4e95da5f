// PgProgram: a piece of the PostgreSQL store's WRITE side (a batch write, a
// claim, next_due_ms, fleet_work_left, a lease renewal) as data, so that its
// SQL, its parameters and its result decoding are written once and run by two
// drivers (issue 8), as the read side's plans are (postgres_read_plans.h):
//   - the blocking driver below (run_program on a PgConnection): the
//     PostgresCrawlStore methods, used by the cli commands, sequential mode,
//     the SQLite-less tests, and the crawl outside its runtime;
//   - the async driver (pg_async_program.h, run_program on a
//     PgAsyncConnection): the crawler's writer on the event loop in async and
//     parallel modes (pg_async_crawl_writer.h), no thread blocked.
//
// A program is a sequence of steps. A step is the statements to send; the
// program's next() consumes their results and says what comes next (the
// claim's loop: claim rows, maybe acquire a host, claim again). Two kinds:
//   - queries: run one after another; each statement's rows go to next();
//   - a pipeline: every statement sent in libpq's pipeline mode, results only
//     checked (the batch's row statements). The blocking driver reads the
//     results back at `sync_after` points (a blocking connection must not let
//     the server stall on a full socket while it still sends: libpq's
//     pipeline deadlock); the async driver sends them all with one sync (its
//     flush reads while it writes, so it cannot deadlock).
// transaction(): the driver sends BEGIN before the first step and COMMIT
// after the last; on any failure (a statement, the connection, the commit)
// it rolls back (best effort) and calls failed(), where the program undoes
// what it did to memory (the URL-id cache). The first step is asked for
// before BEGIN, so a program that refuses its input (status() not ok, no
// step) costs no round trip.
//
// Thread safety: a program is a value used by one driver at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/postgres/pg_connection.h"

namespace preheat::store::postgres {

struct PgStepStatement {
  // SQL text, or (prepared) the name of one of writer_statements(), which
  // both drivers prepare once per connection.
  std::string sql;
  Params params;
  bool prepared = false;
};

struct PgStep {
  std::vector<PgStepStatement> statements;
  bool pipeline = false;  // see the header comment
  // Pipeline only: the blocking driver syncs after these statement counts
  // (ascending, <= statements.size()), and once more at the end.
  std::vector<std::size_t> sync_after;
};

class PgProgram {
 public:
  virtual ~PgProgram() = default;
  virtual bool transaction() const { return false; }
  // The first step (previous empty), then the next one given the results of
  // the previous step (one per statement of a queries step, none for a
  // pipeline); none when the program is done (or refused: status()).
  virtual std::optional<PgStep> next(const std::vector<PgRows>& previous) = 0;
  // The program failed after its first step was sent.
  virtual void failed() {}
  // Not ok: the program refused its input (no statement was sent).
  const Status& status() const { return status_; }

 protected:
  Status status_;
};

// A statement each driver prepares once per connection (the write path's).
struct PgNamedStatement {
  const char* name;
  std::string_view sql;
};
const std::vector<PgNamedStatement>& writer_statements();

// The blocking driver. `after_first_sync` (tests only; may be null) runs
// after the first sync point of a pipeline step; an exception it throws
// rolls the program back and propagates. Returns the first error, else the
// program's status().
Status run_program(PgConnection& db, PgProgram& program, const std::function<void()>* after_first_sync = nullptr);

}  // namespace preheat::store::postgres
