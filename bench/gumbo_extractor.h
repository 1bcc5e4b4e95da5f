// A link and text extractor on gumbo's HTML5 tree: the third baseline of
// bench/extract_bench.cc (issue 7: "libxml2 SAX and gumbo measured as
// baselines in the same binary"). Bench only: the crawler does not link it.
//
// What it extracts, close enough to extract_html for a fair timing (the
// parse5 differential test, not this, is the oracle for link sets): links
// from a[href], area[href], frame[src], iframe[src] and link[href] with rel
// next/prev/alternate/canonical, the anchor text of <a> (its text and img
// alt), the first <title>, <base href>, and the visible text (script,
// style, template, noscript contents skipped) with whitespace runs collapsed
// to one space, and its FNV-1a hash. gumbo parses UTF-8 only: the bytes are
// given to it as they are (the corpus is UTF-8), the charset hint is unused.
//
// Thread safety: pure; may be called from any number of threads at once.
#pragma once

#include <string_view>

#include "crawl/extract/html_extractor.h"

namespace preheat::bench {

crawl::ExtractResult extract_html_gumbo(std::string_view html, std::string_view charset_hint,
                                        const crawl::ExtractOptions& options = {});

}  // namespace preheat::bench
