// Html: the builder every HTML page of preheat serve is written with (the
// layout, the navigation, the style). Crawled strings go through text(),
// which escapes them (base/markup_escape.h); raw() is for the handlers' own
// markup only.
//
// Thread safety: a value, used by one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/markup_escape.h"
#include "serve/marked_text.h"
#include "serve/request.h"

namespace preheat::serve {

inline constexpr std::string_view kStyle =
    "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}"
    "nav a{margin-right:1em}table{border-collapse:collapse}td,th{padding:.2em .6em;text-align:left;"
    "border-bottom:1px solid #ddd;vertical-align:top}.bad{color:#b00}.muted{color:#777}"
    "input[type=text]{width:70%;padding:.3em}mark{background:#fe8;padding:0 .1em}"
    ".hits li{margin:.9em 0}.hits .url{color:#060;font-size:90%;word-break:break-all}.pager a{margin:0 .6em}"
    "nav form.navsearch{display:inline;float:right}nav form.navsearch input{padding:.15em .3em}";

class Html {
 public:
  explicit Html(std::string_view title) {
    out_ =
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\"><link rel=\"icon\" href=\"data:,\"><title>";
    text(title);
    out_ += " - preheat</title><style>";
    out_ += kStyle;
    out_ += "</style></head><body><nav><a href=\"/\">preheat</a><a href=\"/stats\">stats</a>"
            "<a href=\"/broken\">broken links</a><a href=\"/timeline\">timeline</a>"
            "<form class=\"navsearch\" action=\"/search\" method=\"get\"><input type=\"search\" name=\"q\" "
            "placeholder=\"search\" aria-label=\"search the crawl\"></form></nav>\n<h1>";
    text(title);
    out_ += "</h1>\n";
  }
  Html& raw(std::string_view markup) {
    out_ += markup;
    return *this;
  }
  Html& text(std::string_view s) {
    append_markup_escaped(out_, s);
    return *this;
  }
  // Text with store::kMatchBegin/kMatchEnd markers: escaped, matches in <mark>.
  Html& marked(std::string_view s) {
    append_marked_html(out_, s);
    return *this;
  }
  Html& num(std::int64_t n) {
    out_ += std::to_string(n);
    return *this;
  }
  // The search box (GET /search?q=), holding `query`.
  Html& search_form(std::string_view query) {
    out_ += "<form action=\"/search\" method=\"get\" role=\"search\"><input type=\"text\" name=\"q\" value=\"";
    text(query);
    out_ += "\" placeholder=\"words to find in titles and text\" aria-label=\"search\" autofocus> "
            "<button>Search</button></form>\n";
    return *this;
  }
  // <a href="/page?url=...">url</a>
  Html& page_link(std::string_view url, std::string_view label = {}) {
    out_ += "<a href=\"/page?url=";
    std::string q;
    append_query_escaped(q, url);
    out_ += q;  // only [A-Za-z0-9%._~-]: nothing to escape
    out_ += "\">";
    text(label.empty() ? url : label);
    out_ += "</a>";
    return *this;
  }
  Html& status(int status, std::string_view error_class) {
    const bool bad = status >= 400 || !error_class.empty() || status == 0;
    out_ += bad ? "<span class=\"bad\">" : "<span>";
    if (status != 0) num(status);
    if (!error_class.empty()) text((status != 0 ? " " : "") + std::string(error_class));
    out_ += "</span>";
    return *this;
  }
  Response done() {
    out_ += "</body></html>\n";
    Response r;
    r.body = std::move(out_);
    return r;
  }

 private:
  std::string out_;
};

}  // namespace preheat::serve
