// Link and content extraction from one HTML document: bytes in, result out.
//
// extract_html() runs the WHATWG tokenizer of crawl/extract/html_tokenizer.h
// (no tree; why it is not libxml2 any more is said there) over the bytes of a
// page and collects
//   - the links a crawler follows, in document order, with the raw attribute
//     value (character references decoded, nothing else: no trimming, no
//     resolution; the URL normaliser does that against base_href or the page
//     URL), the element and attribute it came from, the anchor text and the
//     rel tokens;
//   - the page's content: title, meta description, canonical, language, meta
//     robots tokens (name=robots and name=AGENT), visible text and a hash of that text.
//
// Which elements give links (and which do not):
//   a href, area href, frame src, iframe src, meta http-equiv=refresh (the
//   URL part of its content), link href when rel has next, prev, previous,
//   alternate or canonical and not stylesheet. A stylesheet, icon or preload
//   is a subresource of the page, not a page to crawl, so it is not reported
//   ("alternate stylesheet" is a stylesheet). Links inside <template> are
//   inert in a browser and are skipped. Links inside <noscript> are reported:
//   a crawler runs no scripts, so the noscript view is the one it sees
//   (the parse5 oracle runs with scripting disabled for the same reason).
//
// Visible text: character data outside head-only and non-rendered elements
// (script, style, noscript, template, iframe, noembed, noframes, title: the
// title is reported apart),
// ASCII whitespace collapsed to one space, element boundaries other than
// inline ones (a, b, span, em, code...) count as whitespace, trimmed, capped
// at options.max_text_bytes on a UTF-8 boundary.
//
// Encoding: `charset_hint` is the transport layer's charset (the HTTP
// Content-Type charset parameter, "" for none). The encoding is determined
// by the HTML standard's sniffing (crawl/extract/encoding_sniffer.h: BOM,
// then a known charset_hint, then <meta charset> or <meta http-equiv> in the
// first 1024 bytes, then UTF-8 if the bytes are valid UTF-8, else
// windows-1252), the bytes are decoded to UTF-8 here
// (crawl/extract/text_decoder.h: malformed sequences become U+FFFD) and
// only UTF-8 is tokenized. NUL bytes become U+FFFD too. `encoding` and `encoding_source` in the result
// say what was used. Every string in the result is valid UTF-8.
//
// Hostile input: any bytes are accepted (binary, NULs, unclosed or 100,000
// deeply nested tags, 10 MB attributes); nothing is printed; output is
// bounded by the options below; time is linear in the input.
//
// Tree construction is followed only where it changes these results:
// <template> content is skipped (nested templates counted); svg and math
// (foreign content) have no raw-text elements, allow CDATA, report only
// <a href> (or xlink:href) in svg, end at the standard's breakout tags and
// return to HTML inside integration points (foreignObject, desc, title; mi,
// mo, mn, ms, mtext, annotation-xml with an HTML encoding); a frame counts
// only inside <frameset>. Simplified, with no difference on the parse5
// corpus: an end tag inside foreign content that names no open foreign
// element closes the foreign content when it names a common HTML container
// (div, p, td, li...); frameset-ok and "in select" are not tracked. The
// visible text follows the element rules above without a tree, so it can
// differ from the same rules applied to a browser's tree where tree
// construction moves text (foster parenting out of tables, misnested inline
// elements); on the parse5 corpus it is identical on every page.
//
// Thread safety: pure; may be called from any number of threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crawl/extract/encoding_sniffer.h"

namespace preheat::crawl {

// Where a link came from: the element and its attribute.
enum class LinkSource {
  kAHref,        // <a href>
  kAreaHref,     // <area href>
  kFrameSrc,     // <frame src>
  kIframeSrc,    // <iframe src>
  kLinkHref,     // <link href rel=next|prev|alternate|canonical>
  kMetaRefresh,  // <meta http-equiv=refresh content="0; url=...">
};

// "a", "area", "frame", "iframe", "link", "meta".
const char* link_source_tag(LinkSource source);
// "href", "src", or "content" for meta refresh.
const char* link_source_attribute(LinkSource source);

struct Link {
  LinkSource source = LinkSource::kAHref;
  std::string href;               // raw value, character references decoded
  std::string anchor_text;        // a: its text (and img alt); area: alt; else empty
  std::vector<std::string> rel;   // lower-case rel tokens in order ("nofollow", "next")

  bool has_rel(std::string_view token) const;
  friend bool operator==(const Link&, const Link&) = default;
};

struct ExtractOptions {
  // Visible text beyond this many bytes is dropped (text_truncated is set).
  std::size_t max_text_bytes = 1 << 20;
  // Anchor text is cut at this many bytes (on a UTF-8 boundary).
  std::size_t max_anchor_bytes = 200;
  // Title, description and language are cut at this many bytes.
  std::size_t max_field_bytes = 1024;
  // A link whose href is longer is dropped, not cut: a cut URL is a wrong
  // URL. 8 KiB is what common servers accept in a request line.
  std::size_t max_href_bytes = 8192;
  // At most this many links per page; the rest are counted in links_dropped.
  std::size_t max_links = 100'000;
  // <meta name=AGENT> (agent-specific robots directives, like <meta
  // name=googlebot>) is collected into ExtractResult::agent_robots when its
  // name equals this, ignoring case. The crawler sets its product token.
  std::string robots_agent = "preheat";
};

struct ExtractResult {
  std::vector<Link> links;
  std::size_t links_dropped = 0;          // over max_links or max_href_bytes
  std::optional<std::string> base_href;   // the first <base href>, raw

  std::string title;                      // first <title>, collapsed
  std::string description;                // first <meta name=description>
  std::optional<std::string> canonical;   // first <link rel=canonical href>, raw
  std::string language;                   // <html lang>
  std::vector<std::string> robots;        // <meta name=robots> tokens, lower-case
  std::vector<std::string> agent_robots;  // <meta name=ExtractOptions::robots_agent> tokens, lower-case
  std::string text;                       // visible text, collapsed
  bool text_truncated = false;
  // 64-bit FNV-1a of `text`: stable across machines and versions (it is
  // stored), dependency-free, and far faster than the parse it follows; it
  // detects equal content, it is not meant to resist an adversary.
  std::uint64_t content_hash = 0;
  std::string encoding;                   // what the bytes were decoded as ("UTF-8", "Shift_JIS")
  EncodingSource encoding_source = EncodingSource::kDefault;  // and why

  bool robots_has(std::string_view token) const;
};

ExtractResult extract_html(std::string_view html, std::string_view charset_hint,
                           const ExtractOptions& options = {});

// The URL of a meta refresh's content attribute ("5; url='next.html'"), or
// nothing when it names none (a refresh of the page itself) or is malformed.
// Follows the HTML standard's "shared declarative refresh steps".
std::optional<std::string> meta_refresh_url(std::string_view content);

// 64-bit FNV-1a.
std::uint64_t fnv1a64(std::string_view bytes);

}  // namespace preheat::crawl
