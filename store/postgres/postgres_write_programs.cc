#include "store/postgres/postgres_write_programs.h"

#include <algorithm>
#include <utility>

namespace preheat::store::postgres {
namespace {

// Pipelined statements are read back every this many pages by the blocking
// driver: results pile up in the socket meanwhile, and a blocking connection
// must never let the server stall on a full buffer while it is still sending
// (libpq's pipeline deadlock). 16 pages of ~35 statements each: a few kB of
// results. (The async driver needs no such points: pg_program.h.)
constexpr std::size_t kPagesPerSync = 16;

int state_code(FrontierState state) {
  return static_cast<int>(state);
}

// Interning: every URL of a batch in one statement. Ids are drawn in the
// batch's order (claim_due's "oldest first" is id order), rows inserted in
// URL order: two writers racing on the same new URLs lock their index
// entries in the same order, so they wait for each other instead of
// deadlocking, and the loser's ON CONFLICT DO NOTHING skips them.
// One statement answers every id: the URLs found, and those it inserted
// (RETURNING; one index probe per URL instead of two, one round trip). A URL
// another writer inserted meanwhile is neither (this statement's snapshot
// does not see it, and DO NOTHING skips it): kUrlIds looks those up after.
constexpr std::string_view kInternUrls =
    "WITH given AS (SELECT t.v, t.n, u.id FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n) "
    "LEFT JOIN urls u ON md5(u.url) = md5(t.v) AND u.url = t.v), "
    "ins AS (INSERT INTO urls (id, url) SELECT id, v FROM ("
    "SELECT v, nextval(pg_get_serial_sequence('urls', 'id')) AS id FROM given WHERE given.id IS NULL ORDER BY n) s "
    "ORDER BY v ON CONFLICT ((md5(url))) DO NOTHING RETURNING id, url) "
    "SELECT id, v FROM given WHERE id IS NOT NULL UNION ALL SELECT id, url FROM ins";
constexpr std::string_view kUrlIds =
    "SELECT u.id, u.url FROM unnest($1::text[]) AS t(v) JOIN urls u ON md5(u.url) = md5(t.v) AND u.url = t.v";
constexpr std::string_view kHasPageRow = "SELECT url_id FROM pages WHERE url_id = ANY($1::bigint[])";

// One statement: rows another transaction holds are skipped, not waited
// for, so concurrent claimers never share a URL. The URL's page row (a
// recrawl) gives the validators of a conditional request.
constexpr std::string_view kClaimDue =
    "WITH c AS (SELECT url_id FROM frontier WHERE state = 0 AND next_due_ms <= $1 ORDER BY depth, url_id "
    "LIMIT $2 FOR UPDATE SKIP LOCKED) "
    "UPDATE frontier f SET state = 1 FROM c JOIN urls u ON u.id = c.url_id LEFT JOIN pages p ON p.url_id = c.url_id "
    "WHERE f.url_id = c.url_id RETURNING f.url_id, u.url, f.depth, f.attempts, p.url_id IS NOT NULL, p.status, "
    "p.etag, p.last_modified, p.content_hash, p.bytes, p.final_url_id <> p.url_id";

PgStep query_step(std::string_view sql, Params params) {
  PgStep step;
  step.statements.push_back(PgStepStatement{std::string(sql), std::move(params), false});
  return step;
}

void add(PgStep& step, const char* name, Params p) {
  step.statements.push_back(PgStepStatement{name, std::move(p), true});
}

}  // namespace

const std::vector<PgNamedStatement>& writer_statements() {
  static const std::vector<PgNamedStatement> statements = {
      // A page's discovered URLs (or a batch's seeds: $1 NULL) in one
      // statement, arrays in discovery order: one statement per page instead
      // of one per URL (docs/measurements.md). Duplicates in the arrays keep the
      // first (DO NOTHING); rows go in id order, as two writers racing on the
      // same new rows should.
      {"add_frontier",
       "INSERT INTO frontier (url_id, state, depth, discovered_from, host) SELECT i, s, d, $1, h "
       "FROM unnest($2::bigint[], $3::smallint[], $4::int[], $5::text[]) WITH ORDINALITY AS x(i, s, d, h, n) "
       "ORDER BY i, n ON CONFLICT (url_id) DO NOTHING"},
      {"set_frontier",
       "INSERT INTO frontier (url_id, state, depth, attempts, next_due_ms, host) VALUES ($1, $2, $3, $4, $5, $6) "
       "ON CONFLICT (url_id) DO UPDATE SET state = excluded.state, attempts = excluded.attempts, "
       "next_due_ms = excluded.next_due_ms, claimed_by = NULL, lease_until_ms = NULL"},
      {"replace_page",
       "INSERT INTO pages (url_id, final_url_id, status, depth, attempts, fetched_at_ms, elapsed_s, bytes, "
       "wire_bytes, content_hash, run_id, error_class, content_type, etag, last_modified, canonical, language, "
       "title, description, error_message, text, robots, checked_at_ms, not_modified) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, "
       "$22, $23, $24) ON CONFLICT (url_id) DO UPDATE SET final_url_id = excluded.final_url_id, "
       "status = excluded.status, depth = excluded.depth, attempts = excluded.attempts, "
       "fetched_at_ms = excluded.fetched_at_ms, elapsed_s = excluded.elapsed_s, bytes = excluded.bytes, "
       "wire_bytes = excluded.wire_bytes, content_hash = excluded.content_hash, run_id = excluded.run_id, "
       "error_class = excluded.error_class, content_type = excluded.content_type, etag = excluded.etag, "
       "last_modified = excluded.last_modified, canonical = excluded.canonical, language = excluded.language, "
       "title = excluded.title, description = excluded.description, error_message = excluded.error_message, "
       "text = excluded.text, robots = excluded.robots, checked_at_ms = excluded.checked_at_ms, "
       "not_modified = excluded.not_modified"},
      // A 304: the stored content stays; a validator the 304 repeats or
      // updates replaces the stored one, an absent one keeps it.
      {"revalidate_page",
       "UPDATE pages SET checked_at_ms = $2, not_modified = true, "
       "etag = CASE WHEN $3 <> '' THEN $3 ELSE etag END, "
       "last_modified = CASE WHEN $4 <> '' THEN $4 ELSE last_modified END WHERE url_id = $1"},
      {"delete_links", "DELETE FROM links WHERE from_id = $1"},
      {"delete_redirects", "DELETE FROM redirects WHERE page_id = $1"},
      // A page's links in one statement (arrays in document order) rather than
      // one pipelined INSERT per link: 1 executor start instead of ~30 per page.
      // Measured (bench/store_bench.cc, nav, 100-page batches, a 2-core
      // machine at load 5-10): per-link 250-477 pages/s, arrays 255-516: within
      // the noise there; kept for the fewer statements. To measure again quiet.
      {"insert_links",
       "INSERT INTO links (from_id, seq, to_id, tag, rel, anchor) SELECT $1, n - 1, t, g, r, a "
       "FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS x(t, g, r, a, n)"},
      {"insert_redirect",
       "INSERT INTO redirects (page_id, hop, from_id, to_id, status) VALUES ($1, $2, $3, $4, $5)"},
      {"replace_body",
       "INSERT INTO bodies (page_id, request_block, response_block, body) VALUES ($1, $2, $3, $4) "
       "ON CONFLICT (page_id) DO UPDATE SET request_block = excluded.request_block, "
       "response_block = excluded.response_block, body = excluded.body"},
      {"delete_body", "DELETE FROM bodies WHERE page_id = $1"},
  };
  return statements;
}

std::vector<FrontierEntry> read_claimed(const PgRows& r) {
  std::vector<FrontierEntry> out;
  for (int i = 0; i < r.rows(); ++i) {
    FrontierEntry e{r.int64(i, 0), std::string(r.text(i, 1)), static_cast<int>(r.int64(i, 2)),
                    static_cast<int>(r.int64(i, 3)), std::nullopt};
    if (r.boolean(i, 4)) {
      PreviousFetch prev;
      prev.status = static_cast<int>(r.int64(i, 5));
      prev.redirected = r.boolean(i, 10);
      if (!prev.redirected) {
        prev.etag = r.text(i, 6);
        prev.last_modified = r.text(i, 7);
      }
      if (!r.is_null(i, 8)) prev.content_hash = static_cast<std::uint64_t>(r.int64(i, 8));
      prev.bytes = static_cast<std::uint64_t>(r.int64(i, 9));
      e.previous = std::move(prev);
    }
    out.push_back(std::move(e));
  }
  sort_claimed(out);
  return out;
}

void sort_claimed(std::vector<FrontierEntry>& entries) {
  // RETURNING has no order: lowest depth first, then oldest.
  std::sort(entries.begin(), entries.end(), [](const FrontierEntry& a, const FrontierEntry& b) {
    return std::pair(a.depth, a.id) < std::pair(b.depth, b.id);
  });
}

// ---- WriteProgram ----

WriteProgram::WriteProgram(const WriteBatch& batch, UrlIdCache& url_ids, std::optional<std::int64_t> run_id)
    : batch_(batch), url_ids_(url_ids), run_id_(run_id) {}

std::optional<PgStep> WriteProgram::next(const std::vector<PgRows>& previous) {
  switch (stage_) {
    case Stage::kStart:
      return intern_step();
    case Stage::kInterned:
      return missing_step(previous.at(0));
    case Stage::kLookedUp:
      for (int i = 0; i < previous.at(0).rows(); ++i) {
        ids_[std::string(previous[0].text(i, 1))] = previous[0].int64(i, 0);
      }
      if (!cache_interned()) return std::nullopt;
      return has_row_step();
    case Stage::kHasRow:
      for (int i = 0; i < previous.at(0).rows(); ++i) has_row_.insert(previous[0].int64(i, 0));
      return pipeline_step();
    case Stage::kSent:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<PgStep> WriteProgram::intern_step() {
  for (const PageRecord& page : batch_.pages) {
    if (page.state == FrontierState::kClaimed) {
      status_ = Status::invalid_argument("page record for '" + page.url + "': state must be done, failed or queued");
      return std::nullopt;
    }
  }
  // Every URL of the batch, as stored (pg_text), once.
  const auto want = [&](std::string_view u) {
    auto [it, added] = ids_.try_emplace(pg_text(u), 0);
    if (!added) return;
    if (std::optional<std::int64_t> id = url_ids_.find(it->first, UrlIdCache::hash(it->first))) {
      it->second = *id;
    } else {
      misses_.push_back(it->first);
    }
  };
  for (const NewUrl& s : batch_.seeds) want(s.url);
  for (const PageRecord& page : batch_.pages) {
    want(page.url);
    if (!page.final_url.empty()) want(page.final_url);
    for (const NewUrl& d : page.discovered) want(d.url);
    for (const RedirectRecord& r : page.redirects) {
      want(r.from_url);
      want(r.to_url);
    }
    for (const LinkRecord& l : page.links) want(l.to_url);
  }
  if (misses_.empty()) return has_row_step();
  stage_ = Stage::kInterned;
  Params p;
  p.text(pg_text_array(misses_));
  return query_step(kInternUrls, std::move(p));
}

std::optional<PgStep> WriteProgram::missing_step(const PgRows& r) {
  for (int i = 0; i < r.rows(); ++i) ids_[std::string(r.text(i, 1))] = r.int64(i, 0);
  if (r.rows() >= static_cast<int>(misses_.size())) {
    if (!cache_interned()) return std::nullopt;
    return has_row_step();
  }
  // Inserted by another writer meanwhile.
  std::vector<std::string_view> missing;
  for (std::string_view u : misses_) {
    if (ids_[std::string(u)] == 0) missing.push_back(u);
  }
  stage_ = Stage::kLookedUp;
  Params p;
  p.text(pg_text_array(missing));
  return query_step(kUrlIds, std::move(p));
}

bool WriteProgram::cache_interned() {
  for (std::string_view u : misses_) {
    const UrlId id = ids_[std::string(u)];
    if (id == 0) {
      status_ = Status::internal("PostgreSQL crawl database: URL neither found nor inserted: " + std::string(u));
      return false;
    }
    url_ids_.put(u, UrlIdCache::hash(u), id);
  }
  return true;
}

UrlId WriteProgram::id_of(std::string_view u) {
  auto it = ids_.find(std::string(u));
  return it != ids_.end() ? it->second : ids_[pg_text(u)];
}

std::optional<PgStep> WriteProgram::has_row_step() {
  // A 304 keeps the stored page: which of them have one.
  std::string list = "{";
  for (const PageRecord& page : batch_.pages) {
    if (!page.not_modified || page.state == FrontierState::kQueued) continue;
    list += (list.size() > 1 ? "," : "") + std::to_string(id_of(page.url));
  }
  if (list.size() == 1) return pipeline_step();
  stage_ = Stage::kHasRow;
  Params p;
  p.text(list + "}");
  return query_step(kHasPageRow, std::move(p));
}

PgStep WriteProgram::pipeline_step() {
  stage_ = Stage::kSent;
  PgStep step;
  step.pipeline = true;
  if (!batch_.seeds.empty()) {
    Params p;
    p.null();
    add_new_urls(step, batch_.seeds, std::move(p));
  }
  for (std::size_t i = 0; i < batch_.pages.size(); ++i) {
    const PageRecord& page = batch_.pages[i];
    const UrlId id = id_of(page.url);
    add_page(step, page, has_row_.contains(id));
    if (page.state != FrontierState::kQueued) has_row_.insert(id);
    if (i == 0 || (i + 1) % kPagesPerSync == 0) step.sync_after.push_back(step.statements.size());
  }
  return step;
}

void WriteProgram::add_page(PgStep& step, const PageRecord& page, bool has_page_row) {
  const UrlId id = id_of(page.url);
  if (!page.discovered.empty()) {
    Params p;
    p.int64(id);
    add_new_urls(step, page.discovered, std::move(p));
  }
  const auto set_frontier = [&](FrontierState state, std::int64_t due) {
    Params p;
    p.int64(id).int64(state_code(state)).int64(page.depth).int64(page.attempts).int64(due).text(fleet_host(page.url));
    add(step, "set_frontier", std::move(p));
  };
  if (page.state == FrontierState::kQueued) return set_frontier(FrontierState::kQueued, page.next_due_ms);
  const std::int64_t checked = page.checked_at_ms != 0 ? page.checked_at_ms : page.fetched_at_ms;
  if (page.not_modified && has_page_row) {
    Params p;
    p.int64(id).int64(checked).text(page.etag).text(page.last_modified);
    add(step, "revalidate_page", std::move(p));
    return set_frontier(page.state, 0);
  }
  const UrlId final_id = page.final_url.empty() ? id : id_of(page.final_url);
  {
    Params p;
    p.int64(id).int64(final_id).int64(page.status).int64(page.depth).int64(page.attempts).int64(page.fetched_at_ms);
    p.real(page.elapsed_s).int64(static_cast<std::int64_t>(page.bytes));
    p.int64(static_cast<std::int64_t>(page.wire_bytes));
    // The hash's 64 bits as a signed BIGINT, like SQLite.
    p.optional_int64(page.content_hash).optional_int64(run_id_);
    p.text(page.error_class).text(page.content_type).text(page.etag).text(page.last_modified).text(page.canonical);
    p.text(page.language).text(page.title).text(page.description).text(page.error_message).text(page.text);
    p.text(page.robots).int64(checked).boolean(page.not_modified);
    add(step, "replace_page", std::move(p));
  }
  {
    Params p;
    p.int64(id);
    if (page.keep_body) p.bytes(page.request_block).bytes(page.response_block).bytes(page.body);
    add(step, page.keep_body ? "replace_body" : "delete_body", std::move(p));
  }
  // A recrawl replaces what the page said before.
  for (const char* name : {"delete_links", "delete_redirects"}) {
    Params p;
    p.int64(id);
    add(step, name, std::move(p));
  }
  // A page reached through a redirect has no frontier row yet: inserted.
  set_frontier(page.state, 0);
  for (std::size_t hop = 0; hop < page.redirects.size(); ++hop) {
    const RedirectRecord& r = page.redirects[hop];
    Params p;
    p.int64(id).int64(static_cast<std::int64_t>(hop)).int64(id_of(r.from_url)).int64(id_of(r.to_url)).int64(r.status);
    add(step, "insert_redirect", std::move(p));
  }
  if (!page.links.empty()) {
    std::string to_ids = "{";
    std::vector<std::string_view> tags, rels, anchors;
    for (const LinkRecord& l : page.links) {
      if (to_ids.size() > 1) to_ids += ',';
      to_ids += std::to_string(id_of(l.to_url));
      tags.push_back(l.tag);
      rels.push_back(l.rel);
      anchors.push_back(l.anchor);
    }
    Params p;
    p.int64(id).text(to_ids + "}").text(pg_text_array(tags)).text(pg_text_array(rels)).text(pg_text_array(anchors));
    add(step, "insert_links", std::move(p));
  }
}

void WriteProgram::add_new_urls(PgStep& step, const std::vector<NewUrl>& urls, Params p) {
  std::string ids = "{", states = "{", depths = "{";
  std::vector<std::string> hosts;
  hosts.reserve(urls.size());
  for (const NewUrl& u : urls) {
    const char* sep = ids.size() > 1 ? "," : "";
    ids += sep + std::to_string(id_of(u.url));
    states += sep + std::to_string(state_code(u.claimed ? FrontierState::kClaimed : FrontierState::kQueued));
    depths += sep + std::to_string(u.depth);
    hosts.push_back(fleet_host(u.url));
  }
  const std::vector<std::string_view> host_views(hosts.begin(), hosts.end());
  p.text(ids + "}").text(states + "}").text(depths + "}").text(pg_text_array(host_views));
  add(step, "add_frontier", std::move(p));
}

// ---- claim, next due ----

std::optional<PgStep> ClaimProgram::next(const std::vector<PgRows>& previous) {
  if (sent_) {
    value = read_claimed(previous.at(0));
    return std::nullopt;
  }
  if (limit_ == 0) return std::nullopt;
  sent_ = true;
  Params p;
  p.int64(now_ms_).int64(static_cast<std::int64_t>(std::min<std::size_t>(limit_, 1u << 30)));
  return query_step(kClaimDue, std::move(p));
}

std::optional<PgStep> NextDueProgram::next(const std::vector<PgRows>& previous) {
  if (sent_) {
    if (!previous.at(0).is_null(0, 0)) value = previous[0].int64(0, 0);
    return std::nullopt;
  }
  sent_ = true;
  return query_step("SELECT min(next_due_ms) FROM frontier WHERE state = 0", Params());
}

}  // namespace preheat::store::postgres
