// The HTML pages. Crawled titles, URLs and text are hostile: every one goes
// through append_markup_escaped (base/markup_escape.h); URLs placed in a
// query string are percent-encoded first.
#include <cstdio>
#include <ctime>

#include "serve/handlers.h"
#include "serve/svg_chart.h"
#include "serve/timeline_view.h"
#include "serve/html_page.h"

namespace preheat::serve {
using runtime::Task;
namespace {

std::string fixed(double v, const char* format) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// Unix ms as "2026-11-27 23:59:01 UTC".
std::string utc_ms(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

void stats_table(Html& h, const store::CrawlStats& s) {
  h.raw("<table>");
  const std::pair<const char*, std::int64_t> rows[] = {
      {"pages", s.pages},         {"URLs seen", s.urls}, {"links", s.links}, {"redirects", s.redirects},
      {"bytes (decoded)", s.bytes}, {"bytes (wire)", s.wire_bytes}, {"runs", s.runs}};
  for (const auto& [name, n] : rows) h.raw("<tr><th>").raw(name).raw("</th><td>").num(n).raw("</td></tr>");
  h.raw("<tr><th>frontier</th><td>");
  for (const auto& [state, n] : s.frontier) h.text(store::to_string(state)).raw(" ").num(n).raw(" ");
  h.raw("</td></tr><tr><th>status classes</th><td>");
  for (const auto& [c, n] : s.status_classes) {
    h.raw(c == 0 ? "none" : (std::to_string(c) + "xx").c_str()).raw(" ").num(n).raw(" ");
  }
  h.raw("</td></tr><tr><th>errors</th><td>");
  for (const auto& [e, n] : s.errors) h.text(e).raw(" ").num(n).raw(" ");
  h.raw("</td></tr><tr><th>depths</th><td>");
  for (const auto& [d, n] : s.depths) h.num(d).raw(": ").num(n).raw(" ");
  h.raw("</td></tr>");
  if (s.last_fetch_ms > s.first_fetch_ms) {
    h.raw("<tr><th>crawl span</th><td>")
        .raw(fixed(static_cast<double>(s.last_fetch_ms - s.first_fetch_ms) / 1000.0, "%.1f s"))
        .raw("</td></tr>");
  }
  h.raw("</table>\n");
}

}  // namespace

namespace {

Response index_page(const Result<store::CrawlStats>& stats) {
  if (!stats.ok()) return store_failure(stats.status(), false);
  Html h("Crawl");
  h.search_form("");
  h.raw("<h2>Look up a page</h2>\n<form action=\"/page\" method=\"get\"><input type=\"text\" name=\"url\" "
        "placeholder=\"a crawled URL\" aria-label=\"URL\"> <button>Look up</button></form>\n<h2>Figures</h2>\n");
  stats_table(h, *stats);
  h.raw("<p class=\"muted\">Also as JSON: <a href=\"/api/stats\">/api/stats</a>, <a href=\"/api/broken\">"
        "/api/broken</a>, /api/page?url=URL, /api/search?q=WORDS. The whole crawl as a WARC archive: "
        "<a href=\"/export.warc.gz\">/export.warc.gz</a>. Metrics: <a href=\"/metrics\">/metrics</a>.</p>\n");
  return h.done();
}

Response stats_page(const Result<store::CrawlStats>& stats, const Result<store::TimeHistogram>& over_time) {
  if (!stats.ok()) return store_failure(stats.status(), false);
  if (!over_time.ok()) return store_failure(over_time.status(), false);
  Html h("Stats");
  std::vector<Bar> classes;
  for (const auto& [c, n] : stats->status_classes) {
    classes.push_back(Bar{c == 0 ? "none" : std::to_string(c) + "xx", static_cast<double>(n),
                          status_color(c * 100, c == 0)});
  }
  std::vector<Bar> depths;
  for (const auto& [d, n] : stats->depths) depths.push_back(Bar{std::to_string(d), static_cast<double>(n), ""});
  if (!classes.empty()) h.raw(bar_chart("Pages by status class", classes)).raw("\n");
  if (!depths.empty()) h.raw(bar_chart("Pages by depth (link hops from a seed)", depths)).raw("\n");
  if (!over_time->counts.empty()) {
    // Pages per second in each bucket.
    const double bucket_s = static_cast<double>(over_time->bucket_ms) / 1000.0;
    std::vector<double> rate;
    for (std::int64_t n : over_time->counts) rate.push_back(static_cast<double>(n) / bucket_s);
    h.raw(area_chart("Pages fetched over time (all runs, from the first fetch)", rate, bucket_s, "s", "pages/s"))
        .raw("\n");
  }
  stats_table(h, *stats);
  return h.done();
}

// `asked`: a run was named (?run=); `t` is that run's timeline or the latest.
Response timeline_page(bool asked, const Result<std::optional<store::RunTimeline>>& t,
                       const Result<std::vector<store::RunSummary>>& runs) {
  if (!t.ok()) return store_failure(t.status(), false);
  if (!runs.ok()) return store_failure(runs.status(), false);
  if (!t->has_value()) {
    if (asked) return error_response(404, "no such run in the crawl");
    Html h("Timeline");
    h.raw("<p>No crawl run is recorded in this database yet.</p>\n");
    return h.done();
  }
  const store::RunTimeline& tl = **t;
  const TimelineView view = make_timeline_view(tl, kTimelineBuckets);
  Html h("Timeline of run " + std::to_string(tl.run.id));
  h.raw("<table><tr><th>mode</th><td>").text(tl.run.mode).raw("</td></tr><tr><th>seeds</th><td>").text(tl.run.seeds)
      .raw("</td></tr><tr><th>pages</th><td>").num(tl.run.pages).raw("</td></tr>");
  if (tl.run.ended_at_ms != 0) {
    h.raw("<tr><th>outcome</th><td>").text(tl.run.outcome).raw("</td></tr><tr><th>wall-clock</th><td>")
        .raw(fixed(tl.run.wall_s, "%.2f s")).raw("</td></tr><tr><th>execution (CPU)</th><td>")
        .raw(fixed(tl.run.execution_s, "%.2f s")).raw("</td></tr>");
    if (tl.run.wall_s > 0) {
      h.raw("<tr><th>pages/s</th><td>").raw(fixed(static_cast<double>(tl.run.pages) / tl.run.wall_s, "%.1f"))
          .raw("</td></tr>");
    }
  } else {
    h.raw("<tr><th>outcome</th><td class=\"muted\">not ended (running, or stopped without a summary)</td></tr>");
  }
  h.raw("<tr><th>most in flight</th><td>").raw(fixed(view.peak_in_flight, "%.0f")).raw("</td></tr></table>\n");
  if (tl.spans.empty()) {
    h.raw("<p>This run wrote no pages.</p>\n");
  } else {
    if (tl.stride > 1) {
      h.raw("<p class=\"muted\">Sampled: one fetch in ").num(tl.stride).raw(" is shown; in-flight counts are "
                                                                             "scaled by it.</p>\n");
    }
    h.raw(area_chart("Requests in flight (average per bucket)", view.in_flight, view.bucket_s, "s", "in flight"))
        .raw("\n");
    h.raw(fetch_chart("Fetches, each on a free slot (height = concurrency; colour = status)", view.boxes, view.rows,
                      view.duration_s, "s"))
        .raw("\n");
  }
  h.raw("<h2>Runs</h2><table><tr><th>run</th><th>mode</th><th>pages</th><th>wall-clock</th><th>outcome</th></tr>");
  for (const store::RunSummary& r : *runs) {
    h.raw("<tr><td><a href=\"/timeline?run=").num(r.id).raw("\">").num(r.id).raw("</a></td><td>").text(r.mode)
        .raw("</td><td>").num(r.pages).raw("</td><td>")
        .raw(r.ended_at_ms != 0 ? fixed(r.wall_s, "%.2f s") : std::string("-")).raw("</td><td>").text(r.outcome)
        .raw("</td></tr>");
  }
  h.raw("</table>\n<p class=\"muted\">As JSON: <a href=\"/api/timeline?run=").num(tl.run.id)
      .raw("\">/api/timeline?run=").num(tl.run.id).raw("</a></p>\n");
  return h.done();
}

Response page_page(std::string_view url, const Result<std::optional<store::PageView>>& view) {
  if (!view.ok()) return store_failure(view.status(), false);
  if (!view->has_value()) return error_response(404, "no page with the URL '" + std::string(url) + "' in the crawl");
  const store::PageRecord& p = (*view)->page;
  const std::vector<store::LinkView>& out = (*view)->out_links;
  const std::vector<store::InLink>& in = (*view)->in_links;
  Html h(p.title.empty() ? p.url : p.title);
  h.raw("<table><tr><th>URL</th><td>").text(p.url).raw("</td></tr>");
  if (p.final_url != p.url) h.raw("<tr><th>final URL</th><td>").page_link(p.final_url).raw("</td></tr>");
  h.raw("<tr><th>status</th><td>").status(p.status, p.error_class).raw("</td></tr>");
  if (!p.error_message.empty()) h.raw("<tr><th>error</th><td>").text(p.error_message).raw("</td></tr>");
  h.raw("<tr><th>content type</th><td>").text(p.content_type).raw("</td></tr>");
  h.raw("<tr><th>size</th><td>").num(static_cast<std::int64_t>(p.bytes)).raw(" bytes (")
      .num(static_cast<std::int64_t>(p.wire_bytes)).raw(" on the wire)</td></tr>");
  h.raw("<tr><th>fetch time</th><td>").raw(fixed(p.elapsed_s * 1000.0, "%.1f ms")).raw("</td></tr>");
  h.raw("<tr><th>depth</th><td>").num(p.depth).raw("</td></tr><tr><th>attempts</th><td>").num(p.attempts)
      .raw("</td></tr>");
  if (!p.description.empty()) h.raw("<tr><th>description</th><td>").text(p.description).raw("</td></tr>");
  if (!p.robots.empty()) {
    h.raw("<tr><th>robots</th><td>").text(p.robots).raw(p.robots.find("noindex") != std::string::npos
                                                             ? " <span class=\"muted\">(not in search)</span>"
                                                             : "")
        .raw("</td></tr>");
  }
  if (p.not_modified) {
    h.raw("<tr><th>last check</th><td>304 Not Modified at ").text(utc_ms(p.checked_at_ms))
        .raw(" (content from ").text(utc_ms(p.fetched_at_ms)).raw(")</td></tr>");
  }
  h.raw("</table>\n");
  if (!p.redirects.empty()) {
    h.raw("<h2>Redirects</h2><ol>");
    for (const store::RedirectRecord& r : p.redirects) {
      h.raw("<li>").num(r.status).raw(" ").text(r.from_url).raw(" &rarr; ").text(r.to_url).raw("</li>");
    }
    h.raw("</ol>\n");
  }
  h.raw("<h2>Links (").num(static_cast<std::int64_t>(out.size())).raw(")</h2><table>");
  for (const store::LinkView& l : out) {
    h.raw("<tr><td>");
    if (l.status) {
      h.status(*l.status, l.error_class).raw("</td><td>").page_link(l.url);
    } else {
      h.raw("<span class=\"muted\">not fetched</span></td><td>").text(l.url);
    }
    h.raw("</td><td>").text(l.anchor).raw("</td></tr>");
  }
  h.raw("</table>\n<h2>Linked from (").num(static_cast<std::int64_t>(in.size())).raw(")</h2><table>");
  for (const store::InLink& l : in) {
    h.raw("<tr><td>").status(l.from_status, "").raw("</td><td>").page_link(l.from_url).raw("</td><td>")
        .text(l.anchor).raw("</td></tr>");
  }
  h.raw("</table>\n");
  return h.done();
}

Response broken_page(const Result<std::vector<store::BrokenTarget>>& broken) {
  if (!broken.ok()) return store_failure(broken.status(), false);
  Html h("Broken links");
  if (broken->empty()) h.raw("<p>No failing targets: every fetched URL answered below 400.</p>\n");
  h.raw("<table><tr><th>status</th><th>target</th><th>linked from</th></tr>");
  for (const store::BrokenTarget& t : *broken) {
    h.raw("<tr><td>").status(t.status, t.error_class).raw("</td><td>").page_link(t.url).raw("</td><td>");
    for (const std::string& from : t.sample_referrers) h.page_link(from).raw("<br>");
    if (t.referrers > static_cast<std::int64_t>(t.sample_referrers.size())) {
      h.raw("<span class=\"muted\">").num(t.referrers).raw(" links in all</span>");
    }
    h.raw("</td></tr>");
  }
  h.raw("</table>\n");
  return h.done();
}

}  // namespace

Task<Response> html_index(const Request&, ServeReader& db) {
  const Result<store::CrawlStats> stats = co_await db.stats();
  co_return index_page(stats);
}

Task<Response> html_stats(const Request&, ServeReader& db) {
  const Result<store::CrawlStats> stats = co_await db.stats();
  if (!stats.ok()) co_return store_failure(stats.status(), false);
  const Result<store::TimeHistogram> over_time = co_await db.pages_over_time(kStatsTimeBuckets);
  co_return stats_page(stats, over_time);
}

Task<Response> html_timeline(const Request& request, ServeReader& db) {
  const auto run = run_param(request);
  if (const std::string* bad = std::get_if<std::string>(&run)) co_return error_response(400, *bad);
  const std::optional<std::int64_t> asked = std::get<std::optional<std::int64_t>>(run);
  const Result<std::optional<store::RunTimeline>> t = co_await db.run_timeline(asked, kTimelineSpans);
  if (!t.ok()) co_return store_failure(t.status(), false);
  const Result<std::vector<store::RunSummary>> runs = co_await db.runs();
  co_return timeline_page(asked.has_value(), t, runs);
}

Task<Response> html_page(const Request& request, ServeReader& db) {
  const std::optional<std::string_view> url = request.param("url");
  if (!url || url->empty()) co_return error_response(400, "give the page's URL: /page?url=URL");
  const Result<std::optional<store::PageView>> view = co_await db.page_view(std::string(*url), kMaxLinks);
  co_return page_page(*url, view);
}

Task<Response> html_broken(const Request&, ServeReader& db) {
  const Result<std::vector<store::BrokenTarget>> broken = co_await db.broken_targets(kMaxBroken, kReferrersPerBroken);
  co_return broken_page(broken);
}

}  // namespace preheat::serve
