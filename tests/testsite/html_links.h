// Test helpers: the links of an HTML page as a browser sees them, written
// independently of testsite/page_writer (a small tag scanner, the WHATWG
// preprocessing of hrefs, and Boost.URL for RFC 3986 resolution).
#pragma once

#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace preheat::testsite::testing {

struct HtmlAttribute {
  std::string tag;    // lower-case element name: "a", "area", "iframe", "link", "base"
  std::string name;   // "href" or "src"
  std::string raw;    // the value as written between the quotes
  std::string value;  // after character references were decoded
  char quote = 0;     // '"', '\'' or 0 (unquoted)
  std::string rel;    // the element's rel attribute, if any
};

inline std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Decodes &amp; &lt; &gt; &quot; &apos; &#N; &#xH; (ASCII only); leaves any other '&' as it is.
inline std::string decode_entities(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const std::size_t semi = s.find(';', i);
    const std::string_view ref = semi == std::string_view::npos ? std::string_view() : s.substr(i + 1, semi - i - 1);
    std::optional<char> c;
    if (ref == "amp") c = '&';
    if (ref == "lt") c = '<';
    if (ref == "gt") c = '>';
    if (ref == "quot") c = '"';
    if (ref == "apos") c = '\'';
    if (ref.size() > 1 && ref[0] == '#') {
      const bool hex = ref[1] == 'x' || ref[1] == 'X';
      const unsigned long v = std::stoul(std::string(ref.substr(hex ? 2 : 1)), nullptr, hex ? 16 : 10);
      if (v < 128) c = static_cast<char>(v);
    }
    if (c) {
      out += *c;
      i = semi;
    } else {
      out += '&';
    }
  }
  return out;
}

// Every href/src of <a>, <area>, <link>, <iframe> and <base>, in document order.
inline std::vector<HtmlAttribute> html_links(std::string_view html) {
  std::vector<HtmlAttribute> out;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    ++i;
    if (html.substr(i, 3) == "!--") {
      i = html.find("-->", i);
      if (i == std::string_view::npos) break;
      continue;
    }
    std::size_t name_end = i;
    while (name_end < html.size() && std::isalpha(static_cast<unsigned char>(html[name_end])) != 0) ++name_end;
    const std::string tag = lower_ascii(html.substr(i, name_end - i));
    i = name_end;
    if (tag.empty()) continue;
    std::vector<HtmlAttribute> found;
    std::string rel;
    while (i < html.size() && html[i] != '>') {
      if (is_space(html[i]) || html[i] == '/') {
        ++i;
        continue;
      }
      std::size_t n = i;
      while (n < html.size() && !is_space(html[n]) && html[n] != '=' && html[n] != '>') ++n;
      const std::string name = lower_ascii(html.substr(i, n - i));
      i = n;
      while (i < html.size() && is_space(html[i])) ++i;
      std::string raw;
      char quote = 0;
      if (i < html.size() && html[i] == '=') {
        ++i;
        while (i < html.size() && is_space(html[i])) ++i;
        if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
          quote = html[i];
          const std::size_t close = html.find(quote, i + 1);
          raw = std::string(html.substr(i + 1, close - i - 1));
          i = close + 1;
        } else {
          std::size_t e = i;
          while (e < html.size() && !is_space(html[e]) && html[e] != '>') ++e;
          raw = std::string(html.substr(i, e - i));
          i = e;
        }
      }
      if (name == "rel") rel = raw;
      const bool wanted = ((tag == "a" || tag == "area" || tag == "link" || tag == "base") && name == "href") ||
                          (tag == "iframe" && name == "src");
      if (wanted) found.push_back(HtmlAttribute{tag, name, raw, decode_entities(raw), quote, ""});
    }
    for (HtmlAttribute& a : found) {
      a.rel = rel;
      out.push_back(std::move(a));
    }
  }
  return out;
}

// The WHATWG URL parser's preprocessing: strip leading and trailing C0
// controls and spaces, remove every tab and newline.
inline std::string whatwg_preprocess(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= 0x20) s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= 0x20) s.remove_suffix(1);
  std::string out;
  for (char c : s) {
    if (c != '\t' && c != '\n' && c != '\r') out += c;
  }
  return out;
}

// `href` resolved against `base`, normalised (lower-case scheme and host,
// dot segments removed, no fragment, no default port); nullopt when it does
// not parse.
inline std::optional<std::string> resolve_href(std::string_view base, std::string_view href) {
  const std::string clean = whatwg_preprocess(href);  // the views below point into it
  auto b = boost::urls::parse_uri(base);
  auto r = boost::urls::parse_uri_reference(clean);
  if (!b || !r) return std::nullopt;
  boost::urls::url out;
  if (!boost::urls::resolve(*b, *r, out)) return std::nullopt;
  out.normalize();
  out.remove_fragment();
  if ((out.scheme() == "http" && out.port() == "80") || (out.scheme() == "https" && out.port() == "443")) {
    out.remove_port();
  }
  return std::string(out.buffer());
}

// The base URL of a document at `url`: its first <base href>, resolved, or the URL itself.
inline std::string document_base(std::string_view url, const std::vector<HtmlAttribute>& links) {
  for (const HtmlAttribute& a : links) {
    if (a.tag == "base") {
      std::optional<std::string> b = resolve_href(url, a.value);
      if (b) return *b;
    }
  }
  return std::string(url);
}

// The path and query of an absolute URL ("/p/5", "/list?sort=asc&page=3").
inline std::string target_of(std::string_view url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return "";
  std::string t(u->encoded_path());
  if (t.empty()) t = "/";
  if (u->has_query()) t += "?" + std::string(u->encoded_query());
  return t;
}

}  // namespace preheat::testsite::testing
