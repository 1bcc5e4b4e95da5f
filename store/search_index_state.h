// The search index's freshness rule, shared by both engines' refresh
// (store/sqlite/sqlite_crawl_store_search.cc, store/postgres/
// postgres_crawl_store_search.cc; docs/schema.md, "Serving: full-text
// search"): the same history of writes gives the same refresh (up to date,
// append the new pages, or rebuild) on SQLite and PostgreSQL.
//
// The index records what it was built from (IndexState: page_search_state).
// The pages table now is read split at that record's max_fetched_at_ms: rows
// fetched at or before it ("old", indexed if nothing changed) and after it.
// Each engine adds a bounded number made of every row's url_id,
// fetched_at_ms, text hash and title length to the fingerprint, so rewriting
// or deleting an old row changes the old part's count or sum.
//
// Thread safety: pure functions and plain structs.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>

namespace preheat::store {

// max_fetched_at_ms of no page: split nothing off (index everything).
inline constexpr std::int64_t kNoPages = std::numeric_limits<std::int64_t>::min();

// What the index was built from (page_search_state).
struct IndexState {
  std::int64_t format = 0;
  std::int64_t pages = 0;
  std::int64_t fingerprint = 0;
  std::int64_t max_fetched_at_ms = kNoPages;
};

// The pages table now, split at the state's max_fetched_at_ms.
struct PagesNow {
  std::int64_t pages = 0;
  std::int64_t fingerprint = 0;
  std::int64_t max_fetched_at_ms = kNoPages;
  std::int64_t old_pages = 0;
  std::int64_t old_fingerprint = 0;
};

// A recorded index built by this build's index format (`format`): one whose
// rows can be kept.
inline bool usable(const std::optional<IndexState>& state, std::int64_t format) {
  return state && state->format == format;
}

// Where to split the pages table: the usable state's max_fetched_at_ms, or
// kNoPages (nothing is kept).
inline std::int64_t split_at(const std::optional<IndexState>& state, std::int64_t format) {
  return usable(state, format) ? state->max_fetched_at_ms : kNoPages;
}

enum class IndexRefresh { kUpToDate, kAppendNewPages, kRebuild };

// What a refresh does, given the recorded state and the pages now (read
// split at split_at(state, format)).
inline IndexRefresh plan_refresh(const std::optional<IndexState>& state, std::int64_t format, const PagesNow& now) {
  if (!usable(state, format)) return IndexRefresh::kRebuild;
  if (state->pages == now.pages && state->fingerprint == now.fingerprint &&
      state->max_fetched_at_ms == now.max_fetched_at_ms) {
    return IndexRefresh::kUpToDate;
  }
  // Only new pages: every old row is as it was indexed.
  if (now.old_pages == state->pages && now.old_fingerprint == state->fingerprint) return IndexRefresh::kAppendNewPages;
  return IndexRefresh::kRebuild;
}

}  // namespace preheat::store
