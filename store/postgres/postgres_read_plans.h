// PgReadPlan: a read of the PostgreSQL store as data, so that its SQL and its
// row decoding are written once and run by two drivers:
//   - the blocking store (PostgresCrawlStore::run_plan, one PgConnection),
//     for `preheat urls`, `stats`, `export` and `serve --mode sync`;
//   - serve's async reader (pg_async_read.h: PgAsyncPool on the io loop,
//     no thread blocked), for `preheat serve` on PostgreSQL.
//
// A plan hands out its statements one at a time; each may depend on the rows
// of the one before (a run's spans need its page count for the stride; the
// referrers of each broken target need its id). A driver runs them in order
// on one connection, inside one REPEATABLE READ READ ONLY transaction when
// snapshot() says the statements must see one snapshot, and then reads the
// plan's `value` (or its status(): a read that cannot be made, e.g. search
// before it is built).
//
// Thread safety: a plan is a value used by one driver at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/crawl_store.h"
#include "store/postgres/pg_connection.h"

namespace preheat::store::postgres {

// One statement: its SQL and its parameters as text (nullopt: NULL). Text
// values are made storable (pg_text) by whoever builds the query.
struct PgQuery {
  std::string sql;
  std::vector<std::optional<std::string>> params;
};

class PgReadPlan {
 public:
  virtual ~PgReadPlan() = default;
  // True: every statement must see one snapshot.
  virtual bool snapshot() const { return false; }
  // The first statement (previous == nullptr), then the next one given the
  // rows of the previous one; none when the value is complete.
  virtual std::optional<PgQuery> next(const PgRows* previous) = 0;
  // Not ok: the read cannot be made (the value is not set).
  const Status& status() const { return status_; }

 protected:
  Status status_;
};

// `n` as an SQL LIMIT (size_t's largest values do not fit a BIGINT).
std::int64_t sql_limit(std::size_t n);

// The blocking driver's parameters for `q`.
Params params_of(const PgQuery& q);

// ---- the plans: one per read, `value` set once next() returned none ----

// CrawlStore::stats().
class StatsPlan final : public PgReadPlan {
 public:
  bool snapshot() const override { return true; }
  std::optional<PgQuery> next(const PgRows* previous) override;
  CrawlStats value;

 private:
  int step_ = 0;
};

// find_page() (with_text: the text and the link rows too) and page_view()
// (links_limit > 0: out-links and in-links, at most links_limit of each).
class PagePlan final : public PgReadPlan {
 public:
  PagePlan(std::string_view url, bool with_text, std::size_t links_limit)
      : url_(pg_text(url)), with_text_(with_text), links_limit_(links_limit) {}
  bool snapshot() const override { return true; }
  std::optional<PgQuery> next(const PgRows* previous) override;
  std::optional<PageView> value;  // none: no page row; page.links only with_text

 private:
  std::string url_;
  bool with_text_;
  std::size_t links_limit_;
  std::int64_t id_ = 0;
  int step_ = 0;
};

// out_links() and in_links() alone.
class OutLinksPlan final : public PgReadPlan {
 public:
  OutLinksPlan(std::string_view url, std::size_t limit) : url_(pg_text(url)), limit_(limit) {}
  std::optional<PgQuery> next(const PgRows* previous) override;
  std::vector<LinkView> value;

 private:
  std::string url_;
  std::size_t limit_;
};

class InLinksPlan final : public PgReadPlan {
 public:
  InLinksPlan(std::string_view url, std::size_t limit) : url_(pg_text(url)), limit_(limit) {}
  std::optional<PgQuery> next(const PgRows* previous) override;
  std::vector<InLink> value;

 private:
  std::string url_;
  std::size_t limit_;
};

class BrokenTargetsPlan final : public PgReadPlan {
 public:
  BrokenTargetsPlan(std::size_t limit, std::size_t referrers_per_target)
      : limit_(limit), referrers_(referrers_per_target) {}
  bool snapshot() const override { return true; }
  std::optional<PgQuery> next(const PgRows* previous) override;
  std::vector<BrokenTarget> value;

 private:
  std::optional<PgQuery> referrers_query();
  std::size_t limit_;
  std::size_t referrers_;
  std::vector<std::int64_t> ids_;  // the targets' url ids, as value
  std::size_t filled_ = 0;         // targets whose referrers were read
  bool started_ = false;
};

class RunsPlan final : public PgReadPlan {
 public:
  std::optional<PgQuery> next(const PgRows* previous) override;
  std::vector<RunSummary> value;
};

class RunTimelinePlan final : public PgReadPlan {
 public:
  RunTimelinePlan(std::optional<std::int64_t> run_id, std::size_t max_spans) : run_id_(run_id), max_spans_(max_spans) {}
  bool snapshot() const override { return true; }
  std::optional<PgQuery> next(const PgRows* previous) override;
  std::optional<RunTimeline> value;

 private:
  std::optional<std::int64_t> run_id_;
  std::size_t max_spans_;
  int step_ = 0;
};

class PagesOverTimePlan final : public PgReadPlan {
 public:
  explicit PagesOverTimePlan(std::size_t buckets) : buckets_(buckets) {}
  bool snapshot() const override { return true; }
  std::optional<PgQuery> next(const PgRows* previous) override;
  TimeHistogram value;

 private:
  std::size_t buckets_;
  int step_ = 0;
};

// search(): THE one place where full-text search on PostgreSQL is read.
// Not built yet (issue 8): status() is not_found, as an SQLite database whose
// index was never built answers, so serve shows the message (503). When the
// tsvector query exists, it goes in next() and the blocking store and serve
// both use it.
class SearchPlan final : public PgReadPlan {
 public:
  // The statement is pg_search_sql.h's (one statement: the slice and the
  // total in one snapshot); status() is its error for a query with nothing
  // to look for.
  SearchPlan(const SearchQuery& query, std::size_t offset, std::size_t limit);
  std::optional<PgQuery> next(const PgRows* previous) override;
  SearchResults value;

 private:
  std::optional<PgQuery> query_;
};

// bodies_after() (export, /export.warc.gz): at most `limit` rows, and no row
// once `max_bytes` of blocks and bodies came before it (always at least one).
class BodiesAfterPlan final : public PgReadPlan {
 public:
  BodiesAfterPlan(UrlId after_id, std::size_t limit, std::size_t max_bytes)
      : after_(after_id), limit_(limit), max_bytes_(max_bytes) {}
  std::optional<PgQuery> next(const PgRows* previous) override;
  std::vector<StoredBody> value;

 private:
  UrlId after_;
  std::size_t limit_;
  std::size_t max_bytes_;
};

// The pages-table columns of a PageRecord, read by read_page_columns, for a
// query over `pages p` joined with `urls u` and `urls fu` (final URL).
inline constexpr std::string_view kPageColumns =
    "u.url, fu.url, p.depth, p.status, p.content_type, p.bytes, p.wire_bytes, p.fetched_at_ms, p.elapsed_s, "
    "p.title, p.description, p.canonical, p.language, p.content_hash, p.error_class, p.error_message, "
    "p.attempts, p.etag, p.last_modified, p.robots, p.checked_at_ms, p.not_modified";
PageRecord read_page_columns(const PgRows& r, int row, int first, bool with_text);

}  // namespace preheat::store::postgres
