// Request and Response as the router and the handlers see them: plain values,
// no socket, no Beast. A handler maps a Request (and a read-only store) to a
// Response.
//
// Thread safety: values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace preheat::serve {

struct Request {
  bool head = false;  // HEAD: the answer has headers only
  std::string path;   // percent-decoded ("/api/page")
  std::vector<std::pair<std::string, std::string>> params;  // decoded query parameters, in order

  // The first parameter called `name`, none when absent.
  std::optional<std::string_view> param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones (Allow, Cache-Control...)
};

// Parses an origin-form target ("/page?url=http%3A%2F%2Fa%2F"): none when
// it is not one (absolute-form, bad percent-encoding...).
std::optional<Request> parse_target(std::string_view target);

// A small HTML page for an error status ("404 Not Found" and `detail`,
// escaped); JSON ({"error": ..., "status": N}) when `json`.
Response error_response(int status, std::string_view detail = {}, bool json = false);
const char* reason_phrase(int status);

// Appends `text` percent-encoded for a query parameter value.
void append_query_escaped(std::string& out, std::string_view text);

}  // namespace preheat::serve
