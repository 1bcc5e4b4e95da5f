// The handlers: pure functions (request, read-only store) -> response.
// HTML in handlers_html.cc (every crawled string escaped), JSON (Boost.JSON)
// in handlers_api.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <boost/json/fwd.hpp>

#include "serve/request.h"
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

Response api_stats(const Request& request, store::CrawlStore& store);
Response api_timeline(const Request& request, store::CrawlStore& store);
Response html_timeline(const Request& request, store::CrawlStore& store);

// The `run` parameter of /timeline: none when absent (the latest run), an
// error message when it is not a positive integer.
std::variant<std::optional<std::int64_t>, std::string> run_param(const Request& request);
Response api_page(const Request& request, store::CrawlStore& store);
Response api_broken(const Request& request, store::CrawlStore& store);
Response api_search(const Request& request, store::CrawlStore& store);

Response html_index(const Request& request, store::CrawlStore& store);
Response html_stats(const Request& request, store::CrawlStore& store);
Response html_page(const Request& request, store::CrawlStore& store);
Response html_broken(const Request& request, store::CrawlStore& store);
Response html_search(const Request& request, store::CrawlStore& store);

// A 200 answer with `v` serialized (application/json).
Response json_response(const boost::json::value& v);

// "500": a store failure, named.
Response store_failure(const Status& status, bool json);

}  // namespace preheat::serve
