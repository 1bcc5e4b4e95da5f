// What `preheat serve` reads from PostgresCrawlStore: links with their
// targets' status, in-links, broken targets, runs and timelines; the index
// in-links need. Each read is a plan (postgres_read_plans.h: its SQL and row
// decoding, shared with serve's async reader) run on this store's blocking
// connection. Search: postgres_crawl_store_search.cc (its statement is
// SearchPlan's).
#include <string>
#include <utility>

#include "store/postgres/postgres_crawl_store.h"

namespace preheat::store::postgres {

Status PostgresCrawlStore::run_plan(PgReadPlan& plan) {
  const bool snapshot = plan.snapshot();
  if (snapshot) {
    if (Status s = begin_read(); !s.ok()) return s;
  }
  std::optional<PgResult> last;
  for (std::optional<PgQuery> q = plan.next(nullptr); q; q = plan.next(&*last)) {
    Result<PgResult> r = db_.query(q->sql, params_of(*q));
    if (!r.ok()) {
      if (snapshot) (void)db_.exec("ROLLBACK", "end a read");
      return r.status();
    }
    last = std::move(*r);
  }
  if (snapshot) {
    if (Status s = end_read(); !s.ok()) return s;
  }
  return plan.status();
}

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
  OutLinksPlan plan(url, limit);
  if (Status s = run_plan(plan); !s.ok()) return s;
  return std::move(plan.value);
}

Result<std::vector<InLink>> PostgresCrawlStore::in_links(std::string_view url, std::size_t limit) {
  InLinksPlan plan(url, limit);
  if (Status s = run_plan(plan); !s.ok()) return s;
  return std::move(plan.value);
}

Result<std::optional<PageView>> PostgresCrawlStore::page_view(std::string_view url, std::size_t limit) {
  // One snapshot, without the text: the links of the view come from the
  // out-links query (with their targets' status), not from the link rows.
  PagePlan plan(url, /*with_text=*/false, std::max<std::size_t>(limit, 1));
  if (Status s = run_plan(plan); !s.ok()) return s;
  if (plan.value && limit == 0) {
    plan.value->out_links.clear();
    plan.value->in_links.clear();
  }
  return std::move(plan.value);
}

Result<std::vector<BrokenTarget>> PostgresCrawlStore::broken_targets(std::size_t limit,
                                                                     std::size_t referrers_per_target) {
  BrokenTargetsPlan plan(limit, referrers_per_target);
  if (Status s = run_plan(plan); !s.ok()) return s;
  return std::move(plan.value);
}

Result<std::vector<RunSummary>> PostgresCrawlStore::runs() {
  RunsPlan plan;
  if (Status s = run_plan(plan); !s.ok()) return s;
  return std::move(plan.value);
}

Result<std::optional<RunTimeline>> PostgresCrawlStore::run_timeline(std::optional<std::int64_t> run_id,
                                                                    std::size_t max_spans) {
  RunTimelinePlan plan(run_id, max_spans);
  if (Status s = run_plan(plan); !s.ok()) return s;
  return std::move(plan.value);
}

Result<TimeHistogram> PostgresCrawlStore::pages_over_time(std::size_t buckets) {
  PagesOverTimePlan plan(buckets);
  if (Status s = run_plan(plan); !s.ok()) return s;
  return std::move(plan.value);
}

}  // namespace preheat::store::postgres
