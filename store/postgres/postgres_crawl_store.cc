// The writer side of PostgresCrawlStore and opening; the reader side is in
// postgres_crawl_store_read.cc, serving in postgres_crawl_store_serve.cc.
#include "store/postgres/postgres_crawl_store.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "store/postgres/lease_keeper.h"
#include "store/postgres/postgres_migrations.h"

namespace preheat::store::postgres {
namespace {

// Pipelined statements are read back every this many pages: results pile up
// in the socket meanwhile, and a blocking connection must never let the
// server stall on a full buffer while it is still sending (libpq's pipeline
// deadlock). 16 pages of ~35 statements each: a few kB of results.
constexpr std::size_t kPagesPerSync = 16;

int state_code(FrontierState state) {
  return static_cast<int>(state);
}

// Every statement of the write path, prepared once per connection.
constexpr struct {
  const char* name;
  std::string_view sql;
} kWriterStatements[] = {
    // A page's discovered URLs (or a batch's seeds: $1 NULL) in one
    // statement, arrays in discovery order: one statement per page instead
    // of one per URL (docs/measurements.md). Duplicates in the arrays keep the
    // first (DO NOTHING); rows go in id order, as two writers racing on the
    // same new rows should.
    {"add_frontier",
     "INSERT INTO frontier (url_id, state, depth, discovered_from, host) SELECT i, s, d, $1, h "
     "FROM unnest($2::bigint[], $3::smallint[], $4::int[], $5::text[]) WITH ORDINALITY AS x(i, s, d, h, n) "
     "ORDER BY i, n ON CONFLICT (url_id) DO NOTHING"},
    {"set_frontier",
     "INSERT INTO frontier (url_id, state, depth, attempts, next_due_ms, host) VALUES ($1, $2, $3, $4, $5, $6) "
     "ON CONFLICT (url_id) DO UPDATE SET state = excluded.state, attempts = excluded.attempts, "
     "next_due_ms = excluded.next_due_ms, claimed_by = NULL, lease_until_ms = NULL"},
    {"replace_page",
     "INSERT INTO pages (url_id, final_url_id, status, depth, attempts, fetched_at_ms, elapsed_s, bytes, wire_bytes, "
     "content_hash, run_id, error_class, content_type, etag, last_modified, canonical, language, title, description, "
     "error_message, text, robots, checked_at_ms, not_modified) "
     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, "
     "$23, $24) ON CONFLICT (url_id) DO UPDATE SET final_url_id = excluded.final_url_id, status = excluded.status, "
     "depth = excluded.depth, attempts = excluded.attempts, fetched_at_ms = excluded.fetched_at_ms, "
     "elapsed_s = excluded.elapsed_s, bytes = excluded.bytes, wire_bytes = excluded.wire_bytes, "
     "content_hash = excluded.content_hash, run_id = excluded.run_id, error_class = excluded.error_class, "
     "content_type = excluded.content_type, etag = excluded.etag, last_modified = excluded.last_modified, "
     "canonical = excluded.canonical, language = excluded.language, title = excluded.title, "
     "description = excluded.description, error_message = excluded.error_message, text = excluded.text, "
     "robots = excluded.robots, checked_at_ms = excluded.checked_at_ms, not_modified = excluded.not_modified"},
    // A 304: the stored content stays; a validator the 304 repeats or
    // updates replaces the stored one, an absent one keeps it.
    {"revalidate_page",
     "UPDATE pages SET checked_at_ms = $2, not_modified = true, "
     "etag = CASE WHEN $3 <> '' THEN $3 ELSE etag END, "
     "last_modified = CASE WHEN $4 <> '' THEN $4 ELSE last_modified END WHERE url_id = $1"},
    {"delete_links", "DELETE FROM links WHERE from_id = $1"},
    {"delete_redirects", "DELETE FROM redirects WHERE page_id = $1"},
    // A page's links in one statement (arrays in document order) rather than
    // one pipelined INSERT per link: 1 executor start instead of ~30 per page.
    // Measured (bench/store_bench.cc, nav, 100-page batches, a 2-core
    // machine at load 5-10): per-link 250-477 pages/s, arrays 255-516: within
    // the noise there; kept for the fewer statements. To measure again quiet.
    {"insert_links",
     "INSERT INTO links (from_id, seq, to_id, tag, rel, anchor) SELECT $1, n - 1, t, g, r, a "
     "FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS x(t, g, r, a, n)"},
    {"insert_redirect", "INSERT INTO redirects (page_id, hop, from_id, to_id, status) VALUES ($1, $2, $3, $4, $5)"},
    {"replace_body",
     "INSERT INTO bodies (page_id, request_block, response_block, body) VALUES ($1, $2, $3, $4) "
     "ON CONFLICT (page_id) DO UPDATE SET request_block = excluded.request_block, "
     "response_block = excluded.response_block, body = excluded.body"},
    {"delete_body", "DELETE FROM bodies WHERE page_id = $1"},
};

// Interning: every URL of a batch in one statement. Ids are drawn in the
// batch's order (claim_due's "oldest first" is id order), rows inserted in
// URL order: two writers racing on the same new URLs lock their index
// entries in the same order, so they wait for each other instead of
// deadlocking, and the loser's ON CONFLICT DO NOTHING skips them.
// One statement answers every id: the URLs found, and those it inserted
// (RETURNING; one index probe per URL instead of two, one round trip). A URL
// another writer inserted meanwhile is neither (this statement's snapshot
// does not see it, and DO NOTHING skips it): kUrlIds looks those up after.
constexpr std::string_view kInternUrls =
    "WITH given AS (SELECT t.v, t.n, u.id FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n) "
    "LEFT JOIN urls u ON md5(u.url) = md5(t.v) AND u.url = t.v), "
    "ins AS (INSERT INTO urls (id, url) SELECT id, v FROM ("
    "SELECT v, nextval(pg_get_serial_sequence('urls', 'id')) AS id FROM given WHERE given.id IS NULL ORDER BY n) s "
    "ORDER BY v ON CONFLICT ((md5(url))) DO NOTHING RETURNING id, url) "
    "SELECT id, v FROM given WHERE id IS NOT NULL UNION ALL SELECT id, url FROM ins";
constexpr std::string_view kUrlIds =
    "SELECT u.id, u.url FROM unnest($1::text[]) AS t(v) JOIN urls u ON md5(u.url) = md5(t.v) AND u.url = t.v";

}  // namespace

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
  for (const auto& st : kWriterStatements) {
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

Status PostgresCrawlStore::send_page(const PageRecord& page, const std::function<UrlId(std::string_view)>& id_of,
                                     bool has_page_row) {
  const UrlId id = id_of(page.url);
  if (!page.discovered.empty()) {
    Params p;
    p.int64(id);
    if (Status s = send_new_urls(page.discovered, id_of, p); !s.ok()) return s;
  }
  const auto set_frontier = [&](FrontierState state, std::int64_t due) {
    Params p;
    p.int64(id).int64(state_code(state)).int64(page.depth).int64(page.attempts).int64(due).text(fleet_host(page.url));
    return db_.send_prepared("set_frontier", p);
  };
  if (page.state == FrontierState::kQueued) return set_frontier(FrontierState::kQueued, page.next_due_ms);
  const std::int64_t checked = page.checked_at_ms != 0 ? page.checked_at_ms : page.fetched_at_ms;
  if (page.not_modified && has_page_row) {
    Params p;
    p.int64(id).int64(checked).text(page.etag).text(page.last_modified);
    if (Status s = db_.send_prepared("revalidate_page", p); !s.ok()) return s;
    return set_frontier(page.state, 0);
  }
  const UrlId final_id = page.final_url.empty() ? id : id_of(page.final_url);
  {
    Params p;
    p.int64(id).int64(final_id).int64(page.status).int64(page.depth).int64(page.attempts).int64(page.fetched_at_ms);
    p.real(page.elapsed_s).int64(static_cast<std::int64_t>(page.bytes));
    p.int64(static_cast<std::int64_t>(page.wire_bytes));
    // The hash's 64 bits as a signed BIGINT, like SQLite.
    p.optional_int64(page.content_hash).optional_int64(current_run_);
    p.text(page.error_class).text(page.content_type).text(page.etag).text(page.last_modified).text(page.canonical);
    p.text(page.language).text(page.title).text(page.description).text(page.error_message).text(page.text);
    p.text(page.robots).int64(checked).boolean(page.not_modified);
    if (Status s = db_.send_prepared("replace_page", p); !s.ok()) return s;
  }
  {
    Params p;
    p.int64(id);
    if (page.keep_body) p.bytes(page.request_block).bytes(page.response_block).bytes(page.body);
    if (Status s = db_.send_prepared(page.keep_body ? "replace_body" : "delete_body", p); !s.ok()) return s;
  }
  // A recrawl replaces what the page said before.
  for (const char* name : {"delete_links", "delete_redirects"}) {
    Params p;
    p.int64(id);
    if (Status s = db_.send_prepared(name, p); !s.ok()) return s;
  }
  // A page reached through a redirect has no frontier row yet: inserted.
  if (Status s = set_frontier(page.state, 0); !s.ok()) return s;
  for (std::size_t hop = 0; hop < page.redirects.size(); ++hop) {
    const RedirectRecord& r = page.redirects[hop];
    Params p;
    p.int64(id).int64(static_cast<std::int64_t>(hop)).int64(id_of(r.from_url)).int64(id_of(r.to_url)).int64(r.status);
    if (Status s = db_.send_prepared("insert_redirect", p); !s.ok()) return s;
  }
  if (!page.links.empty()) {
    std::string to_ids = "{";
    std::vector<std::string_view> tags, rels, anchors;
    for (const LinkRecord& l : page.links) {
      if (to_ids.size() > 1) to_ids += ',';
      to_ids += std::to_string(id_of(l.to_url));
      tags.push_back(l.tag);
      rels.push_back(l.rel);
      anchors.push_back(l.anchor);
    }
    Params p;
    p.int64(id).text(to_ids + "}").text(pg_text_array(tags)).text(pg_text_array(rels)).text(pg_text_array(anchors));
    if (Status s = db_.send_prepared("insert_links", p); !s.ok()) return s;
  }
  return Status();
}

Status PostgresCrawlStore::send_new_urls(const std::vector<NewUrl>& urls,
                                         const std::function<UrlId(std::string_view)>& id_of, Params& p) {
  std::string ids = "{", states = "{", depths = "{";
  std::vector<std::string> hosts;
  hosts.reserve(urls.size());
  for (const NewUrl& u : urls) {
    const char* sep = ids.size() > 1 ? "," : "";
    ids += sep + std::to_string(id_of(u.url));
    states += sep + std::to_string(state_code(u.claimed ? FrontierState::kClaimed : FrontierState::kQueued));
    depths += sep + std::to_string(u.depth);
    hosts.push_back(fleet_host(u.url));
  }
  const std::vector<std::string_view> host_views(hosts.begin(), hosts.end());
  p.text(ids + "}").text(states + "}").text(depths + "}").text(pg_text_array(host_views));
  return db_.send_prepared("add_frontier", p);
}

Status PostgresCrawlStore::write_batch(const WriteBatch& batch) {
  for (const PageRecord& page : batch.pages) {
    if (page.state == FrontierState::kClaimed) {
      return Status::invalid_argument("page record for '" + page.url + "': state must be done, failed or queued");
    }
  }
  // Every URL of the batch, as stored (pg_text), once.
  std::unordered_map<std::string, UrlId> ids;
  std::vector<std::string_view> urls;
  const auto want = [&](std::string_view u) {
    auto [it, added] = ids.try_emplace(pg_text(u), 0);
    if (!added) return;
    if (std::optional<std::int64_t> id = url_ids_.find(it->first, UrlIdCache::hash(it->first))) {
      it->second = *id;
    } else {
      urls.push_back(it->first);
    }
  };
  for (const NewUrl& s : batch.seeds) want(s.url);
  for (const PageRecord& page : batch.pages) {
    want(page.url);
    if (!page.final_url.empty()) want(page.final_url);
    for (const NewUrl& d : page.discovered) want(d.url);
    for (const RedirectRecord& r : page.redirects) {
      want(r.from_url);
      want(r.to_url);
    }
    for (const LinkRecord& l : page.links) want(l.to_url);
  }

  if (Status s = db_.exec("BEGIN", "begin a write"); !s.ok()) return s;
  bool in_pipeline = false;
  const auto fail = [&](Status s) {
    url_ids_.clear();  // ids handed out in this transaction may be reused
    if (in_pipeline) {
      (void)db_.sync();
      (void)db_.exit_pipeline();
    }
    (void)db_.exec("ROLLBACK", "roll back a write");
    return s;
  };
  if (!urls.empty()) {
    Params p;
    p.text(pg_text_array(urls));
    Result<PgResult> r = db_.query(kInternUrls, p);
    if (!r.ok()) return fail(r.status());
    for (int i = 0; i < r->rows(); ++i) ids[std::string(r->text(i, 1))] = r->int64(i, 0);
    if (r->rows() < static_cast<int>(urls.size())) {  // inserted by another writer meanwhile
      std::vector<std::string_view> missing;
      for (std::string_view u : urls) {
        if (ids[std::string(u)] == 0) missing.push_back(u);
      }
      Params again;
      again.text(pg_text_array(missing));
      Result<PgResult> found = db_.query(kUrlIds, again);
      if (!found.ok()) return fail(found.status());
      for (int i = 0; i < found->rows(); ++i) ids[std::string(found->text(i, 1))] = found->int64(i, 0);
    }
    for (std::string_view u : urls) {
      const UrlId id = ids[std::string(u)];
      if (id == 0) {
        return fail(Status::internal("PostgreSQL crawl database: URL neither found nor inserted: " + std::string(u)));
      }
      url_ids_.put(u, UrlIdCache::hash(u), id);
    }
  }
  const auto id_of = [&](std::string_view u) -> UrlId {
    auto it = ids.find(std::string(u));
    return it != ids.end() ? it->second : ids[pg_text(u)];
  };
  // A 304 keeps the stored page: which of them have one.
  std::unordered_set<UrlId> has_row;
  std::vector<std::string_view> revalidating;
  for (const PageRecord& page : batch.pages) {
    if (page.not_modified && page.state != FrontierState::kQueued) revalidating.push_back(page.url);
  }
  if (!revalidating.empty()) {
    std::string list = "{";
    for (std::string_view u : revalidating) list += (list.size() > 1 ? "," : "") + std::to_string(id_of(u));
    Params p;
    p.text(list + "}");
    Result<PgResult> r = db_.query("SELECT url_id FROM pages WHERE url_id = ANY($1::bigint[])", p);
    if (!r.ok()) return fail(r.status());
    for (int i = 0; i < r->rows(); ++i) has_row.insert(r->int64(i, 0));
  }

  if (Status s = db_.enter_pipeline(); !s.ok()) return fail(s);
  in_pipeline = true;
  if (!batch.seeds.empty()) {
    Params p;
    p.null();
    if (Status s = send_new_urls(batch.seeds, id_of, p); !s.ok()) return fail(s);
  }
  for (std::size_t i = 0; i < batch.pages.size(); ++i) {
    const PageRecord& page = batch.pages[i];
    const UrlId id = id_of(page.url);
    if (Status s = send_page(page, id_of, has_row.contains(id)); !s.ok()) return fail(s);
    if (page.state != FrontierState::kQueued) has_row.insert(id);
    if (i == 0 || (i + 1) % kPagesPerSync == 0) {
      if (Status s = db_.sync(); !s.ok()) return fail(s);
    }
    if (i == 0 && options_.after_first_page_for_test) {
      try {
        options_.after_first_page_for_test();
      } catch (...) {
        (void)fail(Status());
        throw;
      }
    }
  }
  if (Status s = db_.sync(); !s.ok()) return fail(s);
  in_pipeline = false;
  if (Status s = db_.exit_pipeline(); !s.ok()) return fail(s);
  Status committed = db_.exec("COMMIT", "commit a write");
  if (!committed.ok()) url_ids_.clear();
  return committed;
}

Status PostgresCrawlStore::write(const WriteBatch& batch) {
  if (Status s = writable(); !s.ok()) return s;
  return write_batch(batch);
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
  std::vector<FrontierEntry> out;
  if (limit == 0) return out;
  // One statement: rows another transaction holds are skipped, not waited
  // for, so concurrent claimers never share a URL. The URL's page row (a
  // recrawl) gives the validators of a conditional request.
  Params p;
  p.int64(now_ms).int64(static_cast<std::int64_t>(std::min<std::size_t>(limit, 1u << 30)));
  Result<PgResult> r = db_.query(
      "WITH c AS (SELECT url_id FROM frontier WHERE state = 0 AND next_due_ms <= $1 ORDER BY depth, url_id "
      "LIMIT $2 FOR UPDATE SKIP LOCKED) "
      "UPDATE frontier f SET state = 1 FROM c JOIN urls u ON u.id = c.url_id LEFT JOIN pages p ON p.url_id = c.url_id "
      "WHERE f.url_id = c.url_id RETURNING f.url_id, u.url, f.depth, f.attempts, p.url_id IS NOT NULL, p.status, "
      "p.etag, p.last_modified, p.content_hash, p.bytes, p.final_url_id <> p.url_id",
      p);
  if (!r.ok()) return r.status();
  return read_claimed(*r);
}

Result<std::vector<FrontierEntry>> PostgresCrawlStore::read_claimed(const PgResult& rows) {
  const PgResult* r = &rows;
  std::vector<FrontierEntry> out;
  for (int i = 0; i < r->rows(); ++i) {
    FrontierEntry e{r->int64(i, 0), std::string(r->text(i, 1)), static_cast<int>(r->int64(i, 2)),
                    static_cast<int>(r->int64(i, 3)), std::nullopt};
    if (r->boolean(i, 4)) {
      PreviousFetch prev;
      prev.status = static_cast<int>(r->int64(i, 5));
      prev.redirected = r->boolean(i, 10);
      if (!prev.redirected) {
        prev.etag = r->text(i, 6);
        prev.last_modified = r->text(i, 7);
      }
      if (!r->is_null(i, 8)) prev.content_hash = static_cast<std::uint64_t>(r->int64(i, 8));
      prev.bytes = static_cast<std::uint64_t>(r->int64(i, 9));
      e.previous = std::move(prev);
    }
    out.push_back(std::move(e));
  }
  // RETURNING has no order: lowest depth first, then oldest.
  std::sort(out.begin(), out.end(), [](const FrontierEntry& a, const FrontierEntry& b) {
    return std::pair(a.depth, a.id) < std::pair(b.depth, b.id);
  });
  return out;
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
