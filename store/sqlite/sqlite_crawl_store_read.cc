// The reader side of SqliteCrawlStore (and the frontier scans the writer uses
// at start-up). Statements are prepared once per connection (for_each_row).
#include <string>
#include <utility>

#include "store/sqlite/sqlite_crawl_store.h"

namespace preheat::store::sqlite {
namespace {


template <class Row>
Status for_each_row(Connection& db, std::string_view sql, Row row) {
  return for_each_row(
      db, sql, [](Statement&) {}, std::move(row));
}

}  // namespace

PageRecord SqliteCrawlStore::read_page_columns(const Statement& r, int first, bool with_text) {
  const auto text = [&](int i) { return std::string(r.column_text(first + i)); };
  const auto integer = [&](int i) { return r.column_int64(first + i); };
  PageRecord p;
  p.url = text(0);
  p.final_url = text(1);
  p.depth = static_cast<int>(integer(2));
  p.status = static_cast<int>(integer(3));
  p.content_type = text(4);
  p.bytes = static_cast<std::uint64_t>(integer(5));
  p.wire_bytes = static_cast<std::uint64_t>(integer(6));
  p.fetched_at_ms = integer(7);
  p.elapsed_s = r.column_double(first + 8);
  p.title = text(9);
  p.description = text(10);
  p.canonical = text(11);
  p.language = text(12);
  if (!r.column_is_null(first + 13)) p.content_hash = static_cast<std::uint64_t>(integer(13));
  p.error_class = text(14);
  p.error_message = text(15);
  p.attempts = static_cast<int>(integer(16));
  p.etag = text(17);
  p.last_modified = text(18);
  p.robots = text(19);
  p.checked_at_ms = integer(20);
  p.not_modified = integer(21) != 0;
  if (with_text) p.text = text(22);
  return p;
}

Status SqliteCrawlStore::for_each_frontier_url(const std::function<void(std::string_view url)>& fn) {
  return for_each_row(db_, "SELECT u.url FROM frontier f JOIN urls u ON u.id = f.url_id",
                      [&](Statement& s) { fn(s.column_text(0)); });
}

Result<std::optional<std::int64_t>> SqliteCrawlStore::next_due_ms() {
  std::optional<std::int64_t> due;
  // min() over the partial index frontier_due (which covers next_due_ms).
  Status s = for_each_row(db_, "SELECT min(next_due_ms) FROM frontier WHERE state = 0", [&](Statement& st) {
    if (!st.column_is_null(0)) due = st.column_int64(0);
  });
  if (!s.ok()) return s;
  return due;
}

Result<std::vector<std::string>> SqliteCrawlStore::page_urls(std::optional<int> status) {
  std::vector<std::string> urls;
  const auto collect = [&](Statement& s) { urls.emplace_back(s.column_text(0)); };
  Status s =
      status ? for_each_row(
                   db_, "SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.status = ?1 ORDER BY u.url",
                   [&](Statement& st) { st.bind_int64(1, *status); }, collect)
             : for_each_row(db_, "SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id ORDER BY u.url", collect);
  if (!s.ok()) return s;
  return urls;
}

Result<std::int64_t> SqliteCrawlStore::page_count() {
  return db_.query_int64("SELECT count(*) FROM pages");
}

Result<CrawlStats> SqliteCrawlStore::stats() {
  CrawlStats st;
  // One snapshot for all the counts, even while a writer commits.
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status();
  const struct {
    std::int64_t* out;
    std::string_view sql;
  } counts[] = {
      {&st.urls, "SELECT count(*) FROM urls"},
      {&st.links, "SELECT count(*) FROM links"},
      {&st.redirects, "SELECT count(*) FROM redirects"},
  };
  for (const auto& c : counts) {
    Result<std::int64_t> n = db_.query_int64(c.sql);
    if (!n.ok()) return n.status();
    *c.out = *n;
  }
  Result<std::int64_t> runs = db_.query_int64("SELECT count(*) FROM runs");
  if (!runs.ok()) return runs.status();
  st.runs = static_cast<int>(*runs);

  Status s = for_each_row(db_,
                          "SELECT count(*), coalesce(sum(bytes), 0), coalesce(sum(wire_bytes), 0), "
                          "coalesce(min(fetched_at_ms), 0), coalesce(max(fetched_at_ms), 0) FROM pages",
                          [&](Statement& r) {
                            st.pages = r.column_int64(0);
                            st.bytes = r.column_int64(1);
                            st.wire_bytes = r.column_int64(2);
                            st.first_fetch_ms = r.column_int64(3);
                            st.last_fetch_ms = r.column_int64(4);
                          });
  if (!s.ok()) return s;
  s = for_each_row(db_, "SELECT state, count(*) FROM frontier GROUP BY state", [&](Statement& r) {
    st.frontier[static_cast<FrontierState>(r.column_int64(0))] = r.column_int64(1);
  });
  if (!s.ok()) return s;
  s = for_each_row(db_, "SELECT status / 100, count(*) FROM pages GROUP BY 1",
                   [&](Statement& r) { st.status_classes[static_cast<int>(r.column_int64(0))] = r.column_int64(1); });
  if (!s.ok()) return s;
  s = for_each_row(db_, "SELECT error_class, count(*) FROM pages WHERE error_class != '' GROUP BY 1",
                   [&](Statement& r) { st.errors[std::string(r.column_text(0))] = r.column_int64(1); });
  if (!s.ok()) return s;
  s = for_each_row(db_,
                   "SELECT substr(error_message, 1, instr(error_message, ':') - 1), count(*) FROM pages "
                   "WHERE error_class = 'trap' GROUP BY 1",
                   [&](Statement& r) { st.traps[std::string(r.column_text(0))] = r.column_int64(1); });
  if (!s.ok()) return s;
  s = for_each_row(db_, "SELECT depth, count(*) FROM pages GROUP BY depth",
                   [&](Statement& r) { st.depths[static_cast<int>(r.column_int64(0))] = r.column_int64(1); });
  if (!s.ok()) return s;
  // The host of a normalised URL ends at the first '/' after "http://" or
  // "https://" (a normalised URL always has a path): searched from character 9.
  s = for_each_row(db_,
                   "SELECT substr(u.url, 1, instr(substr(u.url, 9), '/') + 7) AS host, count(*), "
                   "sum(p.error_class != ''), sum(p.attempts), avg(p.elapsed_s), "
                   "max(p.error_class = 'host-failing') "
                   "FROM pages p JOIN urls u ON u.id = p.url_id GROUP BY 1 ORDER BY 1",
                   [&](Statement& r) {
                     st.hosts.push_back(HostStats{std::string(r.column_text(0)), r.column_int64(1),
                                                  r.column_int64(2), r.column_int64(3), r.column_double(4),
                                                  r.column_int64(5) != 0});
                   });
  if (!s.ok()) return s;
  if (s = tx->commit(); !s.ok()) return s;
  return st;
}

Result<std::optional<PageRecord>> SqliteCrawlStore::read_page(std::string_view url, bool with_text, UrlId* page_id) {
  static const std::string kColumns = "SELECT p.url_id, f.state, f.next_due_ms, " + std::string(kPageColumns);
  static const std::string kFrom =
      " FROM urls u JOIN pages p ON p.url_id = u.id JOIN urls fu ON fu.id = p.final_url_id "
      "LEFT JOIN frontier f ON f.url_id = p.url_id WHERE u.url = ?1";
  static const std::string kWith = kColumns + ", p.text" + kFrom;
  static const std::string kWithout = kColumns + kFrom;
  std::optional<PageRecord> page;
  Status s = for_each_row(
      db_, with_text ? kWith : kWithout, [&](Statement& st) { st.bind_text(1, url); },
      [&](Statement& r) {
        *page_id = r.column_int64(0);
        PageRecord p = read_page_columns(r, 3, with_text);
        p.state = r.column_is_null(1) ? FrontierState::kDone : static_cast<FrontierState>(r.column_int64(1));
        p.next_due_ms = r.column_int64(2);
        page = std::move(p);
      });
  if (!s.ok()) return s;
  if (!page) return page;
  s = for_each_row(
      db_,
      "SELECT fu.url, tu.url, r.status FROM redirects r JOIN urls fu ON fu.id = r.from_id "
      "JOIN urls tu ON tu.id = r.to_id WHERE r.page_id = ?1 ORDER BY r.hop",
      [&](Statement& st) { st.bind_int64(1, *page_id); },
      [&](Statement& r) {
        page->redirects.push_back(RedirectRecord{std::string(r.column_text(0)), std::string(r.column_text(1)),
                                                 static_cast<int>(r.column_int64(2))});
      });
  if (!s.ok()) return s;
  return page;
}

Result<std::optional<PageRecord>> SqliteCrawlStore::find_page(std::string_view url) {
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status();
  UrlId page_id = 0;
  Result<std::optional<PageRecord>> page = read_page(url, /*with_text=*/true, &page_id);
  if (!page.ok() || !page->has_value()) return page;
  Status s = for_each_row(
      db_,
      "SELECT u.url, l.anchor, l.rel, l.tag FROM links l JOIN urls u ON u.id = l.to_id "
      "WHERE l.from_id = ?1 ORDER BY l.seq",
      [&](Statement& st) { st.bind_int64(1, page_id); },
      [&](Statement& r) {
        (*page)->links.push_back(LinkRecord{std::string(r.column_text(0)), std::string(r.column_text(1)),
                                            std::string(r.column_text(2)), std::string(r.column_text(3))});
      });
  if (!s.ok()) return s;
  if (s = tx->commit(); !s.ok()) return s;
  return page;
}

}  // namespace preheat::store::sqlite
