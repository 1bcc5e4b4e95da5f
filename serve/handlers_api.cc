// The JSON API (/api/...): Boost.JSON builds every document, so crawled
// strings are escaped by the serializer.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <charconv>

#include "serve/handlers.h"
#include "serve/json_writer.h"
#include "serve/timeline_view.h"

namespace preheat::serve {
namespace json = boost::json;
using runtime::Task;
namespace {

json::object stats_json(const store::CrawlStats& s) {
  json::object o;
  o["urls"] = s.urls;
  o["pages"] = s.pages;
  o["links"] = s.links;
  o["redirects"] = s.redirects;
  json::object frontier;
  for (const auto& [state, n] : s.frontier) frontier[store::to_string(state)] = n;
  o["frontier"] = std::move(frontier);
  json::object classes;
  for (const auto& [c, n] : s.status_classes) classes[c == 0 ? std::string("none") : std::to_string(c) + "xx"] = n;
  o["status_classes"] = std::move(classes);
  json::object errors;
  for (const auto& [e, n] : s.errors) errors[e] = n;
  o["errors"] = std::move(errors);
  json::object depths;
  for (const auto& [d, n] : s.depths) depths[std::to_string(d)] = n;
  o["depths"] = std::move(depths);
  o["bytes"] = s.bytes;
  o["wire_bytes"] = s.wire_bytes;
  o["first_fetch_ms"] = s.first_fetch_ms;
  o["last_fetch_ms"] = s.last_fetch_ms;
  o["runs"] = s.runs;
  return o;
}

// What /api/page's body usually fits in (the bench page's is 2.1 kB).
constexpr std::size_t kPageBodyGuess = 4096;

}  // namespace

Response json_response(const json::value& v) {
  Response r;
  r.content_type = "application/json";
  r.body = json::serialize(v) + "\n";
  return r;
}

Response store_failure(const Status& status, bool json) {
  return error_response(500, "the crawl database failed: " + status.message(), json);
}

Task<Response> api_stats(const Request&, ServeReader& db) {
  const Result<store::CrawlStats> stats = co_await db.stats();
  if (!stats.ok()) co_return store_failure(stats.status(), true);
  co_return json_response(stats_json(*stats));
}

namespace {

Response page_json(const Result<std::optional<store::PageView>>& view) {
  if (!view.ok()) return store_failure(view.status(), true);
  if (!view->has_value()) return error_response(404, "no page with this URL in the crawl", true);
  const store::PageRecord& p = (*view)->page;
  // Written straight into the body (JsonWriter): no DOM for the hot route.
  Response r;
  r.content_type = "application/json";
  r.body.reserve(kPageBodyGuess);
  JsonWriter w(r.body);
  w.begin_object()
      .member("url", p.url)
      .member("final_url", p.final_url)
      .member("status", p.status)
      .member("state", store::to_string(p.state))
      .member("title", p.title)
      .member("description", p.description)
      .member("content_type", p.content_type)
      .member("language", p.language)
      .member("canonical", p.canonical)
      .member("depth", p.depth)
      .member("bytes", p.bytes)
      .member("wire_bytes", p.wire_bytes)
      .member("fetched_at_ms", p.fetched_at_ms)
      .member("checked_at_ms", p.checked_at_ms)
      .member("not_modified", p.not_modified)
      .member("robots", p.robots)
      .member("elapsed_s", p.elapsed_s)
      .member("attempts", p.attempts)
      .member("error_class", p.error_class)
      .member("error_message", p.error_message);
  w.key("redirects").begin_array();
  for (const store::RedirectRecord& rd : p.redirects) {
    w.begin_object().member("from", rd.from_url).member("to", rd.to_url).member("status", rd.status).end_object();
  }
  w.end_array().key("out_links").begin_array();
  for (const store::LinkView& l : (*view)->out_links) {
    w.begin_object().member("url", l.url).member("anchor", l.anchor).member("rel", l.rel).member("tag", l.tag);
    w.key("status");
    if (l.status) {
      w.value(*l.status);
    } else {
      w.null();
    }
    w.member("error_class", l.error_class).end_object();
  }
  w.end_array().key("in_links").begin_array();
  for (const store::InLink& l : (*view)->in_links) {
    w.begin_object().member("url", l.from_url).member("anchor", l.anchor).member("status", l.from_status).end_object();
  }
  w.end_array().end_object();
  r.body += '\n';
  return r;
}

Response broken_json(const Result<std::vector<store::BrokenTarget>>& broken) {
  if (!broken.ok()) return store_failure(broken.status(), true);
  json::array out;
  for (const store::BrokenTarget& t : *broken) {
    json::array from;
    for (const std::string& u : t.sample_referrers) from.push_back(json::string(u));
    out.push_back(json::object{{"url", t.url},
                               {"status", t.status},
                               {"error_class", t.error_class},
                               {"error_message", t.error_message},
                               {"referrers", t.referrers},
                               {"linked_from", std::move(from)}});
  }
  return json_response(json::object{{"broken", std::move(out)}});
}

}  // namespace

Task<Response> api_page(const Request& request, ServeReader& db) {
  const std::optional<std::string_view> url = request.param("url");
  if (!url || url->empty()) co_return error_response(400, "give the page's URL: /api/page?url=URL", true);
  const Result<std::optional<store::PageView>> view = co_await db.page_view(std::string(*url), kMaxLinks);
  co_return page_json(view);
}

Task<Response> api_broken(const Request&, ServeReader& db) {
  const Result<std::vector<store::BrokenTarget>> broken = co_await db.broken_targets(kMaxBroken, kReferrersPerBroken);
  co_return broken_json(broken);
}

}  // namespace preheat::serve

namespace preheat::serve {
using runtime::Task;

std::variant<std::optional<std::int64_t>, std::string> run_param(const Request& request) {
  const std::optional<std::string_view> run = request.param("run");
  if (!run) return std::optional<std::int64_t>{};
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(run->data(), run->data() + run->size(), id);
  if (ec != std::errc{} || end != run->data() + run->size() || id < 1) {
    return std::string("run must be a positive integer (a run id from /timeline)");
  }
  return std::optional<std::int64_t>{id};
}

namespace {

Response timeline_json(const Result<std::optional<store::RunTimeline>>& t) {
  if (!t.ok()) return store_failure(t.status(), true);
  if (!t->has_value()) return error_response(404, "no such run in the crawl", true);
  const store::RunTimeline& tl = **t;
  const TimelineView view = make_timeline_view(tl, kTimelineBuckets);
  json::object o;
  json::object run_o;
  run_o["id"] = tl.run.id;
  run_o["mode"] = tl.run.mode;
  run_o["seeds"] = tl.run.seeds;
  run_o["outcome"] = tl.run.outcome;
  run_o["started_at_ms"] = tl.run.started_at_ms;
  run_o["ended_at_ms"] = tl.run.ended_at_ms;
  run_o["wall_s"] = tl.run.wall_s;
  run_o["execution_s"] = tl.run.execution_s;
  run_o["pages"] = tl.run.pages;
  o["run"] = std::move(run_o);
  o["stride"] = tl.stride;
  o["duration_s"] = view.duration_s;
  o["bucket_s"] = view.bucket_s;
  o["peak_in_flight"] = view.peak_in_flight;
  json::array in_flight;
  for (double v : view.in_flight) in_flight.emplace_back(v);
  o["in_flight"] = std::move(in_flight);
  json::array fetches;
  for (std::size_t i = 0; i < tl.spans.size(); ++i) {
    json::object f;
    f["url"] = tl.spans[i].url;
    f["start_s"] = view.boxes[i].start;
    f["end_s"] = view.boxes[i].end;
    f["status"] = tl.spans[i].status;
    f["error_class"] = tl.spans[i].error_class;
    f["slot"] = view.boxes[i].row;
    fetches.emplace_back(std::move(f));
  }
  o["fetches"] = std::move(fetches);
  return json_response(o);
}

}  // namespace

Task<Response> api_timeline(const Request& request, ServeReader& db) {
  const auto run = run_param(request);
  if (const std::string* bad = std::get_if<std::string>(&run)) co_return error_response(400, *bad, true);
  const Result<std::optional<store::RunTimeline>> t =
      co_await db.run_timeline(std::get<std::optional<std::int64_t>>(run), kTimelineSpans);
  co_return timeline_json(t);
}

}  // namespace preheat::serve
