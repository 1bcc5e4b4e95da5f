// PostgresCrawlStore: the CrawlStore on a PostgreSQL server (issue 8), picked
// by open_crawl_store() for a location "postgresql://..." or "postgres://..."
// (a libpq connection URI). Schema: docs/schema.md, "PostgreSQL"
// (postgres_migrations.h): the SQLite schema's tables and meanings, with
// PostgreSQL types, a `meta` table for the schema version, and frontier
// lease columns for the multi-process frontier to come.
//
// Connection: one blocking libpq connection per object (pg_connection.h): the
// interface is synchronous and used by one thread. The crawler, in async and
// parallel modes, writes and claims instead through async_writer()
// (pg_async_crawl_writer.h: coroutines on the loop, its own connections),
// which shares this object's URL-id cache, current run and held hosts.
//
// The write side (write, claim_due, next_due_ms, the fleet's claim and
// work-left, lease renewal) is written once as step programs
// (postgres_write_programs.h, pg_program.h), run here by the blocking driver
// and by the async writer: this class's methods build a program and run it.
// Writes: write() is one transaction sent in libpq pipeline mode: the batch's
// URLs are interned first in one set statement (the ids found, and those of
// an INSERT ... SELECT unnest() ON CONFLICT DO NOTHING RETURNING; a second
// looks up the URLs another writer committed meanwhile: two writers racing on
// a URL never fail), then every row statement of the batch is pipelined with
// a sync point per kPagesPerSync pages, so a batch costs a few round trips
// instead of one per row; a page's discovered URLs are one statement (arrays)
// (bench/store_bench.cc, docs/measurements.md). A
// bounded URL-id cache (store/url_id_cache.h, as in the SQLite store) keeps
// the navigation links every page repeats out of the interning statements.
// claim_due() is one UPDATE over a SELECT ... FOR UPDATE SKIP LOCKED, so
// several processes may claim from one frontier without blocking each other
// or sharing a URL.
//
// Pages are stamped with the run of this store's last begin_run() (until its
// end_run()). A read-only open sets default_transaction_read_only.
//
// Fleet mode (OpenOptions::fleet, postgres_fleet.cc): several crawler
// processes share the frontier through host leases (table host_leases) and
// URL leases (frontier.claimed_by, lease_until_ms); see crawl_store.h. The
// leases are renewed by a LeaseKeeper (lease_keeper.h): a second connection
// and a thread, so that no write delays a renewal; during a crawl's run in
// async or parallel mode the async writer's renew_leases() takes over (a
// coroutine, its own connection) and the thread ends.
//
// Full-text search (postgres_crawl_store_search.cc): a tsvector index table
// kept by refresh_search_index() with SQLite's staleness rule; the statement
// itself is store/postgres/pg_search_sql.h.
//
// Thread safety: one thread at a time per object (the CrawlStore contract).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "store/crawl_store.h"
#include "store/postgres/lease_keeper.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_read_plans.h"
#include "store/url_id_cache.h"

namespace preheat::store::postgres {

class PostgresCrawlStore final : public CrawlStore {
 public:
  // See open_crawl_store() (crawl_store.h) for the errors; a server that
  // cannot be reached is io_error with libpq's message.
  static Result<std::unique_ptr<PostgresCrawlStore>> open(const std::string& location, const OpenOptions& options);
  // Fleet mode: hands back this worker's leases and claims (postgres_fleet.cc).
  ~PostgresCrawlStore() override;

  Result<std::int64_t> release_claims() override;
  Status for_each_frontier_url(const std::function<void(std::string_view url)>& fn) override;
  Result<std::vector<FrontierEntry>> claim_due(std::size_t limit, std::int64_t now_ms) override;
  Result<std::optional<std::int64_t>> next_due_ms() override;
  Status write(const WriteBatch& batch) override;
  Result<std::int64_t> begin_run(const RunInfo& run) override;
  Status end_run(std::int64_t run_id, const RunEnd& end) override;
  Result<RecrawlPass> begin_recrawl(std::int64_t now_ms) override;
  // Fleet mode (postgres_fleet.cc).
  std::optional<std::int64_t> fleet_lease_ms() const override;
  Result<std::vector<std::string>> held_hosts() override;
  Result<bool> fleet_work_left(std::int64_t now_ms) override;
  bool fleet_budget_spent() const override { return fleet_budget_spent_.load(); }
  Status end_recrawl(std::int64_t now_ms) override;
  // The crawler's writer on the loop (pg_async_crawl_writer.h; defined in
  // pg_async_crawl_writer.cc, part of the async driver's library). Null for
  // a read-only store.
  std::shared_ptr<AsyncCrawlWriter> async_writer(const AsyncWriterExecutor& executor) override;

  // Reader side (postgres_crawl_store_read.cc).
  Result<std::vector<std::string>> page_urls(std::optional<int> status) override;
  Result<CrawlStats> stats() override;
  Result<std::int64_t> page_count() override;
  Result<std::optional<PageRecord>> find_page(std::string_view url) override;
  Result<std::vector<StoredPage>> pages_after(UrlId after_id, std::size_t limit) override;
  Result<std::vector<StoredBody>> bodies_after(UrlId after_id, std::size_t limit, std::size_t max_bytes) override;
  Result<std::vector<LinkExport>> links_after(UrlId from_id, std::int64_t seq, std::size_t limit) override;
  Result<BodyCounts> body_counts() override;

  // Serving (postgres_crawl_store_serve.cc).
  Status ensure_serving_indexes() override;
  Result<std::vector<LinkView>> out_links(std::string_view url, std::size_t limit) override;
  Result<std::vector<InLink>> in_links(std::string_view url, std::size_t limit) override;
  Result<std::optional<PageView>> page_view(std::string_view url, std::size_t limit) override;
  Result<std::vector<BrokenTarget>> broken_targets(std::size_t limit, std::size_t referrers_per_target) override;
  Result<std::vector<RunSummary>> runs() override;
  Result<std::optional<RunTimeline>> run_timeline(std::optional<std::int64_t> run_id,
                                                  std::size_t max_spans) override;
  Result<TimeHistogram> pages_over_time(std::size_t buckets) override;
  // Search (postgres_crawl_store_search.cc).
  Result<SearchIndexRefresh> refresh_search_index() override;
  Result<SearchResults> search(const SearchQuery& query, std::size_t offset, std::size_t limit) override;

 private:
  PostgresCrawlStore(PgConnection db, OpenOptions options)
      : db_(std::move(db)), options_(std::move(options)), url_ids_(options_.read_only ? -1 : 14) {}
  Status prepare_writer();
  Status writable() const;
  Status delete_all_rows();
  // A read transaction's start and end (one snapshot for several statements).
  Status begin_read();
  Status end_read();
  // Runs `plan`'s statements in order (postgres_read_plans.h), in one read
  // transaction when it needs one snapshot; then its status().
  Status run_plan(PgReadPlan& plan);
  Result<std::optional<UrlId>> find_url_id(std::string_view url);
  // Fleet mode (postgres_fleet.cc): the lease table, and claim_due's and
  // release_claims' fleet variants.
  Status prepare_fleet(const std::string& location);
  // fresh in fleet mode: invalid_argument while another worker is live.
  Status no_other_live_worker();
  Result<std::vector<FrontierEntry>> fleet_claim_due(std::size_t limit, std::int64_t now_ms);
  Result<std::int64_t> fleet_release_claims();
  // Fleet mode, once the async writer took the renewals over and gave them
  // back (after the crawl's run): renews here, synchronously, when lease/3
  // passed since the last renewal of this process.
  Status renew_if_keeper_stopped();

  friend class PgAsyncCrawlWriter;  // shares the state below (the store is idle meanwhile)

  PgConnection db_;
  OpenOptions options_;
  std::string location_;  // for the async writer's connections
  // Committed URL ids (never change once committed; cleared on a rollback
  // and by --fresh): a batch sends only the URLs missing here to the server.
  UrlIdCache url_ids_;
  std::optional<std::int64_t> current_run_;
  std::vector<std::string> held_hosts_;  // after the last fleet claim_due()
  // Fleet mode: renews the leases from its own thread and connection, from
  // open until an async writer's renew_leases() takes over (then null).
  std::unique_ptr<LeaseKeeper> keeper_;
  // Set by fleet_work_left() (the writer thread or the async writer), read
  // after it returned.
  std::atomic<bool> fleet_budget_spent_ = false;
  bool keeper_handed_over_ = false;
  std::int64_t last_renewal_ms_ = 0;  // by this store or its async writer, once handed over
};

}  // namespace preheat::store::postgres
