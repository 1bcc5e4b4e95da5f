// The traps of the synthetic site (--faults), as pure responses. Each fault
// has its own paths; "/" links to the entry path of every enabled fault.
// None of them is part of the ground truth.
//
//   fault           path(s)                          what it serves
//   500             /fault/500                       500, small HTML page
//   503             /fault/503                       503, Retry-After: 1
//   429             /fault/429                       429, Retry-After: 2 (seconds)
//                   /fault/429-date                  429, Retry-After: an HTTP-date 5 s after now
//   reset           /fault/reset                     200, Content-Length 65536, a TCP reset after 1000 body bytes
//   stall           /fault/stall                     200, Content-Length 65536, 1000 body bytes, then nothing for 60 s,
//   then close redirect-loop   /fault/redirect-loop/a, /b       302 a -> b -> a -> ... forever redirect-chain
//   /fault/redirect-chain/0 .. /14   15 redirects (301, 302, 303, 307, 308 in turn; Location
//                                                    root-relative, relative or absolute), /15 answers 200
//   gzip-bomb       /fault/gzip-bomb                 200, Content-Encoding: gzip, ~1 MiB on the wire, 1 GiB inflated
//   oversize        /fault/oversize                  200 text/html, 64 MiB, streamed
//   binary          /fault/binary                    200 "text/html; charset=utf-8", random bytes (NULs included)
//   bad-utf8        /fault/bad-utf8                  200 "text/html; charset=utf-8", invalid UTF-8 in title, text
//                                                    and attributes, then a link to "/"
//   charsets        /fault/charsets/windows-1252     200 "text/html; charset=windows-1252" and <meta charset>,
//                                                    text with bytes 0x80-0x9F (euro sign, curly quotes)
//                   /fault/charsets/shift-jis        200 "text/html" (no charset), Shift_JIS declared by
//                                                    <meta http-equiv=Content-Type>; kanji whose second
//                                                    byte is 0x5C ('\' in ASCII) included
//   calendar        /calendar/YYYY-MM-DD             200, links to the next day, forever (until 9999-12-31);
//                                                    the entry is /calendar/2024-01-01
//   schemes         /fault/schemes                   200, javascript:, mailto:, data: and tel: links (and "/")
//   robots          /robots.txt                      Disallow: /fault/robots/, Allow: /fault/robots/allowed,
//                                                    Crawl-delay: 1 (--crawl-delay), Sitemap: http://HOST/sitemap.xml
//                   /fault/robots/private, /allowed  200 pages (the first one disallowed)
//                   /fault/robots-redirect           302 to /fault/robots/private (allowed itself: a
//                                                    redirect into a disallowed path)
//   sitemap         /sitemap.xml                     every ground-truth page and /fault/sitemap/orphan (a
//                                                    sitemap index over /sitemap-N.xml files past 50,000 URLs)
//                   /fault/sitemap/orphan            200 page that no link reaches: only the sitemap lists it
// Without `robots`, /robots.txt is 404; without `sitemap`, /sitemap.xml is 404.
// robots.txt and the sitemaps are written by SiteModel (they list its pages).
//
// Thread safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "testsite/fault_set.h"
#include "testsite/site.h"

namespace preheat::testsite {

inline constexpr std::uint64_t kOversizeBytes = std::uint64_t{64} << 20;
inline constexpr std::uint64_t kCutBodyBytes = 65536;  // what reset and stall promise
inline constexpr std::uint64_t kCutAfterBytes = 1000;  // what they send
inline constexpr std::chrono::milliseconds kStallTime{60'000};
inline constexpr int kRedirectChainLength = 15;
inline constexpr std::string_view kCalendarStart = "2024-01-01";
inline constexpr std::string_view kSitemapOrphanPath = "/fault/sitemap/orphan";

struct FaultRequest {
  std::string_view path;  // without the query
  std::string_view host;  // the Host header
  std::int64_t now_unix = 0;
  std::uint64_t seed = 1;
  std::size_t page_bytes = 4096;
};

// The response when `request.path` belongs to an enabled fault (except
// robots.txt and the sitemaps); nullopt otherwise.
std::optional<SiteResponse> fault_response(const FaultSet& faults, const FaultRequest& request);

// The paths "/" links to, one or more per enabled fault, in a fixed order.
std::vector<std::string> fault_entry_paths(const FaultSet& faults);

// True for a path the faults own (under /fault/ or /calendar/, robots.txt,
// the sitemaps), enabled or not: never part of the ground truth.
bool is_fault_path(std::string_view path);

}  // namespace preheat::testsite
