#include "serve/request.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>

#include "base/markup_escape.h"

namespace preheat::serve {

std::optional<std::string_view> Request::param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<Request> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return std::nullopt;
  Request r;
  try {
    r.path = std::string(parsed->path());
    for (const auto& p : parsed->params()) r.params.emplace_back(p.key, p.has_value ? p.value : std::string());
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (r.path.find('\0') != std::string::npos) return std::nullopt;
  return r;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
  }
}

Response error_response(int status, std::string_view detail, bool json) {
  Response r;
  r.status = status;
  const std::string title = std::to_string(status) + " " + reason_phrase(status);
  if (json) {
    boost::json::object o;
    o["status"] = status;
    o["error"] = detail.empty() ? std::string_view(reason_phrase(status)) : detail;
    r.content_type = "application/json";
    r.body = boost::json::serialize(o) + "\n";
    return r;
  }
  r.body = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>" + title + "</title></head><body><h1>" +
           title + "</h1>";
  if (!detail.empty()) {
    r.body += "<p>";
    append_markup_escaped(r.body, detail);
    r.body += "</p>";
  }
  r.body += "<p><a href=\"/\">preheat</a></p></body></html>\n";
  return r;
}

void append_query_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

}  // namespace preheat::serve
