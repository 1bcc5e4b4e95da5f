// The writer side of SqliteCrawlStore and opening; the reader side is in
// sqlite_crawl_store_read.cc.
#include "store/sqlite/sqlite_crawl_store.h"

#include <filesystem>
#include <iterator>
#include <limits>
#include <utility>

#include "store/sqlite/fts5_token_probe.h"
#include "store/sqlite/migrations.h"

namespace preheat::store::sqlite {
namespace {

constexpr std::string_view kBusyTimeout = "PRAGMA busy_timeout = 5000";
// Negative: KiB. The writer's cache holds the hot part of the urls index.
constexpr std::string_view kWriterCache = "PRAGMA cache_size = -32768";
constexpr std::string_view kReaderCache = "PRAGMA cache_size = -8192";
// A checkpoint every ~40 MB of WAL instead of SQLite's 4 MB: a page dirtied by
// several batches is copied back once, and the fsync comes 10x less often.
constexpr std::string_view kCheckpoint = "PRAGMA wal_autocheckpoint = 10000";
// ... and the WAL file is cut back to 64 MB after a checkpoint.
constexpr std::string_view kJournalLimit = "PRAGMA journal_size_limit = 67108864";
// 16k slots: the navigation links every page repeats stay cached (a few MB).
constexpr int kUrlCacheSlotsLog2 = 14;

// A page's links are inserted by multi-row INSERTs of these fixed sizes,
// largest first (a page of 314 links: 4 x 64, 3 x 16, 2 x 4, 2 x 1). One
// statement per row cost ~7,700 instructions in SQLite (callgrind, a crawl of
// the Python docs); much of it was per statement (opening the cursor, the
// B-tree seek from the root, halting), which a batch pays once
// (docs/schema.md, "Writes and crash safety"; docs/measurements.md, "What limits
// crawl (c)").
constexpr std::size_t kLinkBatchSizes[] = {64, 16, 4, 1};

// "INSERT INTO links ... VALUES (?1, ?2, ?3, ?4, ?5, ?6), (?1, ?2 + 1, ?7, ...)":
// from_id (?1) and the first seq (?2) are bound once; row k gets seq ?2 + k
// and its own to_id, tag, rel, anchor.
std::string link_insert_sql(std::size_t rows) {
  std::string sql = "INSERT INTO links (from_id, seq, to_id, tag, rel, anchor) VALUES ";
  for (std::size_t k = 0; k < rows; ++k) {
    const std::size_t p = 3 + 4 * k;
    sql += k == 0 ? "(?1, ?2" : ", (?1, ?2 + " + std::to_string(k);
    for (std::size_t c = 0; c < 4; ++c) sql += ", ?" + std::to_string(p + c);
    sql += ")";
  }
  return sql;
}

int state_code(FrontierState state) {
  return static_cast<int>(state);
}

}  // namespace

// Every statement of the write path, prepared once.
struct SqliteCrawlStore::WriterStatements {
  Statement select_url;
  Statement insert_url;
  Statement add_frontier;
  Statement set_frontier;
  Statement replace_page;
  Statement revalidate_page;
  Statement delete_links;
  Statement delete_redirects;
  // insert_links[i] inserts kLinkBatchSizes[i] rows (link_insert_sql).
  Statement insert_links[std::size(kLinkBatchSizes)];
  Statement insert_redirect;
  Statement replace_body;
  Statement delete_body;
  Statement claim_select;
  Statement claim_mark;
};

Result<std::unique_ptr<SqliteCrawlStore>> SqliteCrawlStore::open(const std::string& path, const OpenOptions& options) {
  if (options.read_only && options.fresh) {
    return Status::invalid_argument("cannot empty crawl database '" + path + "' (fresh) when opening it read-only");
  }
  if (options.read_only) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Status::not_found("no crawl database at '" + path + "'");
  }
  Result<Connection> db =
      Connection::open(path, options.read_only ? Connection::Mode::kReadOnly : Connection::Mode::kReadWriteCreate);
  if (!db.ok()) return db.status();
  if (Status s = db->exec(kBusyTimeout, "set busy_timeout"); !s.ok()) return s;

  // Identity first: nothing is written to a file that is not ours.
  Result<DatabaseIdentity> identity = read_identity(*db);
  if (!identity.ok()) return identity.status();
  if (options.read_only && options.upgrade && identity->application_id == kApplicationId &&
      identity->user_version > 0 && identity->user_version < kSchemaVersion) {
    // An older schema: one short writable open migrates it, then read-only.
    *db = Connection();
    OpenOptions writer;
    Result<std::unique_ptr<SqliteCrawlStore>> migrated = open(path, writer);
    if (!migrated.ok()) return migrated.status();
    migrated->reset();
    OpenOptions again = options;
    again.upgrade = false;
    return open(path, again);
  }
  if (Status s = check_identity(*identity, path, options.read_only); !s.ok()) return s;

  if (options.read_only) {
    if (Status s = db->exec(kReaderCache, "set cache_size"); !s.ok()) return s;
  } else {
    // WAL is stored in the file: readers opened later find it too.
    Result<Statement> wal = db->prepare("PRAGMA journal_mode = WAL");
    if (!wal.ok()) return wal.status();
    Result<bool> row = wal->step();
    if (!row.ok()) return row.status();
    const std::string mode = *row ? std::string(wal->column_text(0)) : "";
    wal->reset();
    if (mode != "wal" && mode != "memory") {
      return Status::io_error("crawl database '" + path + "': cannot switch to WAL journal mode (got '" + mode + "')");
    }
    if (Status s = db->exec("PRAGMA synchronous = NORMAL", "set synchronous"); !s.ok()) return s;
    if (Status s = db->exec(kWriterCache, "set cache_size"); !s.ok()) return s;
    if (Status s = db->exec(kCheckpoint, "set wal_autocheckpoint"); !s.ok()) return s;
    if (Status s = db->exec(kJournalLimit, "set journal_size_limit"); !s.ok()) return s;
    if (Status s = apply_migrations(*db); !s.ok()) return s;
  }

  std::unique_ptr<SqliteCrawlStore> store(new SqliteCrawlStore(std::move(*db), options));
  if (!options.read_only) {
    if (Status s = store->prepare_writer(); !s.ok()) return s;
    if (options.fresh) {
      if (Status s = store->delete_all_rows(); !s.ok()) return s;
    }
  }
  return store;
}

SqliteCrawlStore::SqliteCrawlStore(Connection db, OpenOptions options)
    : db_(std::move(db)), options_(std::move(options)), url_ids_(options_.read_only ? -1 : kUrlCacheSlotsLog2) {}

SqliteCrawlStore::~SqliteCrawlStore() = default;

Status SqliteCrawlStore::prepare_writer() {
  auto w = std::make_unique<WriterStatements>();
  struct Item {
    Statement* stmt;
    std::string_view sql;
  };
  const Item items[] = {
      {&w->select_url, "SELECT id FROM urls WHERE url = ?1"},
      {&w->insert_url, "INSERT INTO urls (url) VALUES (?1) ON CONFLICT (url) DO NOTHING"},
      {&w->add_frontier,
       "INSERT INTO frontier (url_id, state, depth, discovered_from) VALUES (?1, ?2, ?3, ?4) "
       "ON CONFLICT (url_id) DO NOTHING"},
      {&w->set_frontier,
       "INSERT INTO frontier (url_id, state, depth, attempts, next_due_ms) VALUES (?1, ?2, ?3, ?4, ?5) "
       "ON CONFLICT (url_id) DO UPDATE SET "
       "state = excluded.state, attempts = excluded.attempts, next_due_ms = excluded.next_due_ms"},
      {&w->replace_page,
       "INSERT OR REPLACE INTO pages (url_id, final_url_id, status, depth, attempts, fetched_at_ms, elapsed_s, "
       "bytes, wire_bytes, content_hash, run_id, error_class, content_type, etag, last_modified, canonical, "
       "language, title, description, error_message, text, robots, checked_at_ms, not_modified) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
       "?22, ?23, ?24)"},
      // A 304: the stored content stays; a validator the 304 repeats or
      // updates replaces the stored one, an absent one keeps it.
      {&w->revalidate_page,
       "UPDATE pages SET checked_at_ms = ?2, not_modified = 1, "
       "etag = CASE WHEN ?3 != '' THEN ?3 ELSE etag END, "
       "last_modified = CASE WHEN ?4 != '' THEN ?4 ELSE last_modified END WHERE url_id = ?1"},
      {&w->delete_links, "DELETE FROM links WHERE from_id = ?1"},
      {&w->delete_redirects, "DELETE FROM redirects WHERE page_id = ?1"},
      {&w->insert_redirect, "INSERT INTO redirects (page_id, hop, from_id, to_id, status) VALUES (?1, ?2, ?3, ?4, ?5)"},
      {&w->replace_body,
       "INSERT OR REPLACE INTO bodies (page_id, request_block, response_block, body) VALUES (?1, ?2, ?3, ?4)"},
      {&w->delete_body, "DELETE FROM bodies WHERE page_id = ?1"},
      // `state = 0` is written out so the partial index frontier_due serves it.
      // The URL's page row, when it has one (a recrawl), gives the validators
      // of a conditional request (one primary-key probe per claimed row).
      {&w->claim_select,
       "SELECT f.url_id, u.url, f.depth, f.attempts, p.url_id IS NOT NULL, p.status, p.etag, p.last_modified, "
       "p.content_hash, p.bytes, p.final_url_id != p.url_id "
       "FROM frontier f JOIN urls u ON u.id = f.url_id LEFT JOIN pages p ON p.url_id = f.url_id "
       "WHERE f.state = 0 AND f.next_due_ms <= ?1 ORDER BY f.depth, f.url_id LIMIT ?2"},
      {&w->claim_mark, "UPDATE frontier SET state = 1 WHERE url_id = ?1"},
  };
  for (const Item& item : items) {
    Result<Statement> stmt = db_.prepare(item.sql, /*persistent=*/true);
    if (!stmt.ok()) return stmt.status();
    *item.stmt = std::move(*stmt);
  }
  for (std::size_t i = 0; i < std::size(kLinkBatchSizes); ++i) {
    Result<Statement> stmt = db_.prepare(link_insert_sql(kLinkBatchSizes[i]), /*persistent=*/true);
    if (!stmt.ok()) return stmt.status();
    w->insert_links[i] = std::move(*stmt);
  }
  w_ = std::move(w);
  return Status();
}

Status SqliteCrawlStore::writable() const {
  if (!w_) return Status::invalid_argument("crawl database '" + db_.path() + "' is open read-only");
  return Status();
}

Status SqliteCrawlStore::delete_all_rows() {
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kImmediate);
  if (!tx.ok()) return tx.status();
  for (std::string_view table : {"links", "redirects", "bodies", "pages", "frontier", "urls", "runs", "recrawls"}) {
    if (Status s = db_.exec("DELETE FROM " + std::string(table), "fresh: empty " + std::string(table)); !s.ok()) {
      return s;
    }
  }
  url_ids_.clear();
  current_run_.reset();
  return tx->commit();
}

Result<UrlId> SqliteCrawlStore::intern(std::string_view url, bool probably_new) {
  const std::uint64_t hash = UrlIdCache::hash(url);
  if (std::optional<std::int64_t> id = url_ids_.find(url, hash)) return *id;
  // Each returns the id, or none when the URL is not there / was already there.
  const auto insert = [&]() -> Result<std::optional<UrlId>> {
    if (Status s = w_->insert_url.bind_text(1, url).run(); !s.ok()) return s;
    if (db_.changes() == 0) return std::optional<UrlId>();
    return std::optional<UrlId>(db_.last_insert_rowid());
  };
  const auto lookup = [&]() -> Result<std::optional<UrlId>> {
    Statement& select = w_->select_url;
    Result<bool> row = select.bind_text(1, url).step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<UrlId>();
    const UrlId id = select.column_int64(0);
    select.reset();
    return std::optional<UrlId>(id);
  };
  // One statement when the guess is right, two when wrong: a URL that is
  // probably new is inserted first, any other one looked up first.
  Result<std::optional<UrlId>> first = probably_new ? insert() : lookup();
  if (!first.ok()) return first.status();
  Result<std::optional<UrlId>> id = *first ? std::move(first) : (probably_new ? lookup() : insert());
  if (!id.ok()) return id.status();
  if (!*id)
    return Status::internal("crawl database '" + db_.path() + "': URL neither found nor inserted: " + std::string(url));
  url_ids_.put(url, hash, **id);
  return **id;
}

Status SqliteCrawlStore::add_frontier(const NewUrl& entry, std::optional<UrlId> discovered_from) {
  // The crawler sends URLs it has not seen before: most are new to the table.
  Result<UrlId> id = intern(entry.url, /*probably_new=*/true);
  if (!id.ok()) return id.status();
  Statement& add = w_->add_frontier;
  add.bind_int64(1, *id)
      .bind_int64(2, state_code(entry.claimed ? FrontierState::kClaimed : FrontierState::kQueued))
      .bind_int64(3, entry.depth);
  if (discovered_from) {
    add.bind_int64(4, *discovered_from);
  } else {
    add.bind_null(4);
  }
  return add.run();
}

Status SqliteCrawlStore::write_page(const PageRecord& page) {
  if (page.state == FrontierState::kClaimed) {
    return Status::invalid_argument("page record for '" + page.url + "': state must be done, failed or queued");
  }
  Result<UrlId> page_id = intern(page.url);
  if (!page_id.ok()) return page_id.status();
  const UrlId id = *page_id;
  // Discovered URLs first: they are interned as new, and the links that point
  // to them then find their ids in the cache.
  for (const NewUrl& d : page.discovered) {
    if (Status s = add_frontier(d, id); !s.ok()) return s;
  }

  if (page.state == FrontierState::kQueued) {
    // A retry: only the frontier row changes.
    Status s = w_->set_frontier.bind_int64(1, id)
                   .bind_int64(2, state_code(FrontierState::kQueued))
                   .bind_int64(3, page.depth)
                   .bind_int64(4, page.attempts)
                   .bind_int64(5, page.next_due_ms)
                   .run();
    if (!s.ok()) return s;
  } else {
    if (page.not_modified) {
      Status s = w_->revalidate_page.bind_int64(1, id)
                     .bind_int64(2, page.checked_at_ms != 0 ? page.checked_at_ms : page.fetched_at_ms)
                     .bind_text(3, page.etag)
                     .bind_text(4, page.last_modified)
                     .run();
      if (!s.ok()) return s;
      if (db_.changes() > 0) {
        return w_->set_frontier.bind_int64(1, id)
            .bind_int64(2, state_code(page.state))
            .bind_int64(3, page.depth)
            .bind_int64(4, page.attempts)
            .bind_int64(5, 0)
            .run();
      }
      // No stored row to keep: written like any other record below.
    }
    UrlId final_id = id;
    if (!page.final_url.empty() && page.final_url != page.url) {
      Result<UrlId> f = intern(page.final_url);
      if (!f.ok()) return f.status();
      final_id = *f;
    }
    Statement& p = w_->replace_page;
    p.bind_int64(1, id)
        .bind_int64(2, final_id)
        .bind_int64(3, page.status)
        .bind_int64(4, page.depth)
        .bind_int64(5, page.attempts)
        .bind_int64(6, page.fetched_at_ms)
        .bind_double(7, page.elapsed_s)
        .bind_int64(8, static_cast<std::int64_t>(page.bytes))
        .bind_int64(9, static_cast<std::int64_t>(page.wire_bytes));
    // The hash's 64 bits as a signed integer (SQLite has no unsigned type).
    if (page.content_hash) {
      p.bind_int64(10, static_cast<std::int64_t>(*page.content_hash));
    } else {
      p.bind_null(10);
    }
    if (current_run_) {
      p.bind_int64(11, *current_run_);
    } else {
      p.bind_null(11);
    }
    p.bind_text(12, page.error_class)
        .bind_text(13, page.content_type)
        .bind_text(14, page.etag)
        .bind_text(15, page.last_modified)
        .bind_text(16, page.canonical)
        .bind_text(17, page.language)
        .bind_text(18, page.title)
        .bind_text(19, page.description)
        .bind_text(20, page.error_message)
        .bind_text(21, page.text)
        .bind_text(22, page.robots)
        .bind_int64(23, page.checked_at_ms != 0 ? page.checked_at_ms : page.fetched_at_ms)
        .bind_int64(24, page.not_modified ? 1 : 0);
    if (Status s = p.run(); !s.ok()) return s;
    if (page.keep_body) {
      Status s = w_->replace_body.bind_int64(1, id)
                     .bind_blob(2, page.request_block)
                     .bind_blob(3, page.response_block)
                     .bind_blob(4, page.body)
                     .run();
      if (!s.ok()) return s;
    } else if (Status s = w_->delete_body.bind_int64(1, id).run(); !s.ok()) {
      return s;
    }
    // A recrawl replaces what the page said before.
    if (Status s = w_->delete_links.bind_int64(1, id).run(); !s.ok()) return s;
    if (Status s = w_->delete_redirects.bind_int64(1, id).run(); !s.ok()) return s;
    // A page reached through a redirect has no frontier row yet: insert it.
    Status s = w_->set_frontier.bind_int64(1, id)
                   .bind_int64(2, state_code(page.state))
                   .bind_int64(3, page.depth)
                   .bind_int64(4, page.attempts)
                   .bind_int64(5, 0)
                   .run();
    if (!s.ok()) return s;

    for (std::size_t hop = 0; hop < page.redirects.size(); ++hop) {
      const RedirectRecord& r = page.redirects[hop];
      Result<UrlId> from = intern(r.from_url);
      if (!from.ok()) return from.status();
      Result<UrlId> to = intern(r.to_url);
      if (!to.ok()) return to.status();
      s = w_->insert_redirect.bind_int64(1, id)
              .bind_int64(2, static_cast<std::int64_t>(hop))
              .bind_int64(3, *from)
              .bind_int64(4, *to)
              .bind_int64(5, r.status)
              .run();
      if (!s.ok()) return s;
    }
    if (s = insert_links(id, page.links); !s.ok()) return s;
  }
  return Status();
}

Status SqliteCrawlStore::insert_links(UrlId from, const std::vector<LinkRecord>& links) {
  std::size_t seq = 0;
  for (std::size_t i = 0; i < std::size(kLinkBatchSizes); ++i) {
    const std::size_t rows = kLinkBatchSizes[i];
    Statement& insert = w_->insert_links[i];
    for (; links.size() - seq >= rows; seq += rows) {
      insert.bind_int64(1, from).bind_int64(2, static_cast<std::int64_t>(seq));
      for (std::size_t k = 0; k < rows; ++k) {
        const LinkRecord& link = links[seq + k];
        Result<UrlId> to = intern(link.to_url);
        if (!to.ok()) return to.status();
        const int p = static_cast<int>(3 + 4 * k);
        insert.bind_int64(p, *to).bind_text(p + 1, link.tag).bind_text(p + 2, link.rel).bind_text(p + 3, link.anchor);
      }
      if (Status s = insert.run(); !s.ok()) return s;
    }
  }
  return Status();
}

Status SqliteCrawlStore::write_batch(const WriteBatch& batch) {
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kImmediate);
  if (!tx.ok()) return tx.status();
  for (const NewUrl& seed : batch.seeds) {
    if (Status s = add_frontier(seed, std::nullopt); !s.ok()) return s;
  }
  for (std::size_t i = 0; i < batch.pages.size(); ++i) {
    if (Status s = write_page(batch.pages[i]); !s.ok()) return s;
    if (i == 0 && options_.after_first_page_for_test) options_.after_first_page_for_test();
  }
  return tx->commit();
}

Status SqliteCrawlStore::write(const WriteBatch& batch) {
  if (Status s = writable(); !s.ok()) return s;
  Status s = write_batch(batch);
  // Rolled back: URL ids handed out in this transaction may be reused.
  if (!s.ok()) url_ids_.clear();
  return s;
}

Result<std::int64_t> SqliteCrawlStore::release_claims() {
  if (Status s = writable(); !s.ok()) return s;
  if (Status s = db_.exec("UPDATE frontier SET state = 0 WHERE state = 1", "release claims"); !s.ok()) return s;
  return db_.changes();
}

Result<std::vector<FrontierEntry>> SqliteCrawlStore::claim_due(std::size_t limit, std::int64_t now_ms) {
  if (Status s = writable(); !s.ok()) return s;
  std::vector<FrontierEntry> out;
  if (limit == 0) return out;
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kImmediate);
  if (!tx.ok()) return tx.status();
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  Statement& select = w_->claim_select;
  select.bind_int64(1, now_ms).bind_int64(2, static_cast<std::int64_t>(std::min(limit, kMax)));
  {
    ResetOnExit reset(select);
    while (true) {
      Result<bool> row = select.step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      FrontierEntry e{select.column_int64(0), std::string(select.column_text(1)),
                      static_cast<int>(select.column_int64(2)), static_cast<int>(select.column_int64(3)), std::nullopt};
      if (select.column_int64(4) != 0) {
        PreviousFetch prev;
        prev.status = static_cast<int>(select.column_int64(5));
        prev.redirected = select.column_int64(10) != 0;
        if (!prev.redirected) {
          prev.etag = select.column_text(6);
          prev.last_modified = select.column_text(7);
        }
        if (!select.column_is_null(8)) prev.content_hash = static_cast<std::uint64_t>(select.column_int64(8));
        prev.bytes = static_cast<std::uint64_t>(select.column_int64(9));
        e.previous = std::move(prev);
      }
      out.push_back(std::move(e));
    }
  }
  for (const FrontierEntry& entry : out) {
    if (Status s = w_->claim_mark.bind_int64(1, entry.id).run(); !s.ok()) return s;
  }
  if (Status s = tx->commit(); !s.ok()) return s;
  return out;
}

Result<std::int64_t> SqliteCrawlStore::begin_run(const RunInfo& run) {
  if (Status s = writable(); !s.ok()) return s;
  Result<Statement> insert =
      db_.prepare("INSERT INTO runs (started_at_ms, mode, seeds, options) VALUES (?1, ?2, ?3, ?4)");
  if (!insert.ok()) return insert.status();
  Status s = insert->bind_int64(1, run.started_at_ms)
                 .bind_text(2, run.mode)
                 .bind_text(3, run.seeds)
                 .bind_text(4, run.options)
                 .run();
  if (!s.ok()) return s;
  current_run_ = db_.last_insert_rowid();
  return *current_run_;
}

Result<RecrawlPass> SqliteCrawlStore::begin_recrawl(std::int64_t now_ms) {
  if (Status s = writable(); !s.ok()) return s;
  Result<Transaction> tx = Transaction::begin(db_, Transaction::Kind::kImmediate);
  if (!tx.ok()) return tx.status();
  RecrawlPass pass;
  Status s = for_each_row(db_, "SELECT id, started_at_ms, requeued FROM recrawls WHERE ended_at_ms IS NULL "
                               "ORDER BY id DESC LIMIT 1",
                          [](Statement&) {},
                          [&](Statement& r) {
                            pass.id = r.column_int64(0);
                            pass.started_at_ms = r.column_int64(1);
                            pass.requeued = r.column_int64(2);
                            pass.resumed = true;
                          });
  if (!s.ok()) return s;
  if (!pass.resumed) {
    // `state = 0` rows are untouched: URLs still waiting keep their attempts
    // and due times. Claimed rows were released by release_claims(). Rows of
    // URLs the crawler refused as traps (error_class 'trap', docs/schema.md)
    // stay done: they were never asked of a server, there is nothing to revisit.
    s = db_.exec("UPDATE frontier SET state = 0, attempts = 0, next_due_ms = 0 WHERE state IN (2, 3) "
                 "AND url_id NOT IN (SELECT url_id FROM pages WHERE error_class = 'trap')",
                 "recrawl: requeue done and failed rows");
    if (!s.ok()) return s;
    pass.requeued = db_.changes();
    pass.started_at_ms = now_ms;
    Result<Statement> insert = db_.prepare("INSERT INTO recrawls (started_at_ms, requeued) VALUES (?1, ?2)");
    if (!insert.ok()) return insert.status();
    if (s = insert->bind_int64(1, now_ms).bind_int64(2, pass.requeued).run(); !s.ok()) return s;
    pass.id = db_.last_insert_rowid();
  }
  Result<std::int64_t> handled = db_.query_int64("SELECT count(*) FROM frontier WHERE state IN (2, 3)");
  if (!handled.ok()) return handled.status();
  pass.handled = *handled;
  if (s = tx->commit(); !s.ok()) return s;
  return pass;
}

Status SqliteCrawlStore::end_recrawl(std::int64_t now_ms) {
  if (Status s = writable(); !s.ok()) return s;
  Result<Statement> update = db_.prepare("UPDATE recrawls SET ended_at_ms = ?1 WHERE ended_at_ms IS NULL");
  if (!update.ok()) return update.status();
  return update->bind_int64(1, now_ms).run();
}

Status SqliteCrawlStore::end_run(std::int64_t run_id, const RunEnd& end) {
  if (Status s = writable(); !s.ok()) return s;
  Result<Statement> update = db_.prepare(
      "UPDATE runs SET ended_at_ms = ?2, wall_s = ?3, execution_s = ?4, pages = ?5, outcome = ?6 WHERE id = ?1");
  if (!update.ok()) return update.status();
  Status s = update->bind_int64(1, run_id)
                 .bind_int64(2, end.ended_at_ms)
                 .bind_double(3, end.wall_s)
                 .bind_double(4, end.execution_s)
                 .bind_int64(5, end.pages)
                 .bind_text(6, end.outcome)
                 .run();
  if (!s.ok()) return s;
  if (db_.changes() == 0) {
    return Status::not_found("crawl database '" + db_.path() + "' has no run " + std::to_string(run_id));
  }
  if (current_run_ == run_id) current_run_.reset();
  return Status();
}

}  // namespace preheat::store::sqlite
