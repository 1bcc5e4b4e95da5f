// Conditional GETs (RFC 9110 section 13): the server answers 304 Not Modified
// when a request's validators match the response it would send. Applied by
// the server to every Site's answers (like nginx does for static files), so
// the synthetic site and a static directory both support recrawls. Pure.
//
// Only a 200 sent whole can become a 304. If-None-Match (a list of entity
// tags or "*", compared weakly: W/"x" matches "x") decides when present;
// otherwise If-Modified-Since does: 304 when the response's Last-Modified is
// not later than it (both IMF-fixdates; a date that does not parse never
// matches).
//
// Thread safety: pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "testsite/site.h"

namespace preheat::testsite {

bool is_not_modified(const SiteResponse& response, std::string_view if_none_match,
                     std::string_view if_modified_since);

// The 304 for `response`: its status 304, its ETag, Last-Modified,
// Cache-Control, Expires, Vary and Content-Location headers, no body.
SiteResponse not_modified_response(const SiteResponse& response);

// Unix seconds of an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), none
// when it is not one.
std::optional<std::int64_t> parse_http_date(std::string_view text);

}  // namespace preheat::testsite
