#include "serve/http_glue.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>
#include <vector>

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

namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

// Mirrors to_message(): Beast's set() drops an earlier field of the same
// name (any case) and appends; keep_alive() on HTTP/1.1 adds
// "Connection: close" only to refuse it, on HTTP/1.0 "Connection:
// keep-alive" only to keep it; content_length() comes last.
std::optional<std::string> response_head(const Response& r, unsigned version, bool keep_alive) {
  using Field = std::pair<std::string_view, std::string_view>;
  const std::string server = std::string("preheat/") + kVersion;
  std::vector<Field> fields{{"Server", server}, {"Content-Type", r.content_type}, {"X-Content-Type-Options", "nosniff"}};
  // A pair, not a structured binding: clang 15 (the control build) cannot
  // capture a structured binding in a lambda.
  for (const auto& header : r.headers) {
    const std::string_view name = header.first;
    for (std::string_view special : {"Connection", "Content-Length", "Transfer-Encoding"}) {
      if (same_name(name, special)) return std::nullopt;
    }
    std::erase_if(fields, [&](const Field& f) { return same_name(f.first, name); });
    fields.emplace_back(name, header.second);
  }
  if (version >= 11 && !keep_alive) fields.emplace_back("Connection", "close");
  if (version < 11 && keep_alive) fields.emplace_back("Connection", "keep-alive");
  const std::string length = std::to_string(r.body.size());
  fields.emplace_back("Content-Length", length);

  const std::string_view reason = http::obsolete_reason(static_cast<http::status>(r.status));
  std::string head;
  head.reserve(256);
  head += "HTTP/";
  head += static_cast<char>('0' + version / 10);
  head += '.';
  head += static_cast<char>('0' + version % 10);
  head += ' ';
  head += std::to_string(r.status);
  head += ' ';
  head += reason;
  head += "\r\n";
  for (const auto& [name, value] : fields) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  head += "\r\n";
  return head;
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
