#include "crawl/page_analysis.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "base/url_normalizer.h"
#include "crawl/extract/html_extractor.h"
#include "crawl/revisit.h"
#include "crawl/robots_directives.h"

namespace preheat::crawl {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += ' ';
    out += p;
  }
  return out;
}

}  // namespace

Duration retry_delay(const CrawlOptions& o, int attempts_made, const std::optional<Duration>& retry_after,
                     double jitter) {
  double base = to_seconds(o.retry_base) * std::ldexp(1.0, std::max(0, attempts_made - 1));
  base *= 1.0 + 0.5 * jitter;  // spread: up to +50%
  Duration d = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(base));
  if (retry_after && *retry_after > d) d = *retry_after;
  return std::min(d, o.max_retry_delay);
}

namespace {

// Fills content, links and candidates of `rec` from an HTML body; adds the
// page's meta directives to `directives` and obeys them (see the header).
void extract_into(store::PageRecord& rec, std::vector<Candidate>& candidates, std::string_view body,
                  std::string_view charset, const std::string& page_url, int depth, const Scope& scope,
                  const CrawlOptions& options, RobotsDirectives& directives) {
  ExtractResult x = extract_html(body, charset, options.extract);
  add_meta_directives(directives, x.robots);
  add_meta_directives(directives, x.agent_robots);
  const bool obey = options.robots_meta;
  if (obey && directives.noindex) x.text.clear();  // content_hash stays: recrawls compare it
  rec.title = std::move(x.title);
  rec.description = std::move(x.description);
  rec.language = std::move(x.language);
  rec.text = std::move(x.text);
  rec.content_hash = x.content_hash;
  // Links resolve against <base href> when it resolves, else the page URL.
  std::string base = page_url;
  if (x.base_href) {
    Result<std::string> b = resolve_link(page_url, *x.base_href);
    if (b.ok()) base = std::move(*b);
  }
  // Every link resolves against the same base: it is prepared once.
  const Result<LinkResolver> resolver = LinkResolver::make(base);
  auto resolve = [&resolver](std::string_view href) -> Result<std::string> {
    if (!resolver.ok()) return resolver.status();
    return resolver->resolve(href);
  };
  if (x.canonical) {
    Result<std::string> c = resolve(*x.canonical);
    if (c.ok()) rec.canonical = std::move(*c);
  }
  std::unordered_set<std::string_view> picked;
  rec.links.reserve(x.links.size());
  for (Link& link : x.links) {
    store::LinkRecord lr;
    lr.anchor = std::move(link.anchor_text);
    lr.rel = join(link.rel);
    lr.tag = link_source_tag(link.source);
    std::string target;
    if (link.source == LinkSource::kMetaRefresh) {
      std::optional<std::string> u = meta_refresh_url(link.href);
      if (!u) continue;  // a refresh of the page itself
      target = std::move(*u);
    } else {
      target = std::move(link.href);
    }
    Result<std::string> resolved = resolve(target);
    lr.to_url = resolved.ok() ? std::move(*resolved) : std::move(target);
    const bool follow = !(obey && directives.nofollow) && (options.follow_rel_nofollow || !link.has_rel("nofollow"));
    if (follow && resolved.ok() && scope.check(lr.to_url, depth + 1) == Verdict::kIn) {
      candidates.push_back(Candidate{lr.to_url, depth + 1});
    }
    rec.links.push_back(std::move(lr));
  }
  // Once each, first occurrence wins (document order kept).
  std::vector<Candidate> unique;
  unique.reserve(candidates.size());
  for (Candidate& c : candidates) {
    if (picked.insert(c.url).second) unique.push_back(std::move(c));
  }
  candidates = std::move(unique);
}

// The final response, moved into `rec` (the record owning the content),
// with the page's directives.
void keep_response(store::PageRecord& rec, fetch::Response& resp, const CrawlOptions& options,
                   const RobotsDirectives& directives) {
  rec.robots = directives.to_string();
  if (!options.keep_bodies || resp.status <= 0) return;
  if (options.robots_meta && directives.noarchive) return;
  rec.keep_body = true;
  rec.request_block = std::move(resp.request_block);
  rec.response_block = std::move(resp.header_block);
  rec.body = std::move(resp.body);
}

}  // namespace

void hand_over_body(store::PageRecord& from, store::PageRecord& to) {
  if (!from.keep_body) return;
  to.keep_body = true;
  to.request_block = std::move(from.request_block);
  to.response_block = std::move(from.response_block);
  to.body = std::move(from.body);
  from.keep_body = false;
}

bool is_html(std::string_view content_type, std::string_view body) {
  const std::string type = lower(content_type.substr(0, content_type.find(';')));
  auto trimmed = [](std::string s) {
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  const std::string t = trimmed(type);
  if (t == "text/html" || t == "application/xhtml+xml") return true;
  if (!t.empty()) return false;
  const auto first = body.find_first_not_of(" \t\r\n\f");
  return first != std::string_view::npos && body[first] == '<';
}

PageAnalysis analyze_page(fetch::FetchResult result, const FrontierItem& item, const Scope& scope,
                          const std::vector<std::string>& scope_seeds, const CrawlOptions& options,
                          std::int64_t now_ms, double jitter) {
  PageAnalysis out;
  fetch::Response& resp = result.response;
  store::PageRecord& rec = out.record;
  rec.url = item.url;
  rec.final_url = resp.final_url.empty() ? item.url : resp.final_url;
  rec.depth = item.depth;
  rec.status = resp.status;
  rec.content_type = resp.content_type;
  rec.bytes = resp.body.size();
  rec.wire_bytes = resp.wire_bytes;
  rec.fetched_at_ms = now_ms;
  rec.elapsed_s = to_seconds(resp.timings.total - resp.timings.queued);
  rec.attempts = item.attempts + 1;
  rec.etag = resp.etag;
  rec.last_modified = resp.last_modified;
  RobotsDirectives directives;
  add_header_directives(directives, resp.x_robots_tag, options.extract.robots_agent);
  for (std::size_t i = 0; i < resp.redirects.size(); ++i) {
    const fetch::Response::Redirect& r = resp.redirects[i];
    rec.redirects.push_back(store::RedirectRecord{r.from, r.to, r.status});
  }

  if (result.error) {
    const fetch::FetchError& e = *result.error;
    const bool retryable = e.retryable();
    if (retryable && rec.attempts < options.max_attempts) {
      out.retry = true;
      rec.state = store::FrontierState::kQueued;
      const Duration delay = retry_delay(options, rec.attempts, e.retry_after, jitter);
      rec.next_due_ms = now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(delay).count();
      rec.error_class = std::string(fetch::to_string(e.kind));
      rec.error_message = e.message;
      return out;
    }
    rec.error_class = std::string(fetch::to_string(e.kind));
    rec.error_message = e.message;
    const bool http_answer = e.kind == fetch::FetchErrorKind::kHttp4xx || e.kind == fetch::FetchErrorKind::kHttp5xx;
    rec.state = http_answer && !retryable ? store::FrontierState::kDone : store::FrontierState::kFailed;
    if (http_answer) keep_response(rec, resp, options, directives);
    return out;
  }

  rec.state = store::FrontierState::kDone;
  if (resp.status == 304 && rec.final_url == rec.url && sends_validators(item)) {
    // Unchanged since the stored fetch: the store keeps its content.
    rec.not_modified = true;
    rec.checked_at_ms = now_ms;
    return out;
  }
  out.html = resp.status >= 200 && resp.status < 300 && is_html(resp.content_type, resp.body);
  const bool redirected = rec.final_url != rec.url;
  if (redirected) {
    // The content is the final URL's, if the crawl may have it.
    if (!is_fetchable(rec.final_url)) {
      keep_response(rec, resp, options, directives);
      return out;
    }
    const Scope* content_scope = &scope;
    std::optional<Scope> widened;
    if (scope.check(rec.final_url, item.depth) != Verdict::kIn) {
      if (item.depth != 0) {
        keep_response(rec, resp, options, directives);
        return out;
      }
      // A seed that redirects to another site: that site joins the scope.
      std::vector<std::string> seeds = scope_seeds;
      seeds.push_back(rec.final_url);
      Result<Scope> made = Scope::make(options.scope, seeds);
      if (!made.ok()) {
        keep_response(rec, resp, options, directives);
        return out;
      }
      widened = std::move(*made);
      content_scope = &*widened;
      out.seed_redirect = rec.final_url;
    }
    store::PageRecord content;
    content.url = rec.final_url;
    content.final_url = rec.final_url;
    content.depth = rec.depth;
    content.status = rec.status;
    content.content_type = rec.content_type;
    content.bytes = rec.bytes;
    content.wire_bytes = rec.wire_bytes;
    content.fetched_at_ms = rec.fetched_at_ms;
    content.elapsed_s = rec.elapsed_s;
    content.etag = rec.etag;
    content.last_modified = rec.last_modified;
    content.state = store::FrontierState::kDone;
    if (out.html) {
      extract_into(content, out.candidates, resp.body, resp.charset, content.url, item.depth, *content_scope, options,
                   directives);
    }
    keep_response(content, resp, options, directives);
    out.content = std::move(content);
    return out;
  }
  if (out.html) {
    extract_into(rec, out.candidates, resp.body, resp.charset, rec.final_url, item.depth, scope, options, directives);
  }
  keep_response(rec, resp, options, directives);
  return out;
}

}  // namespace preheat::crawl
