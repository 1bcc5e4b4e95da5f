// The handlers: (request, ServeReader) -> response, each a short coroutine
// in three steps: check the request (a bad one is answered without the
// database), co_await the reads it needs (serve_reader.h: a reader thread on
// SQLite, the io loop itself on PostgreSQL), render (pure functions of the
// request and what was read). HTML in handlers_html.cc (every crawled string
// escaped), JSON (Boost.JSON) in handlers_api.cc, search in
// handlers_search.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <boost/json/fwd.hpp>

#include "runtime/asio.h"
#include "serve/request.h"
#include "serve/serve_reader.h"
#include "store/crawl_store.h"

namespace preheat::serve {

// Most links or in-links shown for one page; broken targets per page of /broken.
inline constexpr std::size_t kMaxLinks = 1000;
inline constexpr std::size_t kMaxBroken = 1000;
inline constexpr std::size_t kReferrersPerBroken = 20;
// Search results per page (/search, and /api/search's default per_page), and
// the most /api/search gives per page.
inline constexpr std::size_t kSearchPerPage = 20;
inline constexpr std::size_t kMaxSearchPerPage = 100;

// Fetches read for /timeline (a longer run is sampled evenly) and the
// buckets of its in-flight chart; buckets of /stats' pages-over-time chart.
inline constexpr std::size_t kTimelineSpans = 3000;
inline constexpr std::size_t kTimelineBuckets = 120;
inline constexpr std::size_t kStatsTimeBuckets = 60;

runtime::Task<Response> api_stats(const Request& request, ServeReader& db);
runtime::Task<Response> api_timeline(const Request& request, ServeReader& db);
runtime::Task<Response> html_timeline(const Request& request, ServeReader& db);

// The `run` parameter of /timeline: none when absent (the latest run), an
// error message when it is not a positive integer.
std::variant<std::optional<std::int64_t>, std::string> run_param(const Request& request);
runtime::Task<Response> api_page(const Request& request, ServeReader& db);
runtime::Task<Response> api_broken(const Request& request, ServeReader& db);
runtime::Task<Response> api_search(const Request& request, ServeReader& db);

runtime::Task<Response> html_index(const Request& request, ServeReader& db);
runtime::Task<Response> html_stats(const Request& request, ServeReader& db);
runtime::Task<Response> html_page(const Request& request, ServeReader& db);
runtime::Task<Response> html_broken(const Request& request, ServeReader& db);
runtime::Task<Response> html_search(const Request& request, ServeReader& db);

// A 200 answer with `v` serialized (application/json).
Response json_response(const boost::json::value& v);

// "500": a store failure, named.
Response store_failure(const Status& status, bool json);

}  // namespace preheat::serve
