// Full-text search over pages' titles and texts (docs/schema.md, "Serving:
// full-text search"): the FTS5 index `page_search` (external content over
// `pages`, derived data made by refresh_search_index(), never by a crawl),
// its freshness record `page_search_state`, and the ranked, paginated query.
// Bound parameters only; the user's words reach FTS5 as quoted strings
// (store/sqlite/fts5_query.h).
#include <chrono>
#include <limits>
#include <optional>
#include <utility>

#include "store/search_index_state.h"
#include "store/sqlite/fts5_query.h"
#include "store/sqlite/fts5_token_probe.h"
#include "store/sqlite/sqlite_crawl_store.h"

namespace preheat::store::sqlite {
namespace {

// Raise when the definition below changes: the next refresh drops and
// rebuilds the index.
// 2: the content is the view below (pages marked noindex left out).
constexpr std::int64_t kSearchIndexFormat = 2;

// What is searchable: every page but those whose robots directives say
// noindex (schema 3; crawl/robots_directives.h). A view as FTS5's external
// content: 'rebuild' reads it, snippet() and highlight() read its rows.
constexpr std::string_view kCreateSource =
    "CREATE VIEW IF NOT EXISTS page_search_source AS SELECT url_id, title, text FROM pages "
    "WHERE instr(robots, 'noindex') = 0";
constexpr std::string_view kCreateIndex =
    "CREATE VIRTUAL TABLE page_search USING fts5(title, text, content='page_search_source', content_rowid='url_id', "
    "tokenize='unicode61 remove_diacritics 2')";
constexpr std::string_view kCreateState =
    "CREATE TABLE IF NOT EXISTS page_search_state (id INTEGER PRIMARY KEY CHECK (id = 1), format INTEGER NOT NULL, "
    "pages INTEGER NOT NULL, fingerprint INTEGER NOT NULL, max_fetched_at_ms INTEGER NOT NULL, "
    "built_at_ms INTEGER NOT NULL) STRICT";

// Title weighted 10x the text in bm25: a page whose title has the words is
// about them; a text that mentions them may not be.
constexpr double kTitleWeight = 10.0;
constexpr int kSnippetTokens = 32;

Result<PagesNow> read_pages_now(Connection& db, std::int64_t indexed_until) {
  PagesNow now;
  Status s = for_each_row(
      db,
      "SELECT count(*), max(fetched_at_ms), sum(v), sum(fetched_at_ms <= ?1), "
      "sum(CASE WHEN fetched_at_ms <= ?1 THEN v ELSE 0 END) FROM (SELECT fetched_at_ms, "
      "(url_id * 1000003 + fetched_at_ms + coalesce(content_hash % 1000003, 0) + length(title)) % 2147483647 AS v "
      "FROM pages)",
      [&](Statement& st) { st.bind_int64(1, indexed_until); },
      [&](Statement& r) {
        now.pages = r.column_int64(0);
        now.max_fetched_at_ms = r.column_is_null(1) ? kNoPages : r.column_int64(1);
        now.fingerprint = r.column_int64(2);
        now.old_pages = r.column_int64(3);
        now.old_fingerprint = r.column_int64(4);
      });
  if (!s.ok()) return s;
  return now;
}

// The state row, none when the index or its state is missing.
Result<std::optional<IndexState>> read_state(Connection& db) {
  Result<std::int64_t> tables = db.query_int64(
      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('page_search', 'page_search_state')");
  if (!tables.ok()) return tables.status();
  if (*tables != 2) return std::optional<IndexState>();
  std::optional<IndexState> state;
  Status s = for_each_row(
      db, "SELECT format, pages, fingerprint, max_fetched_at_ms FROM page_search_state WHERE id = 1", [](Statement&) {},
      [&](Statement& r) {
        state = IndexState{r.column_int64(0), r.column_int64(1), r.column_int64(2), r.column_int64(3)};
      });
  if (!s.ok()) return s;
  return state;
}

Status write_state(Connection& db, const PagesNow& now) {
  Result<Statement> st = db.prepare(
      "INSERT OR REPLACE INTO page_search_state (id, format, pages, fingerprint, max_fetched_at_ms, built_at_ms) "
      "VALUES (1, ?1, ?2, ?3, ?4, ?5)");
  if (!st.ok()) return st.status();
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  st->bind_int64(1, kSearchIndexFormat).bind_int64(2, now.pages).bind_int64(3, now.fingerprint);
  st->bind_int64(4, now.max_fetched_at_ms).bind_int64(5, now_ms.count());
  return st->run();
}

// Drops and makes the index from every page (also a wrong format, or an
// index without its state).
Status build(Connection& db) {
  if (Status s = db.exec("DROP TABLE IF EXISTS page_search", "drop the search index"); !s.ok()) return s;
  if (Status s = db.exec(kCreateSource, "create the search source view"); !s.ok()) return s;
  if (Status s = db.exec(kCreateIndex, "create the search index"); !s.ok()) return s;
  if (Status s = db.exec(kCreateState, "create the search index state"); !s.ok()) return s;
  return db.exec("INSERT INTO page_search (page_search) VALUES ('rebuild')", "build the search index");
}

// The MATCH expression; invalid_argument when nothing is searchable.
Result<std::string> match_expression(const SearchQuery& query, Connection& db, std::unique_ptr<Fts5TokenProbe>& probe) {
  if (!probe) {
    Result<std::unique_ptr<Fts5TokenProbe>> made = Fts5TokenProbe::open(db);
    if (!made.ok()) return made.status();
    probe = std::move(*made);
  }
  const Fts5TokenProbe& p = *probe;
  std::string match = fts5_match_expression(query, [&p](std::string_view t) { return p.has_tokens(t); });
  if (match.empty()) {
    return Status::invalid_argument(query.clauses.empty() && !query.excluded.empty()
                                        ? "nothing to search for: add a word that pages must contain"
                                        : "nothing to search for: type words (letters or digits)");
  }
  return match;
}

// Errors of the search query, named for a person: no index (not_found), an
// FTS5 complaint about the expression (invalid_argument; the quoting makes it
// unreachable, this is the safety net), anything else as it is.
Status search_error(Connection& db, const Status& failed) {
  Result<std::int64_t> has_index =
      db.query_int64("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'page_search'");
  if (has_index.ok() && *has_index == 0) {
    return Status::not_found("the search index has not been built: start `preheat serve` once with write access to '" +
                             db.path() + "'");
  }
  if (failed.message().find("fts5: syntax error") != std::string::npos) {
    return Status::invalid_argument("the search engine could not read this query: " + failed.message());
  }
  return failed;
}

std::int64_t as_int64(std::size_t n) {
  return n > static_cast<std::size_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(n);
}

}  // namespace

Result<SearchIndexRefresh> SqliteCrawlStore::refresh_search_index() {
  if (Status s = writable(); !s.ok()) return s;
  // First without the write lock: an unchanged database is the common case,
  // and a crawl writing meanwhile should not wait for this read.
  {
    Result<Transaction> read = Transaction::begin(db_, Transaction::Kind::kRead);
    if (!read.ok()) return read.status();
    Result<std::optional<IndexState>> state = read_state(db_);
    if (!state.ok()) return state.status();
    if (usable(*state, kSearchIndexFormat)) {
      Result<PagesNow> now = read_pages_now(db_, split_at(*state, kSearchIndexFormat));
      if (!now.ok()) return now.status();
      if (plan_refresh(*state, kSearchIndexFormat, *now) == IndexRefresh::kUpToDate) {
        return SearchIndexRefresh{SearchIndexRefresh::Action::kUpToDate, 0, now->pages};
      }
    }
    if (Status s = read->commit(); !s.ok()) return s;
  }
  // Under the write lock: look again (a crawl may have written since), then
  // build, add the new pages, or find it done by someone else.
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kImmediate);
  if (!tx.ok()) return tx.status();
  Result<std::optional<IndexState>> state = read_state(db_);
  if (!state.ok()) return state.status();
  Result<PagesNow> now = read_pages_now(db_, split_at(*state, kSearchIndexFormat));
  if (!now.ok()) return now.status();
  SearchIndexRefresh done{SearchIndexRefresh::Action::kBuilt, now->pages, now->pages};
  const IndexRefresh plan = plan_refresh(*state, kSearchIndexFormat, *now);
  if (plan == IndexRefresh::kUpToDate) return SearchIndexRefresh{SearchIndexRefresh::Action::kUpToDate, 0, now->pages};
  if (plan == IndexRefresh::kAppendNewPages) {
    Result<Statement> add = db_.prepare(
        "INSERT INTO page_search (rowid, title, text) SELECT url_id, title, text FROM pages "
        "WHERE fetched_at_ms > ?1 AND instr(robots, 'noindex') = 0");
    if (!add.ok()) return add.status();
    add->bind_int64(1, (*state)->max_fetched_at_ms);
    if (Status s = add->run(); !s.ok()) return s;
    done = SearchIndexRefresh{SearchIndexRefresh::Action::kUpdated, now->pages - now->old_pages, now->pages};
  } else if (Status s = build(db_); !s.ok()) {
    return s;
  }
  if (Status s = write_state(db_, *now); !s.ok()) return s;
  if (Status s = tx->commit(); !s.ok()) return s;
  return done;
}

Result<SearchResults> SqliteCrawlStore::search(const SearchQuery& query, std::size_t offset, std::size_t limit) {
  Result<std::string> match = match_expression(query, db_, tokens_);
  if (!match.ok()) return match.status();
  SearchResults out;
  // One snapshot for the total and the slice.
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status();
  Status s = for_each_row(
      db_, "SELECT count(*) FROM page_search WHERE page_search MATCH ?1",
      [&](Statement& st) { st.bind_text(1, *match); }, [&](Statement& r) { out.total = r.column_int64(0); });
  if (!s.ok()) return search_error(db_, s);
  if (out.total == 0 || limit == 0 || offset >= static_cast<std::uint64_t>(out.total)) return out;
  const std::string begin(1, kMatchBegin);
  const std::string end(1, kMatchEnd);
  // The slice is chosen first (rank and rowid only), then highlighted: the
  // snippet is made for the rows shown, not for every match. The second pass
  // walks the matches once more and keeps the slice's rows (CROSS JOIN fixes
  // that order): looking each row up by rowid instead re-runs the match per
  // row, which for a prefix term means merging its doclists 20 times (40 ms
  // instead of 28 ms for a word on every one of 10,000 pages).
  s = for_each_row(
      db_,
      "WITH slice AS (SELECT rowid AS id, bm25(page_search, ?4, 1.0) AS score FROM page_search "
      "  WHERE page_search MATCH ?1 ORDER BY score, rowid LIMIT ?2 OFFSET ?3) "
      "SELECT u.url, p.title, highlight(page_search, 0, ?5, ?6), snippet(page_search, 1, ?5, ?6, '…', ?7), "
      "  p.status, p.error_class, p.content_type, p.bytes "
      "FROM page_search CROSS JOIN slice ON slice.id = page_search.rowid CROSS JOIN pages p ON p.url_id = slice.id "
      "CROSS JOIN urls u ON u.id = p.url_id WHERE page_search MATCH ?1 ORDER BY slice.score, slice.id",
      [&](Statement& st) {
        st.bind_text(1, *match).bind_int64(2, as_int64(limit)).bind_int64(3, as_int64(offset));
        st.bind_double(4, kTitleWeight).bind_text(5, begin).bind_text(6, end).bind_int64(7, kSnippetTokens);
      },
      [&](Statement& r) {
        SearchHit h;
        h.url = r.column_text(0);
        h.title = r.column_text(1);
        h.title_marked = r.column_text(2);
        h.snippet = r.column_text(3);
        h.status = static_cast<int>(r.column_int64(4));
        h.error_class = r.column_text(5);
        h.content_type = r.column_text(6);
        h.bytes = static_cast<std::uint64_t>(r.column_int64(7));
        out.hits.push_back(std::move(h));
      });
  if (!s.ok()) return search_error(db_, s);
  if (s = tx->commit(); !s.ok()) return s;
  return out;
}

}  // namespace preheat::store::sqlite
