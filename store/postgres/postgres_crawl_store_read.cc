// The reader side of PostgresCrawlStore: the frontier scans the writer uses
// at start-up, what `preheat urls`, `stats` and `export` read. Reads that
// need one snapshot run in a REPEATABLE READ transaction; export calls are
// one statement each (a long export never holds a snapshot open).
#include <utility>

#include "store/postgres/postgres_crawl_store.h"

namespace preheat::store::postgres {
namespace {

std::int64_t sql_limit(std::size_t n) {
  return static_cast<std::int64_t>(std::min<std::size_t>(n, std::size_t{1} << 62));
}

}  // namespace

PageRecord PostgresCrawlStore::read_page_columns(const PgResult& r, int row, int first, bool with_text) {
  const auto text = [&](int i) { return std::string(r.text(row, first + i)); };
  const auto integer = [&](int i) { return r.int64(row, first + i); };
  PageRecord p;
  p.url = text(0);
  p.final_url = text(1);
  p.depth = static_cast<int>(integer(2));
  p.status = static_cast<int>(integer(3));
  p.content_type = text(4);
  p.bytes = static_cast<std::uint64_t>(integer(5));
  p.wire_bytes = static_cast<std::uint64_t>(integer(6));
  p.fetched_at_ms = integer(7);
  p.elapsed_s = r.real(row, first + 8);
  p.title = text(9);
  p.description = text(10);
  p.canonical = text(11);
  p.language = text(12);
  if (!r.is_null(row, first + 13)) p.content_hash = static_cast<std::uint64_t>(integer(13));
  p.error_class = text(14);
  p.error_message = text(15);
  p.attempts = static_cast<int>(integer(16));
  p.etag = text(17);
  p.last_modified = text(18);
  p.robots = text(19);
  p.checked_at_ms = integer(20);
  p.not_modified = r.boolean(row, first + 21);
  if (with_text) p.text = text(22);
  return p;
}

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
  Result<PgResult> r = db_.query("SELECT min(next_due_ms) FROM frontier WHERE state = 0");
  if (!r.ok()) return r.status();
  if (r->is_null(0, 0)) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(r->int64(0, 0));
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
  CrawlStats st;
  if (Status s = begin_read(); !s.ok()) return s;
  const auto fail = [&](Status s) {
    (void)db_.exec("ROLLBACK", "end a read");
    return s;
  };
  Result<PgResult> counts = db_.query(
      "SELECT (SELECT count(*) FROM urls), (SELECT count(*) FROM links), (SELECT count(*) FROM redirects), "
      "(SELECT count(*) FROM runs), count(*), coalesce(sum(bytes), 0), coalesce(sum(wire_bytes), 0), "
      "coalesce(min(fetched_at_ms), 0), coalesce(max(fetched_at_ms), 0) FROM pages");
  if (!counts.ok()) return fail(counts.status());
  st.urls = counts->int64(0, 0);
  st.links = counts->int64(0, 1);
  st.redirects = counts->int64(0, 2);
  st.runs = static_cast<int>(counts->int64(0, 3));
  st.pages = counts->int64(0, 4);
  st.bytes = counts->int64(0, 5);
  st.wire_bytes = counts->int64(0, 6);
  st.first_fetch_ms = counts->int64(0, 7);
  st.last_fetch_ms = counts->int64(0, 8);
  const auto group = [&](std::string_view sql, const std::function<void(const PgResult&, int)>& row) -> Status {
    Result<PgResult> r = db_.query(sql);
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->rows(); ++i) row(*r, i);
    return Status();
  };
  Status s = group("SELECT state, count(*) FROM frontier GROUP BY state", [&](const PgResult& r, int i) {
    st.frontier[static_cast<FrontierState>(r.int64(i, 0))] = r.int64(i, 1);
  });
  if (s.ok()) {
    s = group("SELECT status / 100, count(*) FROM pages GROUP BY 1",
              [&](const PgResult& r, int i) { st.status_classes[static_cast<int>(r.int64(i, 0))] = r.int64(i, 1); });
  }
  if (s.ok()) {
    s = group("SELECT error_class, count(*) FROM pages WHERE error_class <> '' GROUP BY 1",
              [&](const PgResult& r, int i) { st.errors[std::string(r.text(i, 0))] = r.int64(i, 1); });
  }
  if (s.ok()) {
    // The rule is the error message up to its first ':' ('' without one, as SQLite's substr gives).
    s = group("SELECT CASE WHEN strpos(error_message, ':') > 0 "
              "THEN substr(error_message, 1, strpos(error_message, ':') - 1) ELSE '' END, count(*) FROM pages "
              "WHERE error_class = 'trap' GROUP BY 1",
              [&](const PgResult& r, int i) { st.traps[std::string(r.text(i, 0))] = r.int64(i, 1); });
  }
  if (s.ok()) {
    s = group("SELECT depth, count(*) FROM pages GROUP BY depth",
              [&](const PgResult& r, int i) { st.depths[static_cast<int>(r.int64(i, 0))] = r.int64(i, 1); });
  }
  if (s.ok()) {
    // The host of a normalised URL ends at the first '/' after the scheme (see the SQLite store).
    s = group("SELECT substr(u.url, 1, strpos(substr(u.url, 9), '/') + 7) AS host, count(*), "
              "count(*) FILTER (WHERE p.error_class <> ''), sum(p.attempts), avg(p.elapsed_s), "
              "bool_or(p.error_class = 'host-failing') "
              "FROM pages p JOIN urls u ON u.id = p.url_id GROUP BY 1 ORDER BY 1",
              [&](const PgResult& r, int i) {
                st.hosts.push_back(HostStats{std::string(r.text(i, 0)), r.int64(i, 1), r.int64(i, 2), r.int64(i, 3),
                                             r.real(i, 4), r.boolean(i, 5)});
              });
  }
  if (!s.ok()) return fail(s);
  if (s = end_read(); !s.ok()) return s;
  return st;
}

Result<std::optional<PageRecord>> PostgresCrawlStore::find_page(std::string_view url) {
  if (Status s = begin_read(); !s.ok()) return s;
  const auto fail = [&](Status s) {
    (void)db_.exec("ROLLBACK", "end a read");
    return s;
  };
  Params p;
  p.text(url);
  Result<PgResult> r = db_.query("SELECT p.url_id, f.state, f.next_due_ms, " + std::string(kPageColumns) +
                                     ", p.text FROM urls u JOIN pages p ON p.url_id = u.id "
                                     "JOIN urls fu ON fu.id = p.final_url_id LEFT JOIN frontier f ON f.url_id = p.url_id "
                                     "WHERE md5(u.url) = md5($1) AND u.url = $1",
                                 p);
  if (!r.ok()) return fail(r.status());
  if (r->rows() == 0) {
    if (Status s = end_read(); !s.ok()) return s;
    return std::optional<PageRecord>();
  }
  PageRecord page = read_page_columns(*r, 0, 3, /*with_text=*/true);
  page.state = r->is_null(0, 1) ? FrontierState::kDone : static_cast<FrontierState>(r->int64(0, 1));
  page.next_due_ms = r->int64(0, 2);
  Params id;
  id.int64(r->int64(0, 0));
  Result<PgResult> red = db_.query(
      "SELECT fu.url, tu.url, r.status FROM redirects r JOIN urls fu ON fu.id = r.from_id "
      "JOIN urls tu ON tu.id = r.to_id WHERE r.page_id = $1 ORDER BY r.hop",
      id);
  if (!red.ok()) return fail(red.status());
  for (int i = 0; i < red->rows(); ++i) {
    page.redirects.push_back(
        RedirectRecord{std::string(red->text(i, 0)), std::string(red->text(i, 1)), static_cast<int>(red->int64(i, 2))});
  }
  Result<PgResult> links = db_.query(
      "SELECT u.url, l.anchor, l.rel, l.tag FROM links l JOIN urls u ON u.id = l.to_id WHERE l.from_id = $1 "
      "ORDER BY l.seq",
      id);
  if (!links.ok()) return fail(links.status());
  for (int i = 0; i < links->rows(); ++i) {
    page.links.push_back(LinkRecord{std::string(links->text(i, 0)), std::string(links->text(i, 1)),
                                    std::string(links->text(i, 2)), std::string(links->text(i, 3))});
  }
  if (Status s = end_read(); !s.ok()) return s;
  return std::optional<PageRecord>(std::move(page));
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
  std::vector<StoredBody> out;
  std::size_t bytes = 0;
  Params p;
  p.int64(after_id).int64(sql_limit(limit));
  // Rows are streamed, so that reading stops at max_bytes; binary results
  // carry the BYTEA columns as they are (int columns as 8-byte BIGINTs).
  Status s = db_.for_each_row(
      "SELECT b.page_id, u.url, fu.url, p.status::bigint, p.fetched_at_ms, b.request_block, b.response_block, b.body "
      "FROM bodies b JOIN pages p ON p.url_id = b.page_id JOIN urls u ON u.id = p.url_id "
      "JOIN urls fu ON fu.id = p.final_url_id WHERE b.page_id > $1 ORDER BY b.page_id LIMIT $2",
      p,
      [&](const PgResult& r) {
        if (!out.empty() && bytes >= max_bytes) return;
        StoredBody b;
        b.page_id = r.int64(0, 0);
        b.url = r.text(0, 1);
        b.final_url = r.text(0, 2);
        b.status = static_cast<int>(r.int64(0, 3));
        b.fetched_at_ms = r.int64(0, 4);
        b.request_block = r.bytea(0, 5);
        b.response_block = r.bytea(0, 6);
        b.body = r.bytea(0, 7);
        bytes += b.body.size() + b.response_block.size() + b.request_block.size();
        out.push_back(std::move(b));
      });
  if (!s.ok()) return s;
  return out;
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
