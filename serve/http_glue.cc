#include "serve/http_glue.h"

#include <boost/beast/http/error.hpp>

#include "base/version.h"
#include "serve/warc_download.h"

namespace preheat::serve {

void apply_limits(http::request_parser<http::string_body>& parser, const ServeLimits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
}

unsigned parse_error_status(const boost::system::error_code& ec) {
  if (ec.category() != http::make_error_code(http::error::bad_target).category()) return 0;
  if (ec == http::error::partial_message || ec == http::error::end_of_stream) return 0;
  if (ec == http::error::header_limit) return 431;
  if (ec == http::error::body_limit) return 413;
  if (ec == http::error::bad_version) return 505;
  return 400;
}

HttpResponse to_message(Response r, unsigned version, bool keep_alive, bool head) {
  HttpResponse res(static_cast<http::status>(r.status), version);
  res.set(http::field::server, std::string("preheat/") + kVersion);
  res.set(http::field::content_type, r.content_type);
  res.set("X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : r.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  res.content_length(r.body.size());
  if (!head) res.body() = std::move(r.body);
  return res;
}

http::response<http::empty_body> download_head(unsigned version) {
  http::response<http::empty_body> res(http::status::ok, version);
  res.set(http::field::server, std::string("preheat/") + kVersion);
  res.set(http::field::content_type, kWarcDownloadType);
  res.set(http::field::content_disposition, kWarcDownloadDisposition);
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.keep_alive(false);
  res.chunked(true);
  return res;
}

}  // namespace preheat::serve
