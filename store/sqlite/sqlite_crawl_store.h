// SqliteCrawlStore: the CrawlStore in one SQLite file (schema:
// docs/schema.md, migrations.h). The embedded default.
//
// Connection (DESIGN.md section 5): SQLITE_OPEN_NOMUTEX, WAL, synchronous =
// NORMAL (a commit survives a process crash; a power loss may lose the last
// commits, never consistency), busy_timeout 5 s, a 32 MB page cache for the
// writer (8 MB for a reader). Foreign keys are not enforced (docs/schema.md).
//
// Writes: every method that writes is one transaction (BEGIN IMMEDIATE), its
// statements prepared once for the life of the store. URL ids are interned
// through the urls table's unique index with a bounded UrlIdCache in front
// (2^16 slots, a few MB whatever the crawl's size).
//
// Pages are stamped with the run of this store's last begin_run() (until its
// end_run()); with no run, run_id is NULL. The path ":memory:" gives a private
// in-memory database (tests).
//
// Thread safety: one thread at a time per object (the CrawlStore contract).
// Readers open their own read-only object, in this process or another.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "store/crawl_store.h"
#include "store/sqlite/sqlite_db.h"
#include "store/url_id_cache.h"

namespace preheat::store::sqlite {

class Fts5TokenProbe;

class SqliteCrawlStore final : public CrawlStore {
 public:
  // See open_crawl_store() (crawl_store.h) for the errors.
  static Result<std::unique_ptr<SqliteCrawlStore>> open(const std::string& path, const OpenOptions& options);

  ~SqliteCrawlStore() override;

  Result<std::int64_t> release_claims() override;
  Status for_each_frontier_url(const std::function<void(std::string_view url)>& fn) override;
  Result<std::vector<FrontierEntry>> claim_due(std::size_t limit, std::int64_t now_ms) override;
  Result<std::optional<std::int64_t>> next_due_ms() override;
  Status write(const WriteBatch& batch) override;
  Result<std::int64_t> begin_run(const RunInfo& run) override;
  Status end_run(std::int64_t run_id, const RunEnd& end) override;
  Result<RecrawlPass> begin_recrawl(std::int64_t now_ms) override;
  Status end_recrawl(std::int64_t now_ms) override;

  Result<std::vector<std::string>> page_urls(std::optional<int> status) override;
  Result<CrawlStats> stats() override;
  Result<std::int64_t> page_count() override;
  Result<std::optional<PageRecord>> find_page(std::string_view url) override;

  // Serving (sqlite_crawl_store_serve.cc).
  Status ensure_serving_indexes() override;
  Result<std::vector<LinkView>> out_links(std::string_view url, std::size_t limit) override;
  Result<std::vector<InLink>> in_links(std::string_view url, std::size_t limit) override;
  Result<std::optional<PageView>> page_view(std::string_view url, std::size_t limit) override;
  Result<std::vector<BrokenTarget>> broken_targets(std::size_t limit, std::size_t referrers_per_target) override;
  // The runs and their timelines (sqlite_crawl_store_runs.cc).
  Result<std::vector<RunSummary>> runs() override;
  Result<std::optional<RunTimeline>> run_timeline(std::optional<std::int64_t> run_id,
                                                  std::size_t max_spans) override;
  Result<TimeHistogram> pages_over_time(std::size_t buckets) override;

  // Full-text search (sqlite_crawl_store_search.cc).
  Result<SearchIndexRefresh> refresh_search_index() override;
  Result<SearchResults> search(const SearchQuery& query, std::size_t offset, std::size_t limit) override;

  // Export (sqlite_crawl_store_export.cc).
  Result<std::vector<StoredPage>> pages_after(UrlId after_id, std::size_t limit) override;
  Result<std::vector<StoredBody>> bodies_after(UrlId after_id, std::size_t limit, std::size_t max_bytes) override;
  Result<std::vector<LinkExport>> links_after(UrlId from_id, std::int64_t seq, std::size_t limit) override;
  Result<BodyCounts> body_counts() override;

 private:
  // The pages-table columns of a PageRecord, in read_page_columns' order,
  // for a query over `pages p` joined with `urls u` (its URL) and `urls fu`
  // (its final URL). 22 columns.
  // The text comes last, so that a reader that does not show it (serve's
  // page view) leaves it out of the statement: `with_text` says whether
  // ", p.text" follows these columns.
  static constexpr std::string_view kPageColumns =
      "u.url, fu.url, p.depth, p.status, p.content_type, p.bytes, p.wire_bytes, p.fetched_at_ms, p.elapsed_s, "
      "p.title, p.description, p.canonical, p.language, p.content_hash, p.error_class, p.error_message, "
      "p.attempts, p.etag, p.last_modified, p.robots, p.checked_at_ms, p.not_modified";
  static PageRecord read_page_columns(const Statement& row, int first, bool with_text);

  struct WriterStatements;

  SqliteCrawlStore(Connection db, OpenOptions options);
  Status prepare_writer();
  Status writable() const;
  Status delete_all_rows();
  Result<UrlId> intern(std::string_view url, bool probably_new = false);
  // The page row of `url` and its redirects, its id in *page_id; the text
  // only when `with_text`; links left empty. Inside the caller's transaction.
  Result<std::optional<PageRecord>> read_page(std::string_view url, bool with_text, UrlId* page_id);
  // By URL id (sqlite_crawl_store_serve.cc): what out_links / in_links answer.
  Result<std::vector<LinkView>> out_links_of(UrlId from, std::size_t limit);
  Result<std::vector<InLink>> in_links_of(UrlId to, std::size_t limit);
  // The id of a known URL, none when unknown.
  Result<std::optional<UrlId>> find_url_id(std::string_view url);
  Status write_batch(const WriteBatch& batch);
  Status write_page(const PageRecord& page);
  Status add_frontier(const NewUrl& entry, std::optional<UrlId> discovered_from);
  // A page's links, seq from 0, by multi-row INSERTs (kLinkBatchSizes).
  Status insert_links(UrlId from, const std::vector<LinkRecord>& links);

  Connection db_;
  OpenOptions options_;
  std::unique_ptr<WriterStatements> w_;  // null when read-only
  UrlIdCache url_ids_;
  std::optional<std::int64_t> current_run_;
  std::unique_ptr<Fts5TokenProbe> tokens_;  // made by the first search(); destroyed before db_
};

}  // namespace preheat::store::sqlite
