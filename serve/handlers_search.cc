// Full-text search: /search?q= (HTML) and /api/search?q= (JSON). The words
// are parsed by store::parse_search_query (any input parses; nothing typed is
// ever engine syntax); the store ranks and cuts the slice. Titles and
// snippets are crawled text: escaped, with matches in <mark> (marked_text.h).
//
// Pagination: `page` is 1-based, kSearchPerPage per page (the API takes
// `per_page` from 1 to kMaxSearchPerPage). HTML forgives: a page that is not
// a whole number >= 1 is page 1, a page past the end is the last one. The API
// says what is wrong (400) and answers a page past the end with no results.
#include <charconv>
#include <optional>

#include <boost/json/value.hpp>

#include "serve/handlers.h"
#include "serve/html_page.h"
#include "store/search_query.h"

namespace preheat::serve {
namespace json = boost::json;
using runtime::Task;
namespace {

constexpr std::int64_t kMaxPage = 1'000'000'000;

constexpr std::string_view kHelp =
    "<p class=\"muted\">Every word must appear, in any order, any case, accents or not. "
    "<code>\"two words\"</code> must appear together; <code>-word</code> leaves out pages with it; "
    "<code>word*</code> finds words starting with it; <code>tea OR coffee</code>: either one.</p>\n";

// `text` as a whole number from 1 to `max`; none otherwise.
std::optional<std::int64_t> whole_number(std::string_view text, std::int64_t max) {
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > max) return std::nullopt;
  return n;
}

std::int64_t page_count(std::int64_t total, std::int64_t per_page) {
  return (total + per_page - 1) / per_page;
}

// The URL of result page `page` for the query as it was typed.
std::string page_url(std::string_view q, std::int64_t page) {
  std::string url = "/search?q=";
  append_query_escaped(url, q);
  url += "&amp;page=" + std::to_string(page);
  return url;
}

void pager(Html& h, std::string_view q, std::int64_t page, std::int64_t pages) {
  if (pages <= 1) return;
  h.raw("<nav class=\"pager\">");
  if (page > 1) h.raw("<a rel=\"prev\" href=\"").raw(page_url(q, page - 1)).raw("\">&larr; Previous</a>");
  h.raw("page ").num(page).raw(" of ").num(pages);
  if (page < pages) h.raw("<a rel=\"next\" href=\"").raw(page_url(q, page + 1)).raw("\">Next &rarr;</a>");
  h.raw("</nav>\n");
}

void hit_item(Html& h, const store::SearchHit& hit) {
  h.raw("<li><a href=\"/page?url=");
  std::string q;
  append_query_escaped(q, hit.url);
  h.raw(q).raw("\">");
  if (hit.title.empty()) {
    h.text(hit.url);
  } else {
    h.marked(hit.title_marked);
  }
  h.raw("</a>");
  if (hit.status != 200 || !hit.error_class.empty()) h.raw(" ").status(hit.status, hit.error_class);
  h.raw("<br><span class=\"url\">").text(hit.url).raw("</span>");
  if (!hit.snippet.empty()) h.raw("<br>").marked(hit.snippet);
  h.raw("</li>\n");
}

Response html_message(Html& h, std::string_view message, int status) {
  h.raw("<p>").text(message).raw("</p>\n").raw(kHelp);
  Response r = h.done();
  r.status = status;
  return r;
}

// A store error as an answer: a query with nothing to search (400), no index
// (503), a failure (500).
int error_status(const Status& s) {
  if (s.code() == Status::Code::kInvalidArgument) return 400;
  if (s.code() == Status::Code::kNotFound) return 503;
  return 500;
}

// The page of results for `query` (as typed: `q`) on result page `page`,
// made from what search returned for it.
Response results_page(Html& h, std::string_view q, const store::SearchQuery& query, std::int64_t page,
                      const Result<store::SearchResults>& results) {
  const std::size_t offset = static_cast<std::size_t>((page - 1) * kSearchPerPage);
  if (!results.ok()) {
    const int status = error_status(results.status());
    if (status == 500) return store_failure(results.status(), false);
    // Nothing searchable is the person's input, not an error of the page.
    return html_message(h, results.status().message(), status == 400 ? 200 : status);
  }
  const std::int64_t pages = page_count(results->total, kSearchPerPage);
  if (results->total == 0) {
    h.raw("<p>No page matches <q>").text(query.text).raw("</q>.");
    if (query.clauses.size() > 1) h.raw(" Every word must appear: try fewer words.");
    h.raw("</p>\n").raw(kHelp);
    return h.done();
  }
  h.raw("<p class=\"muted\">").num(results->total).raw(results->total == 1 ? " page matches" : " pages match");
  if (pages > 1) h.raw(" &middot; page ").num(page).raw(" of ").num(pages);
  if (query.truncated) {
    h.raw(" &middot; only the first ").num(static_cast<std::int64_t>(store::kMaxSearchTerms)).raw(" terms were used");
  }
  h.raw("</p>\n<ol class=\"hits\" start=\"").num(static_cast<std::int64_t>(offset) + 1).raw("\">\n");
  for (const store::SearchHit& hit : results->hits) hit_item(h, hit);
  h.raw("</ol>\n");
  pager(h, q, page, pages);
  return h.done();
}

// The API's answer for what search returned.
Response results_json(const store::SearchQuery& query, std::int64_t page, std::int64_t per_page,
                      const Result<store::SearchResults>& results) {
  if (!results.ok()) {
    const int status = error_status(results.status());
    if (status == 500) return store_failure(results.status(), true);
    return error_response(status, results.status().message(), true);
  }
  json::array hits;
  for (const store::SearchHit& h : results->hits) {
    hits.push_back(json::object{{"url", h.url},
                                {"title", h.title},
                                {"snippet", marked_html(h.snippet)},
                                {"status", h.status},
                                {"error_class", h.error_class},
                                {"content_type", h.content_type},
                                {"bytes", h.bytes}});
  }
  return json_response(json::object{{"query", query.text},
                                    {"total", results->total},
                                    {"page", page},
                                    {"per_page", per_page},
                                    {"pages", page_count(results->total, per_page)},
                                    {"truncated", query.truncated},
                                    {"results", std::move(hits)}});
}

std::size_t offset_of(std::int64_t page, std::int64_t per_page) {
  return static_cast<std::size_t>((page - 1) * per_page);
}

}  // namespace

Task<Response> html_search(const Request& request, ServeReader& db) {
  const std::string_view q = request.param("q").value_or("");
  const store::SearchQuery query = store::parse_search_query(q);
  Html h("Search");
  h.search_form(query.text);
  if (query.text.empty()) {
    h.raw(kHelp);
    co_return h.done();
  }
  std::int64_t page = whole_number(request.param("page").value_or("1"), kMaxPage).value_or(1);
  const std::int64_t per_page = kSearchPerPage;
  Result<store::SearchResults> results = co_await db.search(query, offset_of(page, per_page), kSearchPerPage);
  if (results.ok() && results->hits.empty() && results->total > 0 && page > 1) {
    page = page_count(results->total, per_page);  // past the end: the last page
    results = co_await db.search(query, offset_of(page, per_page), kSearchPerPage);
  }
  co_return results_page(h, q, query, page, results);
}

Task<Response> api_search(const Request& request, ServeReader& db) {
  const store::SearchQuery query = store::parse_search_query(request.param("q").value_or(""));
  if (query.text.empty()) co_return error_response(400, "give words to search for: /api/search?q=WORDS", true);
  const std::optional<std::int64_t> page = whole_number(request.param("page").value_or("1"), kMaxPage);
  if (!page) co_return error_response(400, "page must be a whole number from 1 to " + std::to_string(kMaxPage), true);
  const std::optional<std::int64_t> per_page = whole_number(
      request.param("per_page").value_or(std::to_string(kSearchPerPage)), static_cast<std::int64_t>(kMaxSearchPerPage));
  if (!per_page) {
    co_return error_response(400, "per_page must be a whole number from 1 to " + std::to_string(kMaxSearchPerPage),
                             true);
  }
  const Result<store::SearchResults> results =
      co_await db.search(query, offset_of(*page, *per_page), static_cast<std::size_t>(*per_page));
  co_return results_json(query, *page, *per_page, results);
}

}  // namespace preheat::serve
