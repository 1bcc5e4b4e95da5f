// The response headers later stages need, taken from header lines into a
// Response. Shared by every transport (libcurl's header callback and the
// native HTTP/1.1 client) so that they keep exactly the same fields the same
// way. Pure.
#pragma once

#include <string>
#include <string_view>

#include "fetch/response.h"

namespace preheat::fetch::detail {

// Takes one header into `r` when it is one Response keeps (content-type with
// its charset, content-length, location, retry-after, etag, last-modified,
// every x-robots-tag, content-encoding); ignores the others. `value` may
// carry surrounding blanks and the line end: they are trimmed.
void take_response_header(Response& r, std::string_view name, std::string_view value);

// Forgets the kept headers (a new header block begins: after a 100 Continue).
void clear_response_headers(Response& r);

// The charset parameter of a Content-Type value, lower-cased and unquoted;
// "" when there is none. Only a parameter counts: "text/html;
// charset=utf-8" has one, "text/x-charset=utf-8" has none.
std::string charset_of(std::string_view content_type);

// Whether `name` equals `lower_name` (given in lower case), ignoring ASCII case.
bool header_is(std::string_view name, std::string_view lower_name);

}  // namespace preheat::fetch::detail
