#include "testsite/site.h"

#include "base/markup_escape.h"

#include <strings.h>

namespace preheat::testsite {

namespace {

std::string_view reason(unsigned status) {
  switch (status) {
    case 301:
      return "Moved Permanently";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Error";
  }
}

}  // namespace


std::string_view SiteResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
  }
  return {};
}

std::uint64_t SiteResponse::declared_length() const {
  if (delivery != Delivery::kWhole) return content_length;
  return shared_body ? shared_body->size() : body.size();
}

SiteResponse error_response(unsigned status, std::string_view detail) {
  SiteResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  const std::string title = std::to_string(status) + " " + std::string(reason(status));
  r.body = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title +
           "</title></head>\n<body><h1>" + title + "</h1>";
  if (!detail.empty()) r.body += "<p>" + markup_escape(detail) + "</p>";
  r.body += "<p><a href=\"/\">home</a></p></body></html>\n";
  return r;
}

}  // namespace preheat::testsite
