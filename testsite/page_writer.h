// How the pages of the synthetic site are written: HTML with a title, a meta
// description, a lang attribute, words padded to about a size, and links
// spelt in all the ways real pages spell them.
//
// Every spelling resolves (WHATWG URL rules, after the HTML parser decoded
// the attribute) to the same URL as the plain root-relative target:
//   forms        "/p/5", "5", "../p/5", "./5", "http://HOST/p/5",
//                "HTTP://HOST/p/5" (host upper-cased when it is a name)
//   decorations  "#fragment", "  /p/5\n" (spaces around), "/p/\n5" (newline
//                inside: the URL parser removes tabs and newlines),
//                "/p&#47;5" (character references), "&amp;" or a bare "&"
//                between query parameters
//   quoting      "double", 'single' or unquoted (when the value allows it)
//   elements     <a href>, <area href>, <iframe src>, <link rel=next|canonical>
// A page may carry <base href> (root-relative, absolute or relative to the
// page); its relative links are then written relative to that directory.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "testsite/rng.h"

namespace preheat::testsite {

struct PageSpec {
  std::string path;   // the page's own target ("/p/5", "/list?sort=asc&page=3")
  std::string title;  // plain text (no markup)
  std::string lang = "en";
  std::string description;  // plain text
  std::string base_dir;     // not empty: a <base href> naming this directory ("/d/s1/t0/")
  // Targets to link to: root-relative path and query, optionally "#fragment";
  // each one is spelt by the Rng.
  std::vector<std::string> links;
  // hrefs written verbatim in <a> elements (already HTML-escaped): fault
  // entries, javascript:/mailto: links.
  std::vector<std::string> raw_hrefs;
  std::string next;            // not empty: <link rel="next"> to this target
  bool canonical = false;      // <link rel="canonical"> with the page's absolute URL
  std::string extra_html;      // written verbatim at the start of <main>
  std::size_t page_bytes = 0;  // filler words until the page is about this long
};

// The whole HTML document. `host` is the Host header (absolute links).
std::string write_page(const PageSpec& spec, std::string_view host, Rng& rng);

// The directory of a target: "/p/5" -> "/p/", "/list?x=1" -> "/", "/" -> "/".
std::string_view directory_of(std::string_view target);

// A relative reference from directory `from_dir` (ends with '/') to the
// root-relative `target` (no fragment): ("/d/a/b/", "/p/5") -> "../../../p/5",
// ("/p/", "/p/7") -> "7", ("/", "/") -> "./".
std::string relative_reference(std::string_view from_dir, std::string_view target);

// One spelling of a link to `target` (root-relative, optional "#fragment") on
// a page whose relative links resolve against `from_dir`, as it stands between
// the quotes of an attribute (character references included).
std::string spell_href(std::string_view target, std::string_view from_dir, std::string_view host, Rng& rng);

// `count` filler words ("amber harbour quiet ..."), ASCII lower-case.
std::string filler_words(std::size_t count, Rng& rng);

}  // namespace preheat::testsite
