// What both servers (async_server, sync_server) do with Beast around the
// pure router: parser limits, the status for a request Beast could not
// parse, a Response as a Beast message or (async server) as the head block
// Beast would write for it. One of the two files that include
// Beast's HTTP code (with the servers).
#pragma once

#include <optional>
#include <string>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include "serve/request.h"
#include "serve/serve_options.h"

namespace preheat::serve {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

void apply_limits(http::request_parser<http::string_body>& parser, const ServeLimits& limits);

// The status for a read error: 400/413/431/505 when Beast could not parse
// the request, 0 when the peer went away or the read timed out (nobody to
// answer: the connection is just closed).
unsigned parse_error_status(const boost::system::error_code& ec);

// `r` as a message for an HTTP/1.`version` request; a HEAD answer keeps its
// Content-Length and drops the body.
HttpResponse to_message(Response r, unsigned version, bool keep_alive, bool head);

// The status line and header block Beast writes for to_message(r, version,
// keep_alive, head): the same fields in the same order, byte for byte
// (tests/serve/http_glue_test.cc compares them), rendered into one string
// without a Beast message (no allocation per field, no serializer). The
// caller writes `r.body` after it as a second buffer (not for HEAD). None
// when an extra header is one whose value Beast rewrites (Connection,
// Content-Length, Transfer-Encoding): use to_message() then.
std::optional<std::string> response_head(const Response& r, unsigned version, bool keep_alive);

// The head of the /export.warc.gz answer (serve/warc_download.h): 200,
// chunked, the connection closed after it.
http::response<http::empty_body> download_head(unsigned version);

}  // namespace preheat::serve
