// What `preheat serve` reads from SqliteCrawlStore: links with their
// targets' status, in-links, broken targets; and the index in-links need
// (docs/schema.md, "Serving"). Statements are prepared once per connection
// (for_each_row: Connection::cached), bound parameters only.
#include <algorithm>
#include <string>
#include <utility>

#include "store/sqlite/sqlite_crawl_store.h"

namespace preheat::store::sqlite {

// links_in covers the in-links query (to_id, then the table's key in order,
// then the anchor): an in-link is read from the index alone, without a seek
// into the links table for its anchor. It replaces links_to (to_id only),
// which earlier builds made: made first, so that a crash in between leaves
// two indexes, never none.
Status SqliteCrawlStore::ensure_serving_indexes() {
  if (Status s = writable(); !s.ok()) return s;
  if (Status s = db_.exec("CREATE INDEX IF NOT EXISTS links_in ON links (to_id, from_id, seq, anchor)",
                          "create index links_in");
      !s.ok()) {
    return s;
  }
  return db_.exec("DROP INDEX IF EXISTS links_to", "drop index links_to");
}

Result<std::optional<UrlId>> SqliteCrawlStore::find_url_id(std::string_view url) {
  std::optional<UrlId> id;
  Status s = for_each_row(
      db_, "SELECT id FROM urls WHERE url = ?1", [&](Statement& st) { st.bind_text(1, url); },
      [&](Statement& r) { id = r.column_int64(0); });
  if (!s.ok()) return s;
  return id;
}

Result<std::vector<LinkView>> SqliteCrawlStore::out_links(std::string_view url, std::size_t limit) {
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kRead);  // the id and its links: one snapshot
  if (!tx.ok()) return tx.status();
  Result<std::optional<UrlId>> id = find_url_id(url);
  if (!id.ok()) return id.status();
  if (!*id) return std::vector<LinkView>();
  Result<std::vector<LinkView>> links = out_links_of(**id, limit);
  if (!links.ok()) return links;
  if (Status s = tx->commit(); !s.ok()) return s;
  return links;
}

Result<std::vector<InLink>> SqliteCrawlStore::in_links(std::string_view url, std::size_t limit) {
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kRead);  // the id and its links: one snapshot
  if (!tx.ok()) return tx.status();
  Result<std::optional<UrlId>> id = find_url_id(url);
  if (!id.ok()) return id.status();
  if (!*id) return std::vector<InLink>();
  Result<std::vector<InLink>> links = in_links_of(**id, limit);
  if (!links.ok()) return links;
  if (Status s = tx->commit(); !s.ok()) return s;
  return links;
}

Result<std::vector<LinkView>> SqliteCrawlStore::out_links_of(UrlId from, std::size_t limit) {
  std::vector<LinkView> links;
  Status s = for_each_row(
      db_,
      "SELECT tu.url, l.anchor, l.rel, l.tag, p.status, p.error_class FROM links l "
      "JOIN urls tu ON tu.id = l.to_id LEFT JOIN pages p ON p.url_id = l.to_id "
      "WHERE l.from_id = ?1 ORDER BY l.seq LIMIT ?2",
      [&](Statement& st) {
        st.bind_int64(1, from);
        st.bind_int64(2, sql_limit(limit));
      },
      [&](Statement& r) {
        LinkView& v = links.emplace_back();
        v.url = r.column_text(0);
        v.anchor = r.column_text(1);
        v.rel = r.column_text(2);
        v.tag = r.column_text(3);
        if (!r.column_is_null(4)) {
          v.status = static_cast<int>(r.column_int64(4));
          v.error_class = r.column_text(5);
        }
      });
  if (!s.ok()) return s;
  return links;
}

Result<std::vector<InLink>> SqliteCrawlStore::in_links_of(UrlId to, std::size_t limit) {
  // One row per linking page (its first link here), in the order of the
  // links_in index (which holds the anchor too: no seek into links per
  // row); the `limit` smallest URLs are kept here in a heap. An
  // ORDER BY on the URL made SQLite open a temporary b-tree for every call:
  // a third of /api/page's instructions for a page with 7 in-links.
  std::vector<InLink> links;
  const auto by_url = [](const InLink& a, const InLink& b) { return a.from_url < b.from_url; };
  Status s = for_each_row(
      db_,
      "SELECT fu.url, min(l.seq), l.anchor, p.status FROM links l "
      "JOIN urls fu ON fu.id = l.from_id LEFT JOIN pages p ON p.url_id = l.from_id "
      "WHERE l.to_id = ?1 GROUP BY l.from_id ORDER BY l.from_id",
      [&](Statement& st) { st.bind_int64(1, to); },
      [&](Statement& r) {
        if (limit == 0) return;
        const std::string_view url = r.column_text(0);
        if (links.size() == limit && url >= links.front().from_url) return;  // the front is the largest kept
        links.push_back(InLink{std::string(url), std::string(r.column_text(2)), static_cast<int>(r.column_int64(3))});
        std::push_heap(links.begin(), links.end(), by_url);
        if (links.size() > limit) {
          std::pop_heap(links.begin(), links.end(), by_url);
          links.pop_back();
        }
      });
  if (!s.ok()) return s;
  std::sort_heap(links.begin(), links.end(), by_url);
  return links;
}

Result<std::optional<PageView>> SqliteCrawlStore::page_view(std::string_view url, std::size_t limit) {
  // One snapshot (one WAL read lock) for the page, its out-links and in-links.
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status();
  UrlId id = 0;
  Result<std::optional<PageRecord>> page = read_page(url, /*with_text=*/false, &id);
  if (!page.ok()) return page.status();
  if (!page->has_value()) return std::optional<PageView>();
  Result<std::vector<LinkView>> out = out_links_of(id, limit);
  if (!out.ok()) return out.status();
  Result<std::vector<InLink>> in = in_links_of(id, limit);
  if (!in.ok()) return in.status();
  if (Status s = tx->commit(); !s.ok()) return s;
  return std::optional<PageView>(PageView{std::move(**page), std::move(*out), std::move(*in)});
}

Result<std::vector<BrokenTarget>> SqliteCrawlStore::broken_targets(std::size_t limit,
                                                                  std::size_t referrers_per_target) {
  std::vector<BrokenTarget> out;
  std::vector<std::int64_t> ids;
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status();
  Status s = for_each_row(
      db_,
      "SELECT p.url_id, u.url, p.status, p.error_class, p.error_message, "
      "(SELECT count(*) FROM links l WHERE l.to_id = p.url_id) AS refs "
      "FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.status >= 400 OR p.error_class != '' "
      "ORDER BY refs DESC, u.url LIMIT ?1",
      [&](Statement& st) { st.bind_int64(1, sql_limit(limit)); },
      [&](Statement& r) {
        ids.push_back(r.column_int64(0));
        BrokenTarget t;
        t.url = r.column_text(1);
        t.status = static_cast<int>(r.column_int64(2));
        t.error_class = r.column_text(3);
        t.error_message = r.column_text(4);
        t.referrers = r.column_int64(5);
        out.push_back(std::move(t));
      });
  if (!s.ok()) return s;
  for (std::size_t i = 0; i < out.size() && referrers_per_target > 0; ++i) {
    s = for_each_row(
        db_,
        "SELECT DISTINCT fu.url FROM links l JOIN urls fu ON fu.id = l.from_id WHERE l.to_id = ?1 "
        "ORDER BY fu.url LIMIT ?2",
        [&](Statement& st) {
          st.bind_int64(1, ids[i]);
          st.bind_int64(2, sql_limit(referrers_per_target));
        },
        [&](Statement& r) { out[i].sample_referrers.emplace_back(r.column_text(0)); });
    if (!s.ok()) return s;
  }
  if (s = tx->commit(); !s.ok()) return s;
  return out;
}

}  // namespace preheat::store::sqlite
