// What `preheat export` (and serve's archive download) reads from
// SqliteCrawlStore: pages, bodies and links in key order, a page of rows per
// call. Each call is one statement, so one short read transaction: a long
// export never pins a snapshot (and the WAL) for its whole length, and a
// crawl may write meanwhile (rows committed between calls show up if their
// keys come later). Bound parameters only.
#include <utility>

#include "store/sqlite/sqlite_crawl_store.h"

namespace preheat::store::sqlite {

Result<std::vector<StoredPage>> SqliteCrawlStore::pages_after(UrlId after_id, std::size_t limit) {
  std::vector<StoredPage> out;
  const std::string sql = "SELECT p.url_id, " + std::string(kPageColumns) +
                          ", p.text FROM pages p JOIN urls u ON u.id = p.url_id JOIN urls fu ON fu.id = p.final_url_id "
                          "WHERE p.url_id > ?1 ORDER BY p.url_id LIMIT ?2";
  Status s = for_each_row(
      db_, sql,
      [&](Statement& st) {
        st.bind_int64(1, after_id);
        st.bind_int64(2, sql_limit(limit));
      },
      [&](Statement& r) { out.push_back(StoredPage{r.column_int64(0), read_page_columns(r, 1, /*with_text=*/true)}); });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<StoredBody>> SqliteCrawlStore::bodies_after(UrlId after_id, std::size_t limit,
                                                               std::size_t max_bytes) {
  std::vector<StoredBody> out;
  std::size_t bytes = 0;
  Result<Statement> stmt = db_.prepare(
      "SELECT b.page_id, u.url, fu.url, p.status, p.fetched_at_ms, b.request_block, b.response_block, b.body "
      "FROM bodies b JOIN pages p ON p.url_id = b.page_id JOIN urls u ON u.id = p.url_id "
      "JOIN urls fu ON fu.id = p.final_url_id WHERE b.page_id > ?1 ORDER BY b.page_id LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  stmt->bind_int64(1, after_id).bind_int64(2, sql_limit(limit));
  ResetOnExit reset(*stmt);
  while (out.empty() || bytes < max_bytes) {
    Result<bool> row = stmt->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    StoredBody b;
    b.page_id = stmt->column_int64(0);
    b.url = stmt->column_text(1);
    b.final_url = stmt->column_text(2);
    b.status = static_cast<int>(stmt->column_int64(3));
    b.fetched_at_ms = stmt->column_int64(4);
    b.request_block = stmt->column_blob(5);
    b.response_block = stmt->column_blob(6);
    b.body = stmt->column_blob(7);
    bytes += b.body.size() + b.response_block.size() + b.request_block.size();
    out.push_back(std::move(b));
  }
  return out;
}

Result<std::vector<LinkExport>> SqliteCrawlStore::links_after(UrlId from_id, std::int64_t seq, std::size_t limit) {
  std::vector<LinkExport> out;
  // The row value comparison walks the links primary key from (from_id, seq).
  Status s = for_each_row(
      db_,
      "SELECT l.from_id, l.seq, fu.url, tu.url, l.anchor, l.rel, l.tag, p.status, p.error_class FROM links l "
      "JOIN urls fu ON fu.id = l.from_id JOIN urls tu ON tu.id = l.to_id LEFT JOIN pages p ON p.url_id = l.to_id "
      "WHERE (l.from_id, l.seq) > (?1, ?2) ORDER BY l.from_id, l.seq LIMIT ?3",
      [&](Statement& st) {
        st.bind_int64(1, from_id);
        st.bind_int64(2, seq);
        st.bind_int64(3, sql_limit(limit));
      },
      [&](Statement& r) {
        LinkExport l;
        l.from_id = r.column_int64(0);
        l.seq = r.column_int64(1);
        l.from_url = r.column_text(2);
        l.to_url = r.column_text(3);
        l.anchor = r.column_text(4);
        l.rel = r.column_text(5);
        l.tag = r.column_text(6);
        if (!r.column_is_null(7)) {
          l.target_status = static_cast<int>(r.column_int64(7));
          l.target_error = r.column_text(8);
        }
        out.push_back(std::move(l));
      });
  if (!s.ok()) return s;
  return out;
}

Result<BodyCounts> SqliteCrawlStore::body_counts() {
  BodyCounts c;
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status();
  Result<std::int64_t> pages = db_.query_int64("SELECT count(*) FROM pages");
  if (!pages.ok()) return pages.status();
  c.pages = *pages;
  Result<std::int64_t> bodies = db_.query_int64("SELECT count(*) FROM bodies");
  if (!bodies.ok()) return bodies.status();
  c.bodies = *bodies;
  // A redirected page's response is stored on its final URL's row.
  Result<std::int64_t> missing = db_.query_int64(
      "SELECT count(*) FROM pages p WHERE p.status > 0 "
      "AND NOT EXISTS (SELECT 1 FROM bodies b WHERE b.page_id = p.url_id) "
      "AND NOT EXISTS (SELECT 1 FROM bodies b WHERE b.page_id = p.final_url_id)");
  if (!missing.ok()) return missing.status();
  c.answered_without_body = *missing;
  if (Status s = tx->commit(); !s.ok()) return s;
  return c;
}

}  // namespace preheat::store::sqlite
