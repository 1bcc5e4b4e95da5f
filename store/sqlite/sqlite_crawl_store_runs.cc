// The runs and their timelines, for /stats and /timeline: what each run
// recorded, when its pages were fetched. Read-only; bound parameters only.
// A run's pages are found by a scan of pages (no index on run_id: the crawl
// would pay for it on every write, and a timeline is asked for rarely).
#include <algorithm>

#include "store/sqlite/sqlite_crawl_store.h"

namespace preheat::store::sqlite {
namespace {

constexpr const char* kRunColumns =
    "SELECT r.id, r.started_at_ms, coalesce(r.ended_at_ms, 0), r.mode, r.seeds, coalesce(r.outcome, ''), "
    "coalesce(r.wall_s, 0), coalesce(r.execution_s, 0), "
    "(SELECT count(*) FROM pages p WHERE p.run_id = r.id) FROM runs r ";

RunSummary run_from(Statement& r) {
  RunSummary run;
  run.id = r.column_int64(0);
  run.started_at_ms = r.column_int64(1);
  run.ended_at_ms = r.column_int64(2);
  run.mode = r.column_text(3);
  run.seeds = r.column_text(4);
  run.outcome = r.column_text(5);
  run.wall_s = r.column_double(6);
  run.execution_s = r.column_double(7);
  run.pages = r.column_int64(8);
  return run;
}

}  // namespace

Result<std::vector<RunSummary>> SqliteCrawlStore::runs() {
  std::vector<RunSummary> out;
  Status s = for_each_row(
      db_, std::string(kRunColumns) + "ORDER BY r.id DESC", [](Statement&) {},
      [&](Statement& r) { out.push_back(run_from(r)); });
  if (!s.ok()) return s;
  return out;
}

Result<std::optional<RunTimeline>> SqliteCrawlStore::run_timeline(std::optional<std::int64_t> run_id,
                                                                  std::size_t max_spans) {
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status();
  std::optional<RunTimeline> out;
  Status s = for_each_row(
      db_, std::string(kRunColumns) + (run_id ? "WHERE r.id = ?1" : "ORDER BY r.id DESC LIMIT 1"),
      [&](Statement& st) {
        if (run_id) st.bind_int64(1, *run_id);
      },
      [&](Statement& r) { out = RunTimeline{run_from(r), 1, {}}; });
  if (!s.ok()) return s;
  if (!out) return out;
  const std::int64_t budget = static_cast<std::int64_t>(std::max<std::size_t>(max_spans, 1));
  out->stride = std::max<std::int64_t>(1, (out->run.pages + budget - 1) / budget);
  // Every stride-th page in end-time order: a window function numbers them.
  s = for_each_row(
      db_,
      "SELECT url, fetched_at_ms, elapsed_s, status, error_class FROM ("
      "SELECT u.url, p.fetched_at_ms, p.elapsed_s, p.status, p.error_class, "
      "row_number() OVER (ORDER BY p.fetched_at_ms, p.url_id) - 1 AS n "
      "FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.run_id = ?1) WHERE n % ?2 = 0 ORDER BY n",
      [&](Statement& st) {
        st.bind_int64(1, out->run.id);
        st.bind_int64(2, out->stride);
      },
      [&](Statement& r) {
        out->spans.push_back(FetchSpan{std::string(r.column_text(0)), r.column_int64(1), r.column_double(2),
                                       static_cast<int>(r.column_int64(3)), std::string(r.column_text(4))});
      });
  if (!s.ok()) return s;
  if (s = tx->commit(); !s.ok()) return s;
  return out;
}

Result<TimeHistogram> SqliteCrawlStore::pages_over_time(std::size_t buckets) {
  TimeHistogram h;
  std::int64_t last = 0;
  bool any = false;
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status();
  Status s = for_each_row(
      db_, "SELECT min(fetched_at_ms), max(fetched_at_ms) FROM pages", [](Statement&) {},
      [&](Statement& r) {
        if (r.column_is_null(0)) return;
        any = true;
        h.start_ms = r.column_int64(0);
        last = r.column_int64(1);
      });
  if (!s.ok()) return s;
  if (!any || buckets == 0) return h;
  const std::int64_t span = last - h.start_ms + 1;  // ms, at least 1
  const std::int64_t n = std::min<std::int64_t>(static_cast<std::int64_t>(buckets), span);
  h.bucket_ms = (span + n - 1) / n;
  h.counts.assign(static_cast<std::size_t>((span + h.bucket_ms - 1) / h.bucket_ms), 0);
  s = for_each_row(
      db_, "SELECT (fetched_at_ms - ?1) / ?2, count(*) FROM pages GROUP BY 1",
      [&](Statement& st) {
        st.bind_int64(1, h.start_ms);
        st.bind_int64(2, h.bucket_ms);
      },
      [&](Statement& r) {
        const std::int64_t b = r.column_int64(0);
        if (b >= 0 && b < static_cast<std::int64_t>(h.counts.size())) h.counts[static_cast<std::size_t>(b)] = r.column_int64(1);
      });
  if (!s.ok()) return s;
  if (s = tx->commit(); !s.ok()) return s;
  return h;
}

}  // namespace preheat::store::sqlite
