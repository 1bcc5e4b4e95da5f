// URL normalisation for the crawler: how an href found in HTML becomes the one
// string the frontier, the seen-set and the store use for "the same page".
//
// Pure functions, no I/O, thread safe (no shared state). Built on Boost.URL
// (RFC 3986 parsing and reference resolution) and libidn2 (IDN to punycode).
// The model is the WHATWG URL Standard (what browsers do with an href), with
// deliberate differences listed below; tests/base/whatwg_diff_test.cc checks
// every one of them against npm whatwg-url, the browsers' reference parser.
//
// resolve_link(base, href), in order:
//  1. Leading and trailing C0 controls and spaces are stripped, tab/LF/CR
//     anywhere inside are removed (WHATWG). HTML entities are NOT decoded
//     here: the HTML parser has already done it.
//  2. The fragment (from the first '#') is cut off: a crawler fetches pages,
//     and "#top" is the page itself. An href of only "#..." or "" is therefore
//     the base without its fragment.
//  3. For special schemes (http, https, ws, wss, ftp; or a relative href on
//     such a base) '\' counts as '/' before the query (WHATWG), any run of
//     slashes after "scheme:" or at the start of a relative href ("///h")
//     means "//" (WHATWG "ignore slashes"), and "http:path" on an http base
//     is relative (WHATWG; RFC 3986 strict parsing would make it absolute).
//  4. A relative href whose first segment has a ':' but no valid scheme
//     ("1a:b") gets "./" in front, as WHATWG reads it as a path.
//  5. Every byte RFC 3986 does not allow in its component is percent-encoded
//     as UTF-8 bytes with upper-case hex: spaces, non-ASCII, `"<>^`{|}\[]`,
//     a '%' not followed by two hex digits. In http(s) queries "'" is also
//     encoded (WHATWG special-query set). WHATWG leaves `^|[]\` and a lone
//     '%' raw in paths/queries and `` `{}| `` raw in queries: we encode them
//     because the result must be a valid RFC 3986 URI (Boost.URL, libcurl,
//     the store). On the wire this is what browsers send anyway for most.
//  6. RFC 3986 resolution against the base (itself cleaned by steps 1-5),
//     then normalize_url.
//
// normalize_url(absolute) applies steps 1-5 (so user-typed seeds work too)
// and then:
//  - scheme lower-cased; the fragment dropped;
//  - special schemes: the host is percent-decoded, mapped with UTS #46
//    (non-transitional, as WHATWG: "Straße" stays "xn--strae-oqa") to
//    punycode, lower-cased; a forbidden host character ("<", "^", "%" after
//    decoding, ...) is an error; an empty host is an error. ASCII hosts are
//    only lower-cased: their "xn--" labels are not punycode-validated (WHATWG
//    rejects "xn--a"; libidn2, IDNA2008-strict, would also reject emoji
//    labels WHATWG accepts, so we leave it to DNS). For non-ASCII hosts
//    libidn2 is stricter than WHATWG in the same way (emoji: an error);
//  - IPv4 hosts are parsed the WHATWG way: "127.1", "0x7f.1", "017.0.0.1",
//    "2130706433" all become "127.0.0.1" (browsers connect there, so they
//    are one host); "1.2.3.256" is an error. IPv6 literals are serialised the
//    WHATWG way (lower-case hex, longest zero run compressed, no embedded
//    dotted IPv4: "[::ffff:1.2.3.4]" -> "[::ffff:102:304]");
//  - ports: empty ("http://h:/") dropped, leading zeros removed, default
//    ports dropped (http 80, https 443, ws 80, wss 443, ftp 21), > 65535 an
//    error; an empty password or empty userinfo is dropped (WHATWG);
//  - percent-encoding: hex upper-cased, percent-encoded unreserved characters
//    (ALPHA DIGIT - . _ ~) decoded (RFC 3986 6.2.2.2; WHATWG leaves "%7e"
//    and "%41" alone, a deliberate difference: servers treat them alike and
//    the crawler must not fetch a page twice). Nothing else is decoded
//    ("%2F" stays: it is not '/');
//  - dot segments removed after that decoding, so "%2e%2E" is ".." (WHATWG
//    does the same); an empty path becomes "/" for special schemes.
//  - Other schemes (mailto:, javascript:, data:, tel:, ...) are valid results
//    and keep their host case and opaque path (only steps 1-5, the scheme
//    case and percent-encoding case apply): the crawler records such links,
//    is_fetchable() refuses them. Unlike WHATWG, a space in
//    "javascript:a(' ')" becomes %20 (RFC 3986 validity again).
//  - file: is not treated as special (no crawler fetches it).
//
// Boost.URL 1.81 parses and validates; resolution (RFC 3986 5.2.2), dot
// segments, the authority and the serialisation are done here because its
// resolve() decodes "%2F" into '/' (a different URL), set_encoded_path("/")
// writes "/./" and it splits "http://1.2.3.4./" as host "1.2.3.4" + path "./".
//
// Errors (Status::invalid_argument) name the input and what is wrong:
// "empty host in 'http:///'", "port 70000 out of range in 'http://h:70000/'",
// "invalid IPv4 address '1.2.3.256' in ...", "bad base URL 'x': ...".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/simple_href.h"
#include "base/status.h"

namespace preheat {

// Resolves an href as written in HTML (entities already decoded) against the
// page URL or the document's <base href> (the caller picks which) and
// normalises the result. Non-HTTP schemes resolve to themselves.
Result<std::string> resolve_link(std::string_view base, std::string_view href);

// resolve_link for the many hrefs of one page: the base is cleaned, parsed
// and its authority normalised once, not once per href. resolve(href) gives
// exactly resolve_link(base, href), errors included (tests/base/whatwg_diff_test.cc
// and url_normalizer_test.cc compare them). Measured with callgrind on the
// python3-doc crawl (529 pages, 165,742 links): caching the base took link
// resolution from 3.53 G to 1.27 G instructions (of 7.64 G for the whole
// crawl); the fast path of base/simple_href.h then to 0.27 G. Immutable
// after make(): resolve() may run on any thread.
class LinkResolver {
 public:
  // Fails as resolve_link does for a bad base ("bad base URL '...': ...").
  static Result<LinkResolver> make(std::string_view base);
  Result<std::string> resolve(std::string_view href) const;

 private:
  LinkResolver() = default;
  std::string scheme_, lower_scheme_;  // as written; lower-cased
  bool has_authority_ = false;
  std::string authority_, path_;  // encoded, as Boost.URL splits them
  bool has_query_ = false;
  std::string query_;
  std::optional<std::string> normalized_authority_;  // unset: not special, or an error to report per href
  SimpleBase simple_;                                 // the fast path's view of the base
  Result<std::string> resolve_general(std::string_view href) const;
};

// Normalises an absolute URL (a seed, a redirect target) as described above.
Result<std::string> normalize_url(std::string_view absolute);

// True only for http and https URLs with a host. REQUIRES: `normalized` comes
// from resolve_link or normalize_url (the scheme is already lower-case).
bool is_fetchable(std::string_view normalized);

}  // namespace preheat
