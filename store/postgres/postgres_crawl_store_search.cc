// Full-text search on PostgreSQL (docs/schema.md, "PostgreSQL: full-text
// search"): the index table `page_search` (one tsvector per page, derived
// data made by refresh_search_index(), never by a crawl, as SQLite's FTS5
// index), its freshness record `page_search_state` with SQLite's staleness
// rule, and the search statement (store/postgres/pg_search_sql.h, shared
// with serve's async driver).
#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>

#include "store/postgres/pg_search_sql.h"
#include "store/search_index_state.h"
#include "store/postgres/postgres_read_plans.h"
#include "store/postgres/postgres_crawl_store.h"

namespace preheat::store::postgres {
namespace {

Result<PagesNow> read_pages_now(PgConnection& db, std::int64_t indexed_until) {
  Params p;
  p.int64(indexed_until);
  Result<PgResult> r = db.query(
      "SELECT count(*), max(fetched_at_ms), coalesce(sum(v), 0)::bigint, count(*) FILTER (WHERE fetched_at_ms <= $1), "
      "coalesce(sum(v) FILTER (WHERE fetched_at_ms <= $1), 0)::bigint FROM (SELECT fetched_at_ms, "
      "(url_id * 1000003 + fetched_at_ms + coalesce(content_hash % 1000003, 0) + length(title)) % 2147483647 AS v "
      "FROM pages) x",
      p);
  if (!r.ok()) return r.status();
  PagesNow now;
  now.pages = r->int64(0, 0);
  now.max_fetched_at_ms = r->is_null(0, 1) ? kNoPages : r->int64(0, 1);
  now.fingerprint = r->int64(0, 2);
  now.old_pages = r->int64(0, 3);
  now.old_fingerprint = r->int64(0, 4);
  return now;
}

Result<std::optional<IndexState>> read_state(PgConnection& db) {
  Result<PgResult> r =
      db.query("SELECT format, pages, fingerprint, max_fetched_at_ms FROM page_search_state WHERE id = 1");
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<IndexState>();
  return std::optional<IndexState>(IndexState{r->int64(0, 0), r->int64(0, 1), r->int64(0, 2), r->int64(0, 3)});
}

Status write_state(PgConnection& db, const PagesNow& now) {
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  Params p;
  p.int64(kPgSearchIndexFormat).int64(now.pages).int64(now.fingerprint).int64(now.max_fetched_at_ms);
  p.int64(now_ms.count());
  Result<PgResult> r = db.query(
      "INSERT INTO page_search_state (id, format, pages, fingerprint, max_fetched_at_ms, built_at_ms) "
      "VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET format = excluded.format, "
      "pages = excluded.pages, fingerprint = excluded.fingerprint, max_fetched_at_ms = excluded.max_fetched_at_ms, "
      "built_at_ms = excluded.built_at_ms",
      p);
  return r.ok() ? Status() : r.status();
}

constexpr std::string_view kSearchable = "p.fetched_at_ms > $1 AND position('noindex' in p.robots) = 0";

// Indexes one page by the longest prefix of its title and text (halving)
// that fits in a tsvector; with nothing that fits, not at all. Each try is
// in a savepoint, so a failed one leaves the transaction usable.
Status index_page_prefix(PgConnection& db, std::int64_t url_id, std::int64_t chars) {
  static const std::string sql = "INSERT INTO page_search (url_id, doc) SELECT p.url_id, " +
                                 pg_search_document("$2::int") +
                                 " FROM pages p WHERE p.url_id = $1 ON CONFLICT (url_id) DO UPDATE SET doc = excluded.doc";
  for (std::int64_t n = chars; n > 0; n /= 2) {
    if (Status s = db.exec("SAVEPOINT one_page", "index one page"); !s.ok()) return s;
    Params p;
    p.int64(url_id).int64(std::min<std::int64_t>(n, std::numeric_limits<int>::max()));
    Result<PgResult> r = db.query(sql, p);
    const char* end = r.ok() ? "RELEASE SAVEPOINT one_page" : "ROLLBACK TO SAVEPOINT one_page";
    if (Status s = db.exec(end, "index one page"); !s.ok()) return s;
    if (r.ok()) return Status();
  }
  return Status();
}

// Indexes the searchable pages fetched after `after_ms` (kNoPages: all).
// Pages marked noindex are left out, as SQLite's page_search_source view.
// One statement for all of them; when it fails (a page of more distinct
// words than a tsvector holds: "string is too long for tsvector", a page of
// text the crawler caps at 1 MB can reach it), the pages of up to
// kSurelyFits bytes of title and text go in one statement and the larger
// ones one by one, by the longest prefix that fits. Decided so because one
// hostile page must not make the whole index fail, while the common case
// stays one statement; a PL/pgSQL function catching the error per row would
// pay a subtransaction for every page. kSurelyFits: a tsvector takes at most
// ~3 bytes per byte of text (a 1-byte lexeme: itself, a pad byte, a 2-byte
// position count and a 2-byte position, from 2 bytes of text).
Status index_pages(PgConnection& db, std::int64_t after_ms) {
  static const std::string sql =
      "INSERT INTO page_search (url_id, doc) SELECT p.url_id, " + pg_search_document() + " FROM pages p WHERE " +
      std::string(kSearchable) + " AND octet_length(p.title) + octet_length(p.text) <= $2 " +
      "ON CONFLICT (url_id) DO UPDATE SET doc = excluded.doc";
  constexpr std::int64_t kSurelyFits = 300'000;
  if (Status s = db.exec("SAVEPOINT all_pages", "index the pages"); !s.ok()) return s;
  Params all;
  all.int64(after_ms).int64(std::numeric_limits<std::int64_t>::max());
  if (db.query(sql, all).ok()) return db.exec("RELEASE SAVEPOINT all_pages", "index the pages");
  if (Status s = db.exec("ROLLBACK TO SAVEPOINT all_pages", "index the pages"); !s.ok()) return s;
  Params small;
  small.int64(after_ms).int64(kSurelyFits);
  if (Result<PgResult> r = db.query(sql, small); !r.ok()) return r.status();
  Params large;
  large.int64(after_ms).int64(kSurelyFits);
  Result<PgResult> big = db.query("SELECT p.url_id, greatest(char_length(p.title), char_length(p.text)) FROM pages p "
                                  "WHERE " + std::string(kSearchable) +
                                  " AND octet_length(p.title) + octet_length(p.text) > $2 ORDER BY p.url_id",
                                  large);
  if (!big.ok()) return big.status();
  for (int i = 0; i < big->rows(); ++i) {
    if (Status s = index_page_prefix(db, big->int64(i, 0), big->int64(i, 1)); !s.ok()) return s;
  }
  return Status();
}

// Whether the index is up to date, read in one snapshot without any lock.
Result<bool> unchanged(PgConnection& db) {
  if (Status s = db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin a read"); !s.ok()) return s;
  Result<std::optional<IndexState>> state = read_state(db);
  const bool keep = state.ok() && usable(*state, kPgSearchIndexFormat);
  Result<PagesNow> now = keep ? read_pages_now(db, (*state)->max_fetched_at_ms) : Result<PagesNow>(PagesNow{});
  if (Status s = db.exec("COMMIT", "end a read"); !s.ok()) return s;
  if (!state.ok()) return state.status();
  if (!now.ok()) return now.status();
  return keep && plan_refresh(*state, kPgSearchIndexFormat, *now) == IndexRefresh::kUpToDate;
}

}  // namespace

Result<SearchIndexRefresh> PostgresCrawlStore::refresh_search_index() {
  if (Status s = writable(); !s.ok()) return s;
  // First without any lock: an unchanged database is the common case.
  Result<bool> same = unchanged(db_);
  if (!same.ok()) return same.status();
  if (*same) {
    Result<std::int64_t> total = db_.query_int64("SELECT pages FROM page_search_state WHERE id = 1");
    if (!total.ok()) return total.status();
    return SearchIndexRefresh{SearchIndexRefresh::Action::kUpToDate, 0, *total};
  }
  // The lock before the snapshot (LOCK TABLE takes none): two refreshes run
  // one after the other, and the second sees what the first committed. It
  // does not block readers, nor a crawl writing pages.
  if (Status s = db_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ; "
                          "LOCK TABLE page_search_state IN SHARE ROW EXCLUSIVE MODE",
                          "lock the search index");
      !s.ok()) {
    return s;
  }
  const auto fail = [&](Status s) {
    (void)db_.exec("ROLLBACK", "roll back the search index");
    return s;
  };
  Result<std::optional<IndexState>> state = read_state(db_);
  if (!state.ok()) return fail(state.status());
  Result<PagesNow> now = read_pages_now(db_, split_at(*state, kPgSearchIndexFormat));
  if (!now.ok()) return fail(now.status());
  SearchIndexRefresh done{SearchIndexRefresh::Action::kBuilt, now->pages, now->pages};
  const IndexRefresh plan = plan_refresh(*state, kPgSearchIndexFormat, *now);
  if (plan == IndexRefresh::kUpToDate) {
    if (Status s = db_.exec("COMMIT", "end the search index check"); !s.ok()) return s;
    return SearchIndexRefresh{SearchIndexRefresh::Action::kUpToDate, 0, now->pages};
  }
  if (plan == IndexRefresh::kAppendNewPages) {
    if (Status s = index_pages(db_, (*state)->max_fetched_at_ms); !s.ok()) return fail(s);
    done = SearchIndexRefresh{SearchIndexRefresh::Action::kUpdated, now->pages - now->old_pages, now->pages};
  } else {
    // DELETE, not TRUNCATE: searches on other connections keep the old
    // index until this commits instead of waiting for it.
    if (Status s = db_.exec("DELETE FROM page_search", "empty the search index"); !s.ok()) return fail(s);
    if (Status s = index_pages(db_, kNoPages); !s.ok()) return fail(s);
  }
  if (Status s = write_state(db_, *now); !s.ok()) return fail(s);
  if (Status s = db_.exec("COMMIT", "commit the search index"); !s.ok()) return s;
  return done;
}

Result<SearchResults> PostgresCrawlStore::search(const SearchQuery& query, std::size_t offset, std::size_t limit) {
  SearchPlan plan(query, offset, limit);  // serve's async reader runs the same plan
  if (Status s = run_plan(plan); !s.ok()) return s;
  return std::move(plan.value);
}

}  // namespace preheat::store::postgres
