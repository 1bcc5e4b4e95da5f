// The writer side of PostgresCrawlStore and opening; the reader side is in
// postgres_crawl_store_read.cc, serving in postgres_crawl_store_serve.cc.
#include "store/postgres/postgres_crawl_store.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "store/postgres/lease_keeper.h"
#include "store/postgres/postgres_migrations.h"
#include "store/postgres/postgres_write_programs.h"

namespace preheat::store::postgres {

Result<std::unique_ptr<PostgresCrawlStore>> PostgresCrawlStore::open(const std::string& location,
                                                                     const OpenOptions& options) {
  if (options.read_only && options.fresh) {
    return Status::invalid_argument("cannot empty the PostgreSQL crawl database (fresh) when opening it read-only");
  }
  Result<PgConnection> db = PgConnection::connect(location);
  if (!db.ok()) return db.status();
  // Identity and migrations first: nothing is written to a database that is not ours.
  if (Status s = check_and_migrate(*db, options.read_only); !s.ok()) return s;
  if (options.read_only) {
    if (Status s = db->exec("SET default_transaction_read_only = on", "read-only session"); !s.ok()) return s;
  }
  if (options.fleet && (options.read_only || options.fleet->worker_id.empty() || options.fleet->lease_ms <= 0)) {
    return Status::invalid_argument("fleet mode needs a writable open, a worker id and a positive lease");
  }
  std::unique_ptr<PostgresCrawlStore> store(new PostgresCrawlStore(std::move(*db), options));
  store->location_ = location;
  if (!options.read_only) {
    if (Status s = store->prepare_writer(); !s.ok()) return s;
    if (options.fleet) {
      if (Status s = store->prepare_fleet(location); !s.ok()) return s;
      if (options.fresh) {
        if (Status s = store->no_other_live_worker(); !s.ok()) return s;
      }
    }
    if (options.fresh) {
      if (Status s = store->delete_all_rows(); !s.ok()) return s;
    }
  }
  return store;
}

Status PostgresCrawlStore::prepare_writer() {
  for (const PgNamedStatement& st : writer_statements()) {
    if (Status s = db_.prepare(st.name, st.sql); !s.ok()) return s;
  }
  return Status();
}

Status PostgresCrawlStore::writable() const {
  if (options_.read_only) return Status::invalid_argument("the PostgreSQL crawl database is open read-only");
  return Status();
}

Status PostgresCrawlStore::delete_all_rows() {
  current_run_.reset();
  url_ids_.clear();
  if (Status s = db_.exec("TRUNCATE links, redirects, bodies, pages, frontier, urls, runs, recrawls, page_search, page_search_state "
                          "RESTART IDENTITY",
                          "fresh: empty every table");
      !s.ok()) {
    return s;
  }
  // Leases of an earlier fleet (postgres_fleet.cc) name rows that are gone.
  return db_.exec("DO $$ BEGIN IF to_regclass('host_leases') IS NOT NULL THEN TRUNCATE host_leases, fleet_workers; END IF; END $$",
                  "fresh: drop host leases");
}

Status PostgresCrawlStore::write(const WriteBatch& batch) {
  if (Status s = writable(); !s.ok()) return s;
  if (Status s = renew_if_keeper_stopped(); !s.ok()) return s;
  WriteProgram program(batch, url_ids_, current_run_);
  const std::function<void()>* hook =
      options_.after_first_page_for_test ? &options_.after_first_page_for_test : nullptr;
  return run_program(db_, program, hook);
}

Result<std::int64_t> PostgresCrawlStore::release_claims() {
  if (Status s = writable(); !s.ok()) return s;
  if (options_.fleet) return fleet_release_claims();
  Result<PgResult> r =
      db_.query("UPDATE frontier SET state = 0, claimed_by = NULL, lease_until_ms = NULL WHERE state = 1");
  if (!r.ok()) return r.status();
  return r->affected();
}

Result<std::vector<FrontierEntry>> PostgresCrawlStore::claim_due(std::size_t limit, std::int64_t now_ms) {
  if (Status s = writable(); !s.ok()) return s;
  if (options_.fleet) return fleet_claim_due(limit, now_ms);
  ClaimProgram program(limit, now_ms);
  if (Status s = run_program(db_, program); !s.ok()) return s;
  return std::move(program.value);
}

Result<std::int64_t> PostgresCrawlStore::begin_run(const RunInfo& run) {
  if (Status s = writable(); !s.ok()) return s;
  Params p;
  p.int64(run.started_at_ms).text(run.mode).text(run.seeds).text(run.options);
  Result<std::int64_t> id =
      db_.query_int64("INSERT INTO runs (started_at_ms, mode, seeds, options) VALUES ($1, $2, $3, $4) RETURNING id", p);
  if (!id.ok()) return id.status();
  current_run_ = *id;
  return *id;
}

Result<RecrawlPass> PostgresCrawlStore::begin_recrawl(std::int64_t now_ms) {
  if (Status s = writable(); !s.ok()) return s;
  if (Status s = db_.exec("BEGIN; LOCK TABLE recrawls IN EXCLUSIVE MODE", "begin a recrawl"); !s.ok()) return s;
  const auto fail = [&](Status s) {
    (void)db_.exec("ROLLBACK", "roll back a recrawl");
    return s;
  };
  RecrawlPass pass;
  Result<PgResult> open =
      db_.query("SELECT id, started_at_ms, requeued FROM recrawls WHERE ended_at_ms IS NULL ORDER BY id DESC LIMIT 1");
  if (!open.ok()) return fail(open.status());
  if (open->rows() == 1) {
    pass.id = open->int64(0, 0);
    pass.started_at_ms = open->int64(0, 1);
    pass.requeued = open->int64(0, 2);
    pass.resumed = true;
  } else {
    // Trap rows stay done: never asked of a server, nothing to revisit.
    Result<PgResult> requeue = db_.query(
        "UPDATE frontier SET state = 0, attempts = 0, next_due_ms = 0 WHERE state IN (2, 3) "
        "AND url_id NOT IN (SELECT url_id FROM pages WHERE error_class = 'trap')");
    if (!requeue.ok()) return fail(requeue.status());
    pass.requeued = requeue->affected();
    pass.started_at_ms = now_ms;
    Params p;
    p.int64(now_ms).int64(pass.requeued);
    Result<std::int64_t> id =
        db_.query_int64("INSERT INTO recrawls (started_at_ms, requeued) VALUES ($1, $2) RETURNING id", p);
    if (!id.ok()) return fail(id.status());
    pass.id = *id;
  }
  Result<std::int64_t> handled = db_.query_int64("SELECT count(*) FROM frontier WHERE state IN (2, 3)");
  if (!handled.ok()) return fail(handled.status());
  pass.handled = *handled;
  if (Status s = db_.exec("COMMIT", "commit a recrawl"); !s.ok()) return s;
  return pass;
}

Status PostgresCrawlStore::end_recrawl(std::int64_t now_ms) {
  if (Status s = writable(); !s.ok()) return s;
  Params p;
  p.int64(now_ms);
  return db_.query("UPDATE recrawls SET ended_at_ms = $1 WHERE ended_at_ms IS NULL", p).status();
}

Status PostgresCrawlStore::end_run(std::int64_t run_id, const RunEnd& end) {
  if (Status s = writable(); !s.ok()) return s;
  Params p;
  p.int64(run_id).int64(end.ended_at_ms).real(end.wall_s).real(end.execution_s).int64(end.pages).text(end.outcome);
  Result<PgResult> r = db_.query(
      "UPDATE runs SET ended_at_ms = $2, wall_s = $3, execution_s = $4, pages = $5, outcome = $6 WHERE id = $1", p);
  if (!r.ok()) return r.status();
  if (r->affected() == 0) {
    return Status::not_found("the PostgreSQL crawl database has no run " + std::to_string(run_id));
  }
  if (current_run_ == run_id) current_run_.reset();
  return Status();
}

}  // namespace preheat::store::postgres
