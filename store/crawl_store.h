// CrawlStore: where a crawl lives. The database is the source of truth for the
// frontier (which URLs are known, which are done, which wait), the pages, their
// links and redirects, and the runs that produced them.
//
// One interface, implementations per engine: sqlite_crawl_store.h (the embedded
// default) today, PostgreSQL later (issue 8). open_crawl_store() picks by the
// location: "postgresql://..." vs a file path.
//
// Write model: ONE writer. The crawler sends page records and new frontier
// entries through one thread (crawl/store_writer.h) which calls write() with a
// batch; a batch is one transaction. A crash (kill -9) loses at most the
// batches not yet committed, never half a batch, and never a committed page.
//
// Frontier states and the claim protocol:
//   queued   known, to be fetched when next_due_ms has passed
//   claimed  handed to a running crawler (in memory or in flight). A crawler
//            that opens the store for writing first turns every claimed row
//            back into queued (release_claims): those were in the memory of a
//            crawler that died, and were not committed as done.
//   done     fetched; its page row exists (any HTTP status, or a final error)
//   failed   given up after retries; its page row records the error class
// A URL's frontier row is written in the same transaction as the page that
// discovered it, so "known" and "discovered by a committed page" are the same.
//
// Thread safety: an object is used by one thread at a time (the writer thread,
// or a reader). Several readers may open the same SQLite file (WAL) while one
// writer writes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/search_query.h"

namespace preheat::store {

class AsyncCrawlWriter;       // store/async_crawl_writer.h
struct AsyncWriterExecutor;   // store/async_crawl_writer.h

using UrlId = std::int64_t;

// The SQLite schema version this build writes (docs/schema.md); PostgreSQL
// has its own, kPgSchemaVersion (store/postgres/postgres_migrations.h). A
// database with a newer version is refused (written by a newer preheat).
inline constexpr int kSchemaVersion = 3;

enum class FrontierState : int { kQueued = 0, kClaimed = 1, kDone = 2, kFailed = 3 };
const char* to_string(FrontierState state);

// A URL the crawler wants fetched (a seed, or an in-scope link not seen before).
struct NewUrl {
  std::string url;          // normalised (base/url_normalizer.h)
  int depth = 0;            // link hops from a seed
  // true: the crawler already holds it in memory and will fetch it (row
  // written as claimed); false: queued, for a later claim_due().
  bool claimed = false;
};

// One link found on a page, in document order. Every link is recorded, in
// scope or not, fetchable or not (mailto:, javascript:...).
struct LinkRecord {
  std::string to_url;       // normalised, or the raw href when it did not resolve
  std::string anchor;       // anchor text (may be empty)
  std::string rel;          // space-separated rel tokens ("nofollow next"), may be empty
  std::string tag;          // "a", "area", "frame", "iframe", "link", "meta"
};

struct RedirectRecord {
  std::string from_url;
  std::string to_url;
  int status = 0;           // 301, 302, 303, 307, 308
};

// The outcome of fetching one frontier URL (or of arriving at a URL through a
// redirect: see crawl/crawler.h), with everything it discovered.
struct PageRecord {
  std::string url;                  // the frontier URL
  std::string final_url;            // after redirects (== url when none)
  int depth = 0;
  int status = 0;                   // final HTTP status; 0 when no response
  std::string content_type;         // full header value
  std::uint64_t bytes = 0;          // decoded body bytes
  std::uint64_t wire_bytes = 0;     // body bytes as received
  std::int64_t fetched_at_ms = 0;   // Unix time, milliseconds
  double elapsed_s = 0;             // the whole fetch, queue time excluded
  std::string title;
  std::string description;
  std::string canonical;            // normalised, or empty
  std::string language;
  std::string text;                 // visible text (UTF-8)
  std::optional<std::uint64_t> content_hash;  // of `text`; none when not parsed
  std::string error_class;          // fetch_error.h name ("timeout", "http-4xx"...), empty when ok
  std::string error_message;
  int attempts = 1;                 // including this one
  std::string etag;
  std::string last_modified;
  // Page-level robots directives in effect for preheat (meta robots, meta
  // preheat, X-Robots-Tag: crawl/robots_directives.h), stored as
  // "noindex,nofollow,noarchive" (those set, in that order), '' when none.
  std::string robots;
  // Recrawls (schema 3): when preheat last asked the server about this URL
  // (0 when writing: fetched_at_ms), and whether that answer was 304 Not
  // Modified. A not_modified record changes only checked_at_ms, the flag,
  // the validators (when the 304 sent new ones) and the frontier row: the
  // content, links, redirects and body stay as stored (fetched_at_ms is
  // when that content was fetched). Written for a URL without a page row, it
  // is stored like any other record.
  std::int64_t checked_at_ms = 0;
  bool not_modified = false;

  // Frontier outcome of `url`: kDone, kFailed, or kQueued to retry at
  // next_due_ms (no page row is written for a retry, only the attempt count).
  FrontierState state = FrontierState::kDone;
  std::int64_t next_due_ms = 0;

  std::vector<RedirectRecord> redirects;  // in order
  std::vector<LinkRecord> links;          // in document order
  std::vector<NewUrl> discovered;         // frontier entries to add (not known before)

  // The final response as received, for archives (schema v2 `bodies`, one
  // row per page row; docs/schema.md). Written only when keep_body is set
  // (a page row without it drops an older body row of that page). The
  // crawler sets it on the record that owns the content: the final URL's.
  bool keep_body = false;
  std::string request_block;   // the request as sent (fetch/request_block.h)
  std::string response_block;  // status line + headers + empty line, as received
  std::string body;            // decoded (no Content-Encoding)

  // Bytes this record holds in memory, roughly (the StoreWriter's budget).
  std::size_t approx_bytes() const;
};

// One write transaction.
struct WriteBatch {
  std::vector<NewUrl> seeds;       // added first, ignored when already known
  std::vector<PageRecord> pages;
};

// What the store holds of a URL's last fetch, for a conditional request
// (a recrawl): claim_due() reads it from the URL's page row.
struct PreviousFetch {
  int status = 0;
  std::string etag;            // '' when none or when the page was redirected
  std::string last_modified;   // same
  std::optional<std::uint64_t> content_hash;
  std::uint64_t bytes = 0;
  bool redirected = false;     // its final URL was another one
};

// A frontier row handed out by claim_due().
struct FrontierEntry {
  UrlId id = 0;
  std::string url;
  int depth = 0;
  int attempts = 0;     // attempts made so far
  std::optional<PreviousFetch> previous;  // none: the URL has no page row
};

// A recrawl pass (schema 3, table recrawls): begin_recrawl() turned every
// done and failed frontier row back into queued, once; the pass stays open
// until end_recrawl(), so a recrawl that was killed (or stopped by a page
// limit) continues where it was instead of starting over.
struct RecrawlPass {
  std::int64_t id = 0;
  std::int64_t started_at_ms = 0;
  std::int64_t requeued = 0;   // rows turned back into queued when the pass began
  bool resumed = false;        // an open pass was found: nothing was requeued now
  std::int64_t handled = 0;    // frontier rows done or failed so far in this pass
};

// A crawl run (one `preheat crawl` invocation).
struct RunInfo {
  std::int64_t started_at_ms = 0;
  std::string mode;                 // sequential | async | parallel
  std::string seeds;                // space-separated
  std::string options;              // the command line, for people
};

struct RunEnd {
  std::int64_t ended_at_ms = 0;
  double wall_s = 0;
  double execution_s = 0;
  std::int64_t pages = 0;           // pages written by this run
  std::string outcome;              // "complete", "interrupted", "page-limit"
};

// Per host (scheme://host[:port], from the page URLs): what the pages table
// says about it. Pauses are not stored; a host the crawler gave up has pages
// with error class host-failing.
struct HostStats {
  std::string host;
  std::int64_t pages = 0;
  std::int64_t errors = 0;          // pages with an error class
  std::int64_t attempts = 0;        // requests made for its pages (robots.txt not counted)
  double mean_elapsed_s = 0;        // response time of its pages
  bool given_up = false;            // some page has error class host-failing
};

struct CrawlStats {
  std::int64_t urls = 0;            // every URL ever seen (links included)
  std::int64_t pages = 0;           // page rows
  std::int64_t links = 0;
  std::int64_t redirects = 0;
  std::map<FrontierState, std::int64_t> frontier;  // rows per state
  std::map<int, std::int64_t> status_classes;      // 0 (none), 2, 3, 4, 5 -> pages
  std::map<std::string, std::int64_t> errors;      // error_class -> pages
  // Pages with error_class "trap" (crawl/trap_guard.h) by rule: the start of
  // their error_message ("calendar-pattern: ..." -> "calendar-pattern").
  std::map<std::string, std::int64_t> traps;
  std::map<int, std::int64_t> depths;              // depth -> pages
  std::int64_t bytes = 0;           // decoded
  std::int64_t wire_bytes = 0;
  std::int64_t first_fetch_ms = 0;  // 0 when no page
  std::int64_t last_fetch_ms = 0;
  int runs = 0;
  std::vector<HostStats> hosts;     // by host name
};

// ---- what `preheat serve` reads (docs/schema.md, "Serving") ----

// A link of a page with what became of its target.
struct LinkView {
  std::string url;                  // the target, as stored
  std::string anchor;
  std::string rel;
  std::string tag;
  std::optional<int> status;        // the target's page status; none: never fetched (out of scope, mailto:...)
  std::string error_class;          // the target's error, '' when ok or never fetched
};

// A page that links to a given URL.
struct InLink {
  std::string from_url;
  std::string anchor;
  int from_status = 0;
};

// What /page and /api/page show of one page, read in one snapshot.
struct PageView {
  PageRecord page;                  // as find_page, except `text` and `links`, which stay empty
  std::vector<LinkView> out_links;  // as out_links()
  std::vector<InLink> in_links;     // as in_links()
};

// A fetched URL that failed (status >= 400, or a fetch error), with the pages
// that link to it.
struct BrokenTarget {
  std::string url;
  int status = 0;
  std::string error_class;
  std::string error_message;
  std::int64_t referrers = 0;             // link rows pointing at it, all pages
  std::vector<std::string> sample_referrers;  // distinct linking pages, sorted, at most the limit asked
};

// A crawl run as recorded (the runs table), with the pages it wrote.
struct RunSummary {
  std::int64_t id = 0;
  std::int64_t started_at_ms = 0;
  std::int64_t ended_at_ms = 0;     // 0: not ended (running, or killed)
  std::string mode;
  std::string seeds;
  std::string outcome;              // '' when not ended
  double wall_s = 0;
  double execution_s = 0;
  std::int64_t pages = 0;           // page rows that name this run
};

// One fetch of a run: it ended at end_ms (Unix ms) after elapsed_s.
struct FetchSpan {
  std::string url;
  std::int64_t end_ms = 0;
  double elapsed_s = 0;
  int status = 0;
  std::string error_class;
};

// A run's fetches, ordered by end time. `spans` holds every `stride`-th page
// of the run (stride 1: all of them) so that a huge run stays cheap to read.
struct RunTimeline {
  RunSummary run;
  std::int64_t stride = 1;
  std::vector<FetchSpan> spans;
};

// Pages fetched per time bucket, over the whole crawl.
struct TimeHistogram {
  std::int64_t start_ms = 0;        // Unix ms of the first fetch
  std::int64_t bucket_ms = 0;       // 0 when there are no pages
  std::vector<std::int64_t> counts;
};

// Full-text search (docs/schema.md, "Serving: full-text search").
// Matches in SearchHit::title_marked and SearchHit::snippet are wrapped in
// these bytes: 0xFE and 0xFF never occur in well-formed UTF-8, and the
// crawler stores text as well-formed UTF-8 (crawl/extract), so they cannot
// come from a crawled page. They are not escaped for any markup: a reader
// escapes the text, then turns the markers into its own (serve: <mark>).
inline constexpr char kMatchBegin = '\xFE';
inline constexpr char kMatchEnd = '\xFF';

struct SearchHit {
  std::string url;                  // the requested URL (as /page?url= takes it)
  std::string title;                // as stored
  std::string title_marked;         // the title with matches marked
  std::string snippet;              // a few words of the text around the best match, marked; '…' where cut
  int status = 0;
  std::string error_class;
  std::string content_type;
  std::uint64_t bytes = 0;
};

struct SearchResults {
  std::int64_t total = 0;           // every matching page
  std::vector<SearchHit> hits;      // the asked slice, best first (bm25, title weighted above text)
};

// What refresh_search_index() did.
struct SearchIndexRefresh {
  enum class Action { kUpToDate, kBuilt, kUpdated };
  Action action = Action::kUpToDate;
  std::int64_t pages_indexed = 0;   // rows (re)indexed by this call: all of them when built
  std::int64_t pages_total = 0;     // pages in the index now
};

// ---- what `preheat export` reads, page by page in id order (each call is
// its own read transaction: an export never holds one for its whole length) ----

// A page row with its id (pages.url_id). `page` has the pages-table fields;
// redirects, links and the body are not read.
struct StoredPage {
  UrlId id = 0;
  PageRecord page;
};

// A body row with what an archive record needs from its page row.
struct StoredBody {
  UrlId page_id = 0;
  std::string url;             // the page's requested URL
  std::string final_url;       // where the response came from (WARC-Target-URI)
  int status = 0;
  std::int64_t fetched_at_ms = 0;
  std::string request_block;
  std::string response_block;
  std::string body;
};

// A link row with its page's URL and what became of its target.
struct LinkExport {
  UrlId from_id = 0;
  std::int64_t seq = 0;
  std::string from_url;
  std::string to_url;
  std::string anchor;
  std::string rel;
  std::string tag;
  std::optional<int> target_status;  // none: the target has no page row (never fetched)
  std::string target_error;          // the target's error class, '' when ok or never fetched
};

struct BodyCounts {
  std::int64_t pages = 0;              // page rows
  std::int64_t bodies = 0;             // body rows
  // Pages with a response (status > 0) whose final response is stored
  // neither in their own row nor in their final URL's (a redirect's content
  // lives on the final URL's row): crawled with --no-bodies, or before
  // schema 2.
  std::int64_t answered_without_body = 0;
};

// Several crawler processes on one database (PostgreSQL only;
// docs/architecture.md, "Several crawlers on one PostgreSQL"). A worker
// crawls only the hosts it holds a lease on (table host_leases), so per-host
// politeness stays in its memory and holds fleet-wide; its claimed frontier
// rows carry its id and a lease. Leases are renewed every lease/3 on a
// connection of their own (PostgreSQL: a thread of the store,
// store/postgres/lease_keeper.h, or during a crawl's run the async writer's
// coroutine, async_writer()), so no write can delay a renewal; a worker
// that stops renewing (killed) loses its hosts and claims when they expire,
// and another worker takes them over.
struct FleetOptions {
  std::string worker_id;          // unique per process: "hostname:pid:random"
  std::int64_t lease_ms = 30000;  // how long a host or URL stays ours without a renewal
  // false (tests that drive time through claim_due's now_ms): no renewal
  // thread; every claim_due() renews instead, at its now_ms.
  bool renew_in_background = true;
  // `--max-pages` for the whole fleet (-1: no limit): the committed pages
  // (page rows; with count_pass, the frontier rows done or failed: the open
  // recrawl pass's pages) plus the rows claimed under a live lease by any
  // worker never pass it. A claim takes at most max_pages - committed - live
  // claims rows, under a lock that serialises the budgeted claims; a claim
  // that ends without a page row (a retry, a released or expired claim)
  // returns to the budget. fleet_work_left() is false once it is spent.
  std::int64_t max_pages = -1;
  bool count_pass = false;
};

struct OpenOptions {
  bool read_only = false;
  // Set: this writer is one worker of a fleet (PostgreSQL; SQLite ignores it:
  // one writer per file). claim_due(), release_claims() and the end of a
  // crawl then follow the fleet protocol (FleetOptions).
  std::optional<FleetOptions> fleet;
  // read_only: a database with an older schema is first migrated through a
  // short writable open (an export of a database written by an older build)
  // instead of being refused.
  bool upgrade = false;
  // Delete every crawl row (not the file) before starting: `--fresh`.
  bool fresh = false;
  // Tests only (crash safety): called inside write()'s transaction after the
  // first page of a batch has been written, before the commit.
  std::function<void()> after_first_page_for_test;
};

class CrawlStore {
 public:
  virtual ~CrawlStore() = default;

  // ---- writer side ----
  // claimed -> queued for every row (see the header comment). Returns how many.
  virtual Result<std::int64_t> release_claims() = 0;
  // Calls `fn` once per frontier URL, any state (to rebuild the seen-set).
  // `fn` must not call back into the store; the view is valid during the call.
  virtual Status for_each_frontier_url(const std::function<void(std::string_view url)>& fn) = 0;
  // Up to `limit` queued rows with next_due_ms <= now_ms, lowest depth first,
  // then oldest first; marks them claimed in the same transaction.
  virtual Result<std::vector<FrontierEntry>> claim_due(std::size_t limit, std::int64_t now_ms) = 0;
  // The earliest next_due_ms among queued rows, or none when nothing is queued.
  virtual Result<std::optional<std::int64_t>> next_due_ms() = 0;
  // One transaction: seeds, then every page (URL interning, page row unless a
  // retry, frontier update, redirects, links, discovered URLs).
  virtual Status write(const WriteBatch& batch) = 0;
  virtual Result<std::int64_t> begin_run(const RunInfo& run) = 0;
  // Recrawls (see RecrawlPass). begin_recrawl: one transaction; continues the
  // open pass when there is one, else opens one and requeues every done and
  // failed row (attempts and due time reset; depth kept) but those of trap
  // rows (error_class 'trap': never fetched, nothing to revisit). end_recrawl closes
  // every open pass (a crawl that completed finished it, --recrawl or not).
  // Not pure, like find_page: a store without them answers internal to
  // begin_recrawl, and end_recrawl does nothing (it has no pass open).
  virtual Result<RecrawlPass> begin_recrawl(std::int64_t now_ms);
  virtual Status end_recrawl(std::int64_t now_ms);
  virtual Status end_run(std::int64_t run_id, const RunEnd& end) = 0;

  // ---- fleet (OpenOptions::fleet; not pure: a store without fleet mode
  // answers none / internal). In fleet mode release_claims() releases only
  // claims whose lease expired, and claim_due() (also with limit 0: a
  // heartbeat) renews this worker's host and URL leases, takes free or
  // expired host leases when its held hosts have fewer due rows than asked,
  // and claims due rows (queued, or claimed under an expired lease) of the
  // hosts it holds only. ----
  // The lease length when open in fleet mode.
  virtual std::optional<std::int64_t> fleet_lease_ms() const { return std::nullopt; }
  // The hosts ("scheme://host[:port]" as in the URL, fleet_host()) this
  // worker held after its last claim_due(); no round trip.
  virtual Result<std::vector<std::string>> held_hosts();
  // True while some worker may still have work: a queued row (due or not),
  // or a row claimed under a live lease (any worker's, this one's included).
  // With FleetOptions::max_pages, queued rows count only while the budget
  // is not spent.
  virtual Result<bool> fleet_work_left(std::int64_t now_ms);
  // After fleet_work_left() answered false: whether the fleet's page budget
  // (FleetOptions::max_pages) was spent then (the crawl ends at its page
  // limit, not complete). Readable from the thread that awaited that answer.
  virtual bool fleet_budget_spent() const { return false; }

  // ---- the crawl's writer on the event loop (store/async_crawl_writer.h) ----
  // A writer running write, claim_due, next_due_ms, held_hosts and
  // fleet_work_left (and fleet lease renewal) as coroutines on `executor`'s
  // loop, with no thread blocked; null when the engine has no non-blocking
  // driver (SQLite). The store must outlive it, and its blocking writer
  // methods must not run while the writer is in use. (A shared_ptr: it can
  // be returned here without the type being complete, so this header needs
  // no Asio.)
  virtual std::shared_ptr<AsyncCrawlWriter> async_writer(const AsyncWriterExecutor& executor) {
    (void)executor;
    return nullptr;
  }

  // ---- reader side ----
  // Pages (requested URLs) sorted by URL; only those with that final HTTP
  // status when `status` is set.
  virtual Result<std::vector<std::string>> page_urls(std::optional<int> status) = 0;
  virtual Result<CrawlStats> stats() = 0;
  virtual Result<std::int64_t> page_count() = 0;
  // The stored page of a requested URL, none when it has no page row: every
  // PageRecord field as written, `state` and `next_due_ms` from its frontier
  // row, redirects and links in order; `discovered` stays empty. Not pure:
  // an engine (or a test fake) without it answers internal.
  virtual Result<std::optional<PageRecord>> find_page(std::string_view url);

  // ---- serving (preheat serve). Not pure, like find_page: a store without
  // them answers internal. ----
  // Writer side: creates the indexes serving needs and a crawl does not
  // maintain (SQLite: links_in on links(to_id, from_id, seq, anchor);
  // PostgreSQL: links_to on links(to_id); see docs/schema.md); idempotent.
  // Takes the write lock for one sort of the links table the first time.
  virtual Status ensure_serving_indexes();
  // The links of the page whose requested URL is `url`, in document order,
  // with their targets' status; at most `limit`.
  virtual Result<std::vector<LinkView>> out_links(std::string_view url, std::size_t limit);
  // The pages linking to `url`, sorted by URL, at most `limit`. Without the
  // serving index this is a scan of every link (correct, slow).
  virtual Result<std::vector<InLink>> in_links(std::string_view url, std::size_t limit);
  // The page of a requested URL with its out-links and in-links (at most
  // `limit` of each), none when it has no page row. The default composes
  // find_page, out_links and in_links; an engine may read it in one snapshot
  // without the text (SQLite: one read transaction, each row read once).
  virtual Result<std::optional<PageView>> page_view(std::string_view url, std::size_t limit);
  // Failing targets, the most linked first (then by URL); at most `limit`,
  // each with at most `referrers_per_target` linking pages.
  virtual Result<std::vector<BrokenTarget>> broken_targets(std::size_t limit, std::size_t referrers_per_target);
  // Every run, the latest first.
  virtual Result<std::vector<RunSummary>> runs();
  // The fetches of run `run_id` (none: the latest run), at most about
  // `max_spans` of them (sampled evenly by stride); none when no such run.
  virtual Result<std::optional<RunTimeline>> run_timeline(std::optional<std::int64_t> run_id,
                                                          std::size_t max_spans);
  // Pages per time bucket from the first fetch to the last, in `buckets`
  // equal buckets (fewer when the crawl is shorter than `buckets` ms).
  virtual Result<TimeHistogram> pages_over_time(std::size_t buckets);

  // Writer side: builds the full-text index of pages' titles and texts when
  // missing, and brings it up to date when pages were written since (derived
  // data, not part of the schema version; a crawl never maintains it). An
  // unchanged database costs one read of the pages table's small columns;
  // new pages are added; anything else (a page rewritten, rows deleted) is a
  // rebuild. One write transaction: a concurrent crawl's writer waits for it.
  virtual Result<SearchIndexRefresh> refresh_search_index();
  // Pages matching `query`, best first: the total and the slice
  // [offset, offset + limit). Errors: invalid_argument when the query has
  // nothing searchable (no term with a letter or digit), not_found when the
  // index was never built (refresh_search_index on a writable open).
  virtual Result<SearchResults> search(const SearchQuery& query, std::size_t offset, std::size_t limit);

  // ---- export (preheat export, and serve's /export.warc.gz). Not pure,
  // like find_page. Each call is one short read; page through with the last
  // id (or link key) returned. ----
  // Page rows with id > after_id, in id order, at most `limit`.
  virtual Result<std::vector<StoredPage>> pages_after(UrlId after_id, std::size_t limit);
  // Body rows with page_id > after_id, in id order: at most `limit`, and
  // no more once `max_bytes` of bodies were read (always at least one row).
  virtual Result<std::vector<StoredBody>> bodies_after(UrlId after_id, std::size_t limit, std::size_t max_bytes);
  // Link rows after (from_id, seq), in that order, at most `limit`.
  virtual Result<std::vector<LinkExport>> links_after(UrlId from_id, std::int64_t seq, std::size_t limit);
  virtual Result<BodyCounts> body_counts();
};

// Opens (creating when missing, unless read_only) and migrates to
// kSchemaVersion. Errors: an unwritable path (io_error), a file that is not
// a preheat database (invalid_argument: bad input, left untouched), a newer
// schema (invalid_argument naming both versions), a read-only open of a
// missing file (not_found).
// The host a fleet leases a URL under: the URL up to its path ("http://h:8080"
// of "http://h:8080/a?b"), as the PostgreSQL store's SQL cuts it (the port
// stays as written: normalised URLs omit default ports). Pure.
std::string fleet_host(std::string_view url);

// Whether open_crawl_store() opens `location` on PostgreSQL: a libpq URI
// ("postgresql://..." or "postgres://..."). Pure.
bool is_postgres_location(std::string_view location);

Result<std::unique_ptr<CrawlStore>> open_crawl_store(const std::string& location,
                                                     const OpenOptions& options = {});

}  // namespace preheat::store
