// What `preheat serve` reads from PostgresCrawlStore: links with their
// targets' status, in-links, broken targets, runs and timelines; the index
// in-links need. The SQLite store's queries (sqlite_crawl_store_serve.cc,
// _runs.cc) in PostgreSQL's dialect. Search: postgres_crawl_store_search.cc.
#include <algorithm>
#include <string>
#include <utility>

#include "store/postgres/postgres_crawl_store.h"

namespace preheat::store::postgres {
namespace {

std::int64_t sql_limit(std::size_t n) {
  return static_cast<std::int64_t>(std::min<std::size_t>(n, std::size_t{1} << 62));
}

constexpr std::string_view kRunColumns =
    "SELECT r.id, r.started_at_ms, coalesce(r.ended_at_ms, 0), r.mode, r.seeds, coalesce(r.outcome, ''), "
    "coalesce(r.wall_s, 0), coalesce(r.execution_s, 0), "
    "(SELECT count(*) FROM pages p WHERE p.run_id = r.id) FROM runs r ";

RunSummary run_from(const PgResult& r, int i) {
  return RunSummary{r.int64(i, 0),           r.int64(i, 1), r.int64(i, 2), std::string(r.text(i, 3)),
                    std::string(r.text(i, 4)), std::string(r.text(i, 5)), r.real(i, 6), r.real(i, 7),
                    r.int64(i, 8)};
}

}  // namespace

Status PostgresCrawlStore::ensure_serving_indexes() {
  if (Status s = writable(); !s.ok()) return s;
  return db_.exec("CREATE INDEX IF NOT EXISTS links_to ON links (to_id)", "create index links_to");
}

Result<std::optional<UrlId>> PostgresCrawlStore::find_url_id(std::string_view url) {
  Params p;
  p.text(url);
  Result<PgResult> r = db_.query("SELECT id FROM urls WHERE md5(url) = md5($1) AND url = $1", p);
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<UrlId>();
  return std::optional<UrlId>(r->int64(0, 0));
}

Result<std::vector<LinkView>> PostgresCrawlStore::out_links(std::string_view url, std::size_t limit) {
  Params p;
  p.text(url).int64(sql_limit(limit));
  Result<PgResult> r = db_.query(
      "SELECT tu.url, l.anchor, l.rel, l.tag, p.status, p.error_class FROM urls fu "
      "JOIN links l ON l.from_id = fu.id JOIN urls tu ON tu.id = l.to_id LEFT JOIN pages p ON p.url_id = l.to_id "
      "WHERE md5(fu.url) = md5($1) AND fu.url = $1 ORDER BY l.seq LIMIT $2",
      p);
  if (!r.ok()) return r.status();
  std::vector<LinkView> links;
  for (int i = 0; i < r->rows(); ++i) {
    LinkView& v = links.emplace_back();
    v.url = r->text(i, 0);
    v.anchor = r->text(i, 1);
    v.rel = r->text(i, 2);
    v.tag = r->text(i, 3);
    if (!r->is_null(i, 4)) {
      v.status = static_cast<int>(r->int64(i, 4));
      v.error_class = r->text(i, 5);
    }
  }
  return links;
}

Result<std::vector<InLink>> PostgresCrawlStore::in_links(std::string_view url, std::size_t limit) {
  // One row per linking page (its first link to `url`), sorted by its URL.
  Params p;
  p.text(url).int64(sql_limit(limit));
  Result<PgResult> r = db_.query(
      "SELECT from_url, anchor, status FROM (SELECT DISTINCT ON (l.from_id) fu.url AS from_url, l.anchor, "
      "coalesce(p.status, 0) AS status FROM urls tu JOIN links l ON l.to_id = tu.id JOIN urls fu ON fu.id = l.from_id "
      "LEFT JOIN pages p ON p.url_id = l.from_id WHERE md5(tu.url) = md5($1) AND tu.url = $1 "
      "ORDER BY l.from_id, l.seq) x ORDER BY from_url LIMIT $2",
      p);
  if (!r.ok()) return r.status();
  std::vector<InLink> links;
  for (int i = 0; i < r->rows(); ++i) {
    links.push_back(InLink{std::string(r->text(i, 0)), std::string(r->text(i, 1)), static_cast<int>(r->int64(i, 2))});
  }
  return links;
}

Result<std::vector<BrokenTarget>> PostgresCrawlStore::broken_targets(std::size_t limit,
                                                                     std::size_t referrers_per_target) {
  if (Status s = begin_read(); !s.ok()) return s;
  const auto fail = [&](Status s) {
    (void)db_.exec("ROLLBACK", "end a read");
    return s;
  };
  Params p;
  p.int64(sql_limit(limit));
  Result<PgResult> r = db_.query(
      "SELECT p.url_id, u.url, p.status, p.error_class, p.error_message, "
      "(SELECT count(*) FROM links l WHERE l.to_id = p.url_id) AS refs "
      "FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.status >= 400 OR p.error_class <> '' "
      "ORDER BY refs DESC, u.url LIMIT $1",
      p);
  if (!r.ok()) return fail(r.status());
  std::vector<BrokenTarget> out;
  for (int i = 0; i < r->rows(); ++i) {
    BrokenTarget t;
    t.url = r->text(i, 1);
    t.status = static_cast<int>(r->int64(i, 2));
    t.error_class = r->text(i, 3);
    t.error_message = r->text(i, 4);
    t.referrers = r->int64(i, 5);
    if (referrers_per_target > 0) {
      Params q;
      q.int64(r->int64(i, 0)).int64(sql_limit(referrers_per_target));
      Result<PgResult> refs = db_.query(
          "SELECT DISTINCT fu.url FROM links l JOIN urls fu ON fu.id = l.from_id WHERE l.to_id = $1 "
          "ORDER BY fu.url LIMIT $2",
          q);
      if (!refs.ok()) return fail(refs.status());
      for (int j = 0; j < refs->rows(); ++j) t.sample_referrers.emplace_back(refs->text(j, 0));
    }
    out.push_back(std::move(t));
  }
  if (Status s = end_read(); !s.ok()) return s;
  return out;
}

Result<std::vector<RunSummary>> PostgresCrawlStore::runs() {
  Result<PgResult> r = db_.query(std::string(kRunColumns) + "ORDER BY r.id DESC");
  if (!r.ok()) return r.status();
  std::vector<RunSummary> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(run_from(*r, i));
  return out;
}

Result<std::optional<RunTimeline>> PostgresCrawlStore::run_timeline(std::optional<std::int64_t> run_id,
                                                                    std::size_t max_spans) {
  if (Status s = begin_read(); !s.ok()) return s;
  const auto fail = [&](Status s) {
    (void)db_.exec("ROLLBACK", "end a read");
    return s;
  };
  Params p;
  if (run_id) p.int64(*run_id);
  Result<PgResult> r = db_.query(std::string(kRunColumns) + (run_id ? "WHERE r.id = $1" : "ORDER BY r.id DESC LIMIT 1"), p);
  if (!r.ok()) return fail(r.status());
  std::optional<RunTimeline> out;
  if (r->rows() == 1) {
    out = RunTimeline{run_from(*r, 0), 1, {}};
    const std::int64_t budget = static_cast<std::int64_t>(std::max<std::size_t>(max_spans, 1));
    out->stride = std::max<std::int64_t>(1, (out->run.pages + budget - 1) / budget);
    Params q;
    q.int64(out->run.id).int64(out->stride);
    Result<PgResult> spans = db_.query(
        "SELECT url, fetched_at_ms, elapsed_s, status, error_class FROM ("
        "SELECT u.url, p.fetched_at_ms, p.elapsed_s, p.status, p.error_class, "
        "row_number() OVER (ORDER BY p.fetched_at_ms, p.url_id) - 1 AS n "
        "FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.run_id = $1) x WHERE n % $2 = 0 ORDER BY n",
        q);
    if (!spans.ok()) return fail(spans.status());
    for (int i = 0; i < spans->rows(); ++i) {
      out->spans.push_back(FetchSpan{std::string(spans->text(i, 0)), spans->int64(i, 1), spans->real(i, 2),
                                     static_cast<int>(spans->int64(i, 3)), std::string(spans->text(i, 4))});
    }
  }
  if (Status s = end_read(); !s.ok()) return s;
  return out;
}

Result<TimeHistogram> PostgresCrawlStore::pages_over_time(std::size_t buckets) {
  if (Status s = begin_read(); !s.ok()) return s;
  const auto fail = [&](Status s) {
    (void)db_.exec("ROLLBACK", "end a read");
    return s;
  };
  TimeHistogram h;
  Result<PgResult> r = db_.query("SELECT min(fetched_at_ms), max(fetched_at_ms) FROM pages");
  if (!r.ok()) return fail(r.status());
  if (!r->is_null(0, 0) && buckets > 0) {
    h.start_ms = r->int64(0, 0);
    const std::int64_t span = r->int64(0, 1) - h.start_ms + 1;  // ms, at least 1
    const std::int64_t n = std::min<std::int64_t>(static_cast<std::int64_t>(buckets), span);
    h.bucket_ms = (span + n - 1) / n;
    h.counts.assign(static_cast<std::size_t>((span + h.bucket_ms - 1) / h.bucket_ms), 0);
    Params p;
    p.int64(h.start_ms).int64(h.bucket_ms);
    Result<PgResult> counts = db_.query("SELECT (fetched_at_ms - $1) / $2, count(*) FROM pages GROUP BY 1", p);
    if (!counts.ok()) return fail(counts.status());
    for (int i = 0; i < counts->rows(); ++i) {
      const std::int64_t b = counts->int64(i, 0);
      if (b >= 0 && b < static_cast<std::int64_t>(h.counts.size())) h.counts[static_cast<std::size_t>(b)] = counts->int64(i, 1);
    }
  } else if (r->is_null(0, 0)) {
    h = TimeHistogram{};
  }
  if (Status s = end_read(); !s.ok()) return s;
  return h;
}

}  // namespace preheat::store::postgres
