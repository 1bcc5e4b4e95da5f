// The reader side of PostgresCrawlStore: the frontier scans the writer uses
// at start-up, what `preheat urls`, `stats` and `export` read. Reads that
// need one snapshot run in a REPEATABLE READ transaction; export calls are
// one statement each (a long export never holds a snapshot open).
#include <utility>

#include "store/postgres/postgres_crawl_store.h"
#include "store/postgres/postgres_write_programs.h"

namespace preheat::store::postgres {
Status PostgresCrawlStore::begin_read() {
  return db_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin a read");
}

Status PostgresCrawlStore::end_read() {
  return db_.exec("COMMIT", "end a read");
}

Status PostgresCrawlStore::for_each_frontier_url(const std::function<void(std::string_view url)>& fn) {
  // Streamed row by row: a frontier of millions never sits in memory twice.
  return db_.for_each_row("SELECT u.url FROM frontier f JOIN urls u ON u.id = f.url_id", {},
                          [&](const PgResult& r) { fn(r.text(0, 0)); });
}

Result<std::optional<std::int64_t>> PostgresCrawlStore::next_due_ms() {
  NextDueProgram program;
  if (Status s = run_program(db_, program); !s.ok()) return s;
  return program.value;
}

Result<std::vector<std::string>> PostgresCrawlStore::page_urls(std::optional<int> status) {
  std::vector<std::string> urls;
  Params p;
  if (status) p.int64(*status);
  // urls.url is COLLATE "C": byte order, as SQLite sorts.
  Status s = db_.for_each_row(status ? "SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id "
                                       "WHERE p.status = $1 ORDER BY u.url"
                                     : "SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id ORDER BY u.url",
                              p, [&](const PgResult& r) { urls.emplace_back(r.text(0, 0)); });
  if (!s.ok()) return s;
  return urls;
}

Result<std::int64_t> PostgresCrawlStore::page_count() {
  return db_.query_int64("SELECT count(*) FROM pages");
}

Result<CrawlStats> PostgresCrawlStore::stats() {
  StatsPlan plan;
  if (Status s = run_plan(plan); !s.ok()) return s;
  return std::move(plan.value);
}

Result<std::optional<PageRecord>> PostgresCrawlStore::find_page(std::string_view url) {
  PagePlan plan(url, /*with_text=*/true, /*links_limit=*/0);
  if (Status s = run_plan(plan); !s.ok()) return s;
  if (!plan.value) return std::optional<PageRecord>();
  return std::optional<PageRecord>(std::move(plan.value->page));
}

Result<std::vector<StoredPage>> PostgresCrawlStore::pages_after(UrlId after_id, std::size_t limit) {
  std::vector<StoredPage> out;
  Params p;
  p.int64(after_id).int64(sql_limit(limit));
  Result<PgResult> r = db_.query("SELECT p.url_id, " + std::string(kPageColumns) +
                                     ", p.text FROM pages p JOIN urls u ON u.id = p.url_id "
                                     "JOIN urls fu ON fu.id = p.final_url_id WHERE p.url_id > $1 ORDER BY p.url_id LIMIT $2",
                                 p);
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) out.push_back(StoredPage{r->int64(i, 0), read_page_columns(*r, i, 1, true)});
  return out;
}

Result<std::vector<StoredBody>> PostgresCrawlStore::bodies_after(UrlId after_id, std::size_t limit,
                                                                 std::size_t max_bytes) {
  BodiesAfterPlan plan(after_id, limit, max_bytes);
  if (Status s = run_plan(plan); !s.ok()) return s;
  return std::move(plan.value);
}

Result<std::vector<LinkExport>> PostgresCrawlStore::links_after(UrlId from_id, std::int64_t seq, std::size_t limit) {
  std::vector<LinkExport> out;
  Params p;
  p.int64(from_id).int64(seq).int64(sql_limit(limit));
  Result<PgResult> r = db_.query(
      "SELECT l.from_id, l.seq, fu.url, tu.url, l.anchor, l.rel, l.tag, p.status, p.error_class FROM links l "
      "JOIN urls fu ON fu.id = l.from_id JOIN urls tu ON tu.id = l.to_id LEFT JOIN pages p ON p.url_id = l.to_id "
      "WHERE (l.from_id, l.seq) > ($1, $2) ORDER BY l.from_id, l.seq LIMIT $3",
      p);
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    LinkExport l;
    l.from_id = r->int64(i, 0);
    l.seq = r->int64(i, 1);
    l.from_url = r->text(i, 2);
    l.to_url = r->text(i, 3);
    l.anchor = r->text(i, 4);
    l.rel = r->text(i, 5);
    l.tag = r->text(i, 6);
    if (!r->is_null(i, 7)) {
      l.target_status = static_cast<int>(r->int64(i, 7));
      l.target_error = r->text(i, 8);
    }
    out.push_back(std::move(l));
  }
  return out;
}

Result<BodyCounts> PostgresCrawlStore::body_counts() {
  // A redirected page's response is stored on its final URL's row.
  Result<PgResult> r = db_.query(
      "SELECT (SELECT count(*) FROM pages), (SELECT count(*) FROM bodies), "
      "(SELECT count(*) FROM pages p WHERE p.status > 0 "
      "AND NOT EXISTS (SELECT 1 FROM bodies b WHERE b.page_id = p.url_id) "
      "AND NOT EXISTS (SELECT 1 FROM bodies b WHERE b.page_id = p.final_url_id))");
  if (!r.ok()) return r.status();
  return BodyCounts{r->int64(0, 0), r->int64(0, 1), r->int64(0, 2)};
}

}  // namespace preheat::store::postgres
