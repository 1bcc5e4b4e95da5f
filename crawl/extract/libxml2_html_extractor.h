// extract_html() as it was before the tokenizer (crawl/extract/html_tokenizer.h):
// libxml2's HTML SAX parser (lenient, streaming, no tree) driving the same
// extraction rules. Kept as the baseline that bench/extract_bench.cc measures
// the tokenizer against in the same binary; the crawler does not use it.
//
// Where it differs from extract_html (libxml2 2.9 is not an HTML5 parser):
// <![CDATA[ in HTML content is text, not a bogus comment; an invalid numeric
// character reference (&#0;) ends an attribute value; markup inside title,
// textarea, xmp, iframe, noembed, noframes and plaintext is parsed (its links
// are dropped here by element name); SVG <a> needs no foreign-content rules.
//
// Thread safety: pure; may be called from any number of threads at once.
#pragma once

#include <string_view>

#include "crawl/extract/html_extractor.h"

namespace preheat::crawl {

ExtractResult extract_html_libxml2(std::string_view html, std::string_view charset_hint,
                                   const ExtractOptions& options = {});

}  // namespace preheat::crawl
