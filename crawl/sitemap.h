// Sitemaps (sitemaps.org protocol 0.9): bytes in, the URLs they list out.
//
// parse_sitemap(body, sitemap_url, site, options) is pure (no I/O, no shared
// state; thread safe). It reads:
//  - an XML <urlset> (the pages: each <url><loc>) or an XML <sitemapindex>
//    (other sitemap files: each <sitemap><loc>); the root element's local
//    name decides, the namespace is not checked (many real files get it
//    wrong), other elements (<lastmod>, <image:loc>...) are ignored;
//  - a plain-text sitemap (the protocol's other format): one absolute URL
//    per line, when the body does not start with '<' (after a byte-order
//    mark and whitespace);
//  - either of them gzip-compressed (detected by the magic bytes 1f 8b, not
//    by the name or Content-Type: servers label .xml.gz every which way),
//    inflated here with zlib, streamed into the parser chunk by chunk.
//
// Limits (the protocol's, configurable): at most max_urls <loc>s per file
// (50,000) and max_bytes of (uncompressed) text (50 MB). Past either, the
// rest of the file is ignored and `truncated` says so: the URLs before the
// cut are kept. A gzip bomb therefore costs at most max_bytes of inflating
// and never more than one 64 KiB chunk of memory beyond the parser's.
//
// Hostile input: libxml2's SAX parser with the network off (XML_PARSE_NONET),
// entities never substituted and no DTD loaded; a document with a DOCTYPE is
// refused outright (a sitemap has none, and that is where XXE and "billion
// laughs" live). Malformed XML: the URLs read before the error are kept and
// `error` says what went wrong. A <loc> longer than kMaxLocBytes (the
// protocol's 2,048 characters) is dropped.
//
// Each <loc> is trimmed (XML whitespace), entity-decoded by the parser
// (&amp; and character references), resolved against the sitemap's URL and
// normalised (base/url_normalizer.h). Only http(s) URLs of `site` (scheme,
// host and port, as crawl/robots_gate.h robots_site() spells it) are kept
// for a <urlset>: a sitemap may list only URLs of the site that published it
// (the site whose robots.txt named it, or whose /sitemap.xml it is). The
// protocol's stricter directory rule (a file at /catalog/sitemap.xml may
// list only /catalog/...) is not applied: it does not hold for sitemaps
// named in robots.txt, which is how most sites publish theirs. Children of a
// <sitemapindex> may be on `site` or on the index file's own site.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace preheat::crawl {

struct SitemapLimits {
  std::size_t max_urls = 50'000;               // <loc>s per file (sitemaps.org)
  std::size_t max_bytes = 50u * 1024 * 1024;   // uncompressed bytes per file (sitemaps.org)
};

inline constexpr std::size_t kMaxLocBytes = 2048;

enum class SitemapKind { kUnknown, kUrlSet, kIndex, kText };
const char* to_string(SitemapKind kind);

struct SitemapParse {
  SitemapKind kind = SitemapKind::kUnknown;
  std::vector<std::string> urls;  // normalised, deduplicated, in file order
  std::size_t locs = 0;           // <loc>s (or lines) read, kept or not
  std::size_t dropped = 0;        // locs that did not resolve, were not http(s), too long or off-site
  bool gzip = false;              // the body was gzip-compressed
  bool truncated = false;         // max_urls or max_bytes was reached: the rest was ignored
  std::string error;              // malformed XML or gzip, a DOCTYPE, not a sitemap; empty when fine
};

// `sitemap_url`: the file's (final) URL, normalised; `site`: whose URLs it
// may list ("http://h:8080").
SitemapParse parse_sitemap(std::string_view body, std::string_view sitemap_url, std::string_view site,
                           const SitemapLimits& limits = {});

}  // namespace preheat::crawl
