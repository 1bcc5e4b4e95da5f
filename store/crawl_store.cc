#include "store/crawl_store.h"

namespace preheat::store {

const char* to_string(FrontierState state) {
  switch (state) {
    case FrontierState::kQueued:
      return "queued";
    case FrontierState::kClaimed:
      return "claimed";
    case FrontierState::kDone:
      return "done";
    case FrontierState::kFailed:
      return "failed";
  }
  return "unknown";
}

Result<std::vector<std::string>> CrawlStore::held_hosts() {
  return Status::internal("this store has no fleet mode (held_hosts)");
}

Result<bool> CrawlStore::fleet_work_left(std::int64_t) {
  return Status::internal("this store has no fleet mode (fleet_work_left)");
}

std::string fleet_host(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const std::size_t end = url.find_first_of("/?#", scheme + 3);
  return std::string(url.substr(0, end));
}

Result<std::optional<PageRecord>> CrawlStore::find_page(std::string_view) {
  return Status::internal("find_page is not implemented by this store");
}

Result<RecrawlPass> CrawlStore::begin_recrawl(std::int64_t) {
  return Status::internal("begin_recrawl is not implemented by this store");
}

Status CrawlStore::end_recrawl(std::int64_t) {
  return Status();  // a store without recrawl passes has none open
}

Status CrawlStore::ensure_serving_indexes() {
  return Status::internal("ensure_serving_indexes is not implemented by this store");
}

Result<std::vector<LinkView>> CrawlStore::out_links(std::string_view, std::size_t) {
  return Status::internal("out_links is not implemented by this store");
}

Result<std::vector<InLink>> CrawlStore::in_links(std::string_view, std::size_t) {
  return Status::internal("in_links is not implemented by this store");
}

Result<std::optional<PageView>> CrawlStore::page_view(std::string_view url, std::size_t limit) {
  Result<std::optional<PageRecord>> page = find_page(url);
  if (!page.ok()) return page.status();
  if (!page->has_value()) return std::optional<PageView>();
  Result<std::vector<LinkView>> out = out_links(url, limit);
  if (!out.ok()) return out.status();
  Result<std::vector<InLink>> in = in_links(url, limit);
  if (!in.ok()) return in.status();
  PageView view{std::move(**page), std::move(*out), std::move(*in)};
  view.page.text.clear();
  view.page.links.clear();
  return std::optional<PageView>(std::move(view));
}

Result<std::vector<BrokenTarget>> CrawlStore::broken_targets(std::size_t, std::size_t) {
  return Status::internal("broken_targets is not implemented by this store");
}

Result<std::vector<RunSummary>> CrawlStore::runs() {
  return Status::internal("runs is not implemented by this store");
}

Result<std::optional<RunTimeline>> CrawlStore::run_timeline(std::optional<std::int64_t>, std::size_t) {
  return Status::internal("run_timeline is not implemented by this store");
}

Result<TimeHistogram> CrawlStore::pages_over_time(std::size_t) {
  return Status::internal("pages_over_time is not implemented by this store");
}

Result<SearchIndexRefresh> CrawlStore::refresh_search_index() {
  return Status::internal("refresh_search_index is not implemented by this store");
}

Result<SearchResults> CrawlStore::search(const SearchQuery&, std::size_t, std::size_t) {
  return Status::internal("search is not implemented by this store");
}

std::size_t PageRecord::approx_bytes() const {
  std::size_t n = sizeof(PageRecord) + url.size() + final_url.size() + title.size() + description.size() +
                  text.size() + request_block.size() + response_block.size() + body.size();
  for (const LinkRecord& l : links) n += sizeof(LinkRecord) + l.to_url.size() + l.anchor.size();
  for (const NewUrl& d : discovered) n += sizeof(NewUrl) + d.url.size();
  return n;
}

Result<std::vector<StoredPage>> CrawlStore::pages_after(UrlId, std::size_t) {
  return Status::internal("pages_after is not implemented by this store");
}

Result<std::vector<StoredBody>> CrawlStore::bodies_after(UrlId, std::size_t, std::size_t) {
  return Status::internal("bodies_after is not implemented by this store");
}

Result<std::vector<LinkExport>> CrawlStore::links_after(UrlId, std::int64_t, std::size_t) {
  return Status::internal("links_after is not implemented by this store");
}

Result<BodyCounts> CrawlStore::body_counts() {
  return Status::internal("body_counts is not implemented by this store");
}

bool is_postgres_location(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

}  // namespace preheat::store
