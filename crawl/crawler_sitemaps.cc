// The crawler's sitemap step (docs/architecture.md, crawl step 4c): once per
// site, right after its robots.txt, the sitemaps are fetched and their
// in-scope URLs join the frontier.
//
// Decisions (README.md, "Sitemaps"):
//  - Which files: the Sitemap: lines of the site's robots.txt; SITE/sitemap.xml
//    only when robots.txt names none (or robots are off). A guessed
//    /sitemap.xml that is not a sitemap (404, an HTML page) leaves no trace:
//    no page row, nobody linked it. A named one always gets its row.
//  - A sitemap index's children are read, one level deep (an index inside
//    an index is recorded, not followed), at most max_sitemap_files per site.
//  - A sitemap fetch is a fetch like any other: robots.txt rules (the file's
//    own site's), politeness (delays, Crawl-delay, pauses; like robots.txt it
//    does not wait for a page's per-host slot), the error budget, a page row
//    (status, content type, its URLs as links with tag "sitemap", the body
//    when bodies are kept), and one page of --max-pages.
//  - A sitemap fetch that fails (5xx, timeout) is recorded and not retried:
//    sitemaps are a hint, the links still lead to the pages.
//  - URLs get depth 1: they were not found by following links, but they are
//    not seeds the user typed either: --max-depth 0 still means "only the
//    seeds", and breadth-first order puts them right after the seeds.
//  - With --max-pages, sitemap rows and the URLs they add together stay
//    within max_pages minus the pages already in the database, and only new
//    URLs are added (the SeenSet): a sitemap cannot make a crawl queue more
//    than it may fetch. (So a resumed crawl with a higher --max-pages does
//    not get the URLs an earlier run left out: it does not read a sitemap it
//    already has; --fresh does.)
//  - A sitemap already known to the crawl (its URL is in the SeenSet: a
//    resumed crawl read it before, its URLs were stored with its row) is not
//    fetched again.
//
// These run on the event loop; the parse runs as CPU work (rt.compute).
#include "crawl/crawler.h"

// See crawler.cc: the same GCC 12 false positive for coroutine frames.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <algorithm>
#include <utility>

#include "base/url_normalizer.h"
#include "crawl/robots_gate.h"
#include "runtime/runtime.h"

namespace preheat::crawl {

namespace {

constexpr std::string_view kSitemapErrorClass = "sitemap";

bool answered_2xx(const fetch::FetchResult& f) {
  return !f.error && f.response.status >= 200 && f.response.status < 300;
}

// The page row of a sitemap fetch (without its links and discoveries).
store::PageRecord sitemap_record(const std::string& url, fetch::FetchResult& fetched, const SitemapParse& parsed,
                                 std::int64_t now_ms, bool keep_bodies) {
  fetch::Response& resp = fetched.response;
  store::PageRecord r;
  r.url = url;
  r.final_url = resp.final_url.empty() ? url : resp.final_url;
  r.status = resp.status;
  r.content_type = resp.content_type;
  r.bytes = resp.body.size();
  r.wire_bytes = resp.wire_bytes;
  r.fetched_at_ms = now_ms;
  r.elapsed_s = to_seconds(resp.timings.total - resp.timings.queued);
  r.etag = resp.etag;
  r.last_modified = resp.last_modified;
  for (const fetch::Response::Redirect& h : resp.redirects) r.redirects.push_back({h.from, h.to, h.status});
  r.state = resp.status > 0 ? store::FrontierState::kDone : store::FrontierState::kFailed;
  if (fetched.error) {
    r.error_class = std::string(fetch::to_string(fetched.error->kind));
    r.error_message = fetched.error->message;
  } else if (!parsed.error.empty()) {
    r.error_class = std::string(kSitemapErrorClass);
    r.error_message = parsed.error;
  } else if (parsed.truncated) {
    r.error_class = std::string(kSitemapErrorClass);
    r.error_message = "over the sitemap limits (URLs or bytes per file): the rest was ignored";
  }
  if (keep_bodies && resp.status > 0) {
    r.keep_body = true;
    r.request_block = std::move(resp.request_block);
    r.response_block = std::move(resp.header_block);
    r.body = std::move(resp.body);
  }
  return r;
}

}  // namespace

std::deque<Crawler::SitemapFile> Crawler::first_sitemaps(const std::string& site) const {
  std::deque<SitemapFile> files;
  const RobotsEntry* entry = options_.robots ? robots_cache_.get(site) : nullptr;
  if (entry != nullptr) {
    for (const std::string& named : entry->sitemaps) {
      Result<std::string> url = normalize_url(named);
      if (!url.ok() || !is_fetchable(*url)) continue;
      const bool dup = std::any_of(files.begin(), files.end(), [&](const SitemapFile& f) { return f.url == *url; });
      if (!dup) files.push_back(SitemapFile{std::move(*url), site, false, 0});
    }
  }
  if (files.empty()) files.push_back(SitemapFile{site + "/sitemap.xml", site, true, 0});
  return files;
}

bool Crawler::may_fetch_sitemap(const SitemapFile& file) {
  if (frontier_->seen().contains(file.url)) return false;  // known: read before, or a page of the crawl
  if (!options_.robots) return true;
  const RobotsEntry* entry = robots_cache_.get(robots_site(file.url));
  return entry == nullptr || entry->check(robots_path(file.url)).allowed;
}

runtime::Task<void> Crawler::read_sitemaps(std::string site, trace::TaskId task) {
  sitemap_sites_.insert(site);
  if (options_.robots) co_await ensure_robots(site, task);
  std::deque<SitemapFile> todo = first_sitemaps(site);
  int files = 0;
  while (!todo.empty() && files < options_.max_sitemap_files) {
    SitemapFile file = std::move(todo.front());
    todo.pop_front();
    const bool fetched = co_await read_sitemap(std::move(file), task, todo);
    if (fetched) ++files;
  }
}

runtime::Task<bool> Crawler::wait_for_host(const std::string& host) {
  while (politeness_.given_up(host) == nullptr) {
    const TimePoint at = politeness_.next_start(host);
    if (at <= rt_.clock().now()) co_return true;
    co_await rt_.wait_until(at);
  }
  co_return false;
}

runtime::Task<bool> Crawler::read_sitemap(SitemapFile file, trace::TaskId task, std::deque<SitemapFile>& todo) {
  const std::string host = robots_site(file.url);
  if (options_.robots && host != file.site) co_await ensure_robots(host, task);  // a sitemap on another site
  if (!may_fetch_sitemap(file)) co_return false;
  const bool may_start = co_await wait_for_host(host);
  if (!may_start || sitemap_room_ == 0 || !frontier_->take_budget()) co_return false;
  if (sitemap_room_ > 0) --sitemap_room_;  // the row takes a page of the room too
  fetch::Request request;
  request.url = file.url;
  request.task = task;
  politeness_.start(host);
  fetch::FetchResult fetched = co_await fetcher_.fetch(std::move(request));
  host_finished(host, fetched);
  const std::int64_t now = unix_ms();
  // Named before the co_await (DESIGN.md section 5, GCC 12); the result
  // travels on the heap, as in process().
  auto parse = [&fetched, &file, this] {
    if (!answered_2xx(fetched)) return std::make_unique<SitemapParse>();
    const std::string& base = fetched.response.final_url.empty() ? file.url : fetched.response.final_url;
    return std::make_unique<SitemapParse>(parse_sitemap(fetched.response.body, base, file.site, options_.sitemap_limits));
  };
  std::unique_ptr<SitemapParse> parsed = co_await rt_.compute(std::move(parse), task);
  absorb_sitemap(file, std::move(fetched), *parsed, now, todo);
  co_return true;
}

// Plain code, on the loop: the row, the children to read, the URLs to add.
void Crawler::absorb_sitemap(const SitemapFile& file, fetch::FetchResult fetched, const SitemapParse& parsed,
                             std::int64_t now_ms, std::deque<SitemapFile>& todo) {
  const bool is_sitemap = parsed.kind == SitemapKind::kUrlSet || parsed.kind == SitemapKind::kIndex || !parsed.urls.empty();
  if (file.guessed && !(answered_2xx(fetched) && is_sitemap)) {
    frontier_->give_back_budget();  // nobody named it and it is not one: no row
    if (sitemap_room_ >= 0) ++sitemap_room_;
    return;
  }
  frontier_->seen().insert(file.url);
  store::PageRecord r = sitemap_record(file.url, fetched, parsed, now_ms, options_.keep_bodies);
  r.links.reserve(parsed.urls.size());
  for (const std::string& url : parsed.urls) r.links.push_back(store::LinkRecord{url, "", "", "sitemap"});
  if (parsed.kind == SitemapKind::kIndex) {
    if (file.level == 0) {
      for (const std::string& url : parsed.urls) todo.push_back(SitemapFile{url, file.site, false, 1});
    } else if (r.error_class.empty()) {
      r.error_class = std::string(kSitemapErrorClass);
      r.error_message = "a sitemap index inside a sitemap index: not followed";
    }
  } else {
    const std::shared_ptr<const ScopeSnapshot> scope = scope_;
    for (const std::string& url : parsed.urls) {
      if (sitemap_room_ == 0) break;
      if (scope->scope.check(url, 1) != Verdict::kIn) continue;
      const Candidate candidate{url, 1};
      if (trapped(candidate)) continue;  // a sitemap's URLs meet the trap guard like links
      if (std::optional<store::NewUrl> n = frontier_->discover(candidate)) {
        r.discovered.push_back(std::move(*n));
        ++counters_.sitemap_added;
        if (sitemap_room_ > 0) --sitemap_room_;
      }
    }
    counters_.sitemap_urls += static_cast<std::int64_t>(parsed.urls.size());
  }
  ++counters_.sitemaps;
  account(r);
  writer_.submit(std::move(r));
  counters_.known = static_cast<std::int64_t>(frontier_->seen().size());
  counters_.queued = static_cast<std::int64_t>(frontier_->queued());
  counters_.db_has_more = frontier_->db_has_more();
  if (options_.on_page) options_.on_page(counters_);
}

}  // namespace preheat::crawl
