// Which character encoding an HTML document's bytes are in: the HTML
// standard's "determine the character encoding" (encoding sniffing
// algorithm), as a crawler can run it, over bytes already in memory.
//
// In order, the first that answers wins:
//   1. a byte-order mark (UTF-8 EF BB BF, UTF-16BE FE FF, UTF-16LE FF FE);
//   2. the transport layer's charset (the Content-Type charset parameter),
//      when it is a label the Encoding standard knows; an unknown label is
//      ignored, as a browser ignores it;
//   3. the meta prescan ("prescan a byte stream to determine its encoding")
//      of the first 1024 bytes: comments and other tags are skipped with the
//      standard's attribute rules, <meta charset=X> and <meta http-equiv=
//      content-type content="...charset=X"> are read, a UTF-16 label found
//      there means UTF-8 and x-user-defined means windows-1252 (a page that
//      can be read as ASCII to find its meta is not UTF-16); when no meta
//      answers, an XML declaration at the very start ("get an XML encoding")
//      and a BOM-less UTF-16 "<?x" are the standard's last say;
//   4. otherwise: UTF-8 when the whole document is valid UTF-8 (a truncated
//      sequence at the very end allowed: body caps cut anywhere), else
//      windows-1252.
//
// Step 4's UTF-8 guess is a decision, not the standard's default: browsers
// fall back to a locale's legacy encoding (windows-1252 in most of the world)
// for an unlabelled page, and Firefox deliberately never guesses UTF-8 for an
// http(s) page so that authors keep labelling (it does for file: URLs).
// A crawler wants the text right instead: a legacy-encoded page with any
// byte above 0x7F is almost never valid UTF-8 by accident, and the web of
// today is mostly UTF-8, so a page that decodes as UTF-8 without one error
// is taken as UTF-8. For an all-ASCII page both answers decode the same.
//
// Encoding names are the Encoding standard's ("UTF-8", "windows-1252",
// "Shift_JIS"...); labels match ASCII case-insensitively after trimming ASCII
// whitespace ("latin1", "iso-8859-1" and "ascii" are windows-1252, "gb2312"
// is GBK, "iso-2022-kr" is the replacement encoding).
//
// Thread safety: pure functions over static constant data.
#pragma once

#include <optional>
#include <string_view>

namespace preheat::crawl {

// Where the encoding came from.
enum class EncodingSource {
  kBom,       // a byte-order mark
  kHeader,    // the transport layer (HTTP Content-Type charset)
  kMeta,      // the meta prescan (or the XML declaration it falls back to)
  kDetected,  // no label: the bytes are valid UTF-8
  kDefault,   // no label, not UTF-8: windows-1252
};

// "bom", "header", "meta", "detected", "default".
const char* encoding_source_name(EncodingSource source);

struct SniffedEncoding {
  std::string_view name;  // the Encoding standard's name; static storage
  EncodingSource source = EncodingSource::kDefault;
  std::size_t bom_bytes = 0;  // bytes of BOM to skip before decoding (0, 2 or 3)

  friend bool operator==(const SniffedEncoding&, const SniffedEncoding&) = default;
};

// The encoding a label names ("get an encoding"), or nullopt for a label the
// Encoding standard does not know.
std::optional<std::string_view> encoding_for_label(std::string_view label);

// Step 3 alone over the first 1024 bytes of `bytes`: the encoding a <meta>
// (or the XML declaration) declares, with the UTF-16 and x-user-defined
// overrides applied; nullopt when nothing declares a known one.
std::optional<std::string_view> prescan_encoding(std::string_view bytes);

// Steps 1 to 4. `transport_label` is the Content-Type charset ("" for none).
SniffedEncoding sniff_html_encoding(std::string_view bytes, std::string_view transport_label);

// Whether `bytes` is valid UTF-8 (NUL bytes allowed), an incomplete but so
// far valid sequence at the very end allowed.
bool is_utf8_allowing_truncated_end(std::string_view bytes);

}  // namespace preheat::crawl
