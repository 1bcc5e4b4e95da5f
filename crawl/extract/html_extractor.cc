#include "crawl/extract/html_extractor.h"

#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>

#include "base/utf8.h"
#include "crawl/extract/text_decoder.h"

namespace preheat::crawl {
namespace {

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

// The longest prefix of s of at most `cap` bytes that does not end inside a
// UTF-8 sequence. REQUIRES: s is valid UTF-8.
std::size_t utf8_cut(std::string_view s, std::size_t cap) {
  if (s.size() <= cap) return s.size();
  std::size_t n = cap;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

void make_valid_utf8(std::string& s) {
  const std::size_t bad = first_invalid_utf8(s);
  if (bad != std::string_view::npos) s = to_valid_utf8(s, bad, /*replace_nul=*/true);
}

// Text with ASCII whitespace collapsed to single spaces and trimmed, capped
// at `cap` bytes on a UTF-8 boundary.
class CollapsedText {
 public:
  explicit CollapsedText(std::string* out, std::size_t cap) : out_(out), cap_(cap) {}

  void add(std::string_view in) {
    std::size_t i = 0;
    while (i < in.size() && !full_) {
      if (is_ascii_space(in[i])) {
        pending_space_ = !out_->empty();
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < in.size() && !is_ascii_space(in[j])) ++j;
      if (pending_space_) append(" ");
      pending_space_ = false;
      append(in.substr(i, j - i));
      i = j;
    }
  }
  // An element boundary that separates words ("<p>a</p><p>b</p>" is "a b").
  void boundary() { pending_space_ = !out_->empty(); }
  bool full() const { return full_; }

 private:
  void append(std::string_view run) {
    if (full_) return;
    const std::size_t room = cap_ - out_->size();
    if (run.size() <= room) {
      out_->append(run);
      return;
    }
    full_ = true;
    out_->append(run.substr(0, utf8_cut(run, room)));
    // A space cut in front of nothing would leave trailing whitespace.
    if (!out_->empty() && out_->back() == ' ') out_->pop_back();
  }

  std::string* out_;
  std::size_t cap_;
  bool pending_space_ = false;
  bool full_ = false;
};

std::string collapse(std::string_view s, std::size_t cap) {
  std::string out;
  CollapsedText(&out, cap).add(s);
  return out;
}

// Lower-case tokens of `s` split at any of `separators`, appended to `out`.
void split_tokens(std::string_view s, std::string_view separators, std::vector<std::string>& out) {
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && separators.find(s[i]) != std::string_view::npos) ++i;
    std::size_t j = i;
    while (j < s.size() && separators.find(s[j]) == std::string_view::npos) ++j;
    if (j > i) {
      std::string token(s.substr(i, j - i));
      for (char& c : token) c = lower(c);
      if (std::find(out.begin(), out.end(), token) == out.end()) out.push_back(std::move(token));
    }
    i = j;
  }
}

constexpr std::string_view kSpaces = " \t\n\f\r";

// Phrasing elements whose boundaries do not separate words.
bool is_inline(std::string_view tag) {
  static constexpr std::array<std::string_view, 28> kInline = {
      "a",    "abbr", "b",    "bdi",    "bdo",  "big",  "cite", "code", "data", "dfn",
      "em",   "font", "i",    "kbd",    "label", "mark", "nobr", "q",    "s",    "samp",
      "small", "span", "strong", "sub", "sup",  "time", "tt",   "u"};
  return std::find(kInline.begin(), kInline.end(), tag) != kInline.end() || tag == "var" || tag == "wbr";
}

// Elements whose content is not visible text.
bool is_hidden_content(std::string_view tag) {
  return tag == "script" || tag == "style" || tag == "noscript" || tag == "template" || tag == "title" ||
         tag == "iframe" || tag == "noembed" || tag == "noframes";
}

// Elements whose content a browser parses as text, not markup (RCDATA and
// RAWTEXT in the HTML standard), and MathML (which has no links); libxml2
// parses markup inside them, so links found there are dropped.
bool has_no_links_inside(std::string_view tag) {
  return tag == "textarea" || tag == "title" || tag == "xmp" || tag == "iframe" || tag == "noembed" ||
         tag == "noframes" || tag == "plaintext" || tag == "math";
}

// HTML input preprocessing turns CR LF and lone CR into LF; libxml2 does not.
void normalize_newlines(std::string& s) {
  if (s.find('\r') == std::string::npos) return;
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\r') {
      out += s[i];
    } else if (i + 1 >= s.size() || s[i + 1] != '\n') {
      out += '\n';
    }
  }
  s = std::move(out);
}

// Attribute lookup in libxml2's NULL-terminated name/value array; a value
// written without "=" is the empty string.
std::optional<std::string_view> attribute(const xmlChar** atts, std::string_view name) {
  if (atts == nullptr) return std::nullopt;
  for (; atts[0] != nullptr; atts += 2) {
    if (name == reinterpret_cast<const char*>(atts[0])) {
      return atts[1] == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(atts[1]));
    }
  }
  return std::nullopt;
}

bool is_followed_link_rel(const std::vector<std::string>& rel) {
  bool follow = false;
  for (const std::string& t : rel) {
    if (t == "stylesheet") return false;
    if (t == "next" || t == "prev" || t == "previous" || t == "alternate" || t == "canonical") follow = true;
  }
  return follow;
}

// The SAX state of one extract_html call.
class Collector {
 public:
  Collector(const ExtractOptions& options, ExtractResult& result)
      : options_(options),
        result_(result),
        text_(&result.text, options.max_text_bytes),
        title_(&result.title, options.max_field_bytes),
        anchor_(&scratch_anchor_, options.max_anchor_bytes) {}

  void start(std::string_view tag, const xmlChar** atts) {
    if (is_hidden_content(tag)) {
      ++hidden_depth_;
      if (tag == "template") ++template_depth_;
      if (tag == "title" && !title_seen_) {
        title_seen_ = true;
        in_title_ = true;
      }
    }
    if (!is_inline(tag)) boundary();
    if (template_depth_ > 0 || no_links_depth_ > 0) return;
    if (has_no_links_inside(tag)) ++no_links_depth_;

    if (tag == "a") {
      close_anchor();
      if (auto href = attribute(atts, "href")) {
        if (add_link(LinkSource::kAHref, *href, atts)) anchor_index_ = result_.links.size() - 1;
      }
    } else if (tag == "area") {
      if (auto href = attribute(atts, "href")) {
        if (add_link(LinkSource::kAreaHref, *href, atts)) {
          result_.links.back().anchor_text = collapse(attribute(atts, "alt").value_or(""), options_.max_anchor_bytes);
        }
      }
    } else if (tag == "img") {
      if (anchor_index_) {
        anchor_.boundary();
        anchor_.add(attribute(atts, "alt").value_or(""));
        anchor_.boundary();
      }
    } else if (tag == "frame" || tag == "iframe") {
      if (auto src = attribute(atts, "src")) add_link(tag == "frame" ? LinkSource::kFrameSrc : LinkSource::kIframeSrc, *src, atts);
    } else if (tag == "link") {
      on_link(atts);
    } else if (tag == "meta") {
      on_meta(atts);
    } else if (tag == "base") {
      if (auto href = attribute(atts, "href"); href && !result_.base_href && href->size() <= options_.max_href_bytes) {
        result_.base_href = std::string(*href);
      }
    } else if (tag == "html") {
      if (auto lang = attribute(atts, "lang"); lang && result_.language.empty()) {
        result_.language = std::string(trim(*lang).substr(0, utf8_cut(trim(*lang), options_.max_field_bytes)));
      }
    }
  }

  void end(std::string_view tag) {
    if (is_hidden_content(tag) && hidden_depth_ > 0) {
      --hidden_depth_;
      if (tag == "template" && template_depth_ > 0) --template_depth_;
      if (tag == "title") in_title_ = false;
    }
    if (has_no_links_inside(tag) && no_links_depth_ > 0) --no_links_depth_;
    if (tag == "a") close_anchor();
    if (!is_inline(tag)) boundary();
  }

  void characters(std::string_view s) {
    if (in_title_) {
      title_.add(s);
      return;
    }
    if (hidden_depth_ > 0) return;
    text_.add(s);
    if (anchor_index_) anchor_.add(s);
  }

  void finish() {
    close_anchor();
    result_.text_truncated = text_.full();
  }

 private:
  // Adds a link unless a cap says no; returns whether it was added.
  bool add_link(LinkSource source, std::string_view href, const xmlChar** atts) {
    if (result_.links.size() >= options_.max_links || href.size() > options_.max_href_bytes) {
      ++result_.links_dropped;
      return false;
    }
    Link link{.source = source, .href = std::string(href)};
    normalize_newlines(link.href);
    if (source != LinkSource::kMetaRefresh) {
      if (auto rel = attribute(atts, "rel")) split_tokens(*rel, kSpaces, link.rel);
    }
    result_.links.push_back(std::move(link));
    return true;
  }

  void boundary() {
    text_.boundary();
    if (anchor_index_) anchor_.boundary();
  }

  void close_anchor() {
    if (!anchor_index_) return;
    result_.links[*anchor_index_].anchor_text = std::move(scratch_anchor_);
    scratch_anchor_.clear();
    anchor_ = CollapsedText(&scratch_anchor_, options_.max_anchor_bytes);
    anchor_index_.reset();
  }

  void on_link(const xmlChar** atts) {
    const auto href = attribute(atts, "href");
    if (!href) return;
    std::vector<std::string> rel;
    split_tokens(attribute(atts, "rel").value_or(""), kSpaces, rel);
    const bool canonical = std::find(rel.begin(), rel.end(), "canonical") != rel.end();
    if (canonical && !result_.canonical && href->size() <= options_.max_href_bytes) {
      result_.canonical = std::string(*href);
    }
    if (is_followed_link_rel(rel)) add_link(LinkSource::kLinkHref, *href, atts);
  }

  void on_meta(const xmlChar** atts) {
    const auto content = attribute(atts, "content");
    if (!content) return;
    if (auto name = attribute(atts, "name")) {
      const std::string_view n = trim(*name);
      if (iequals(n, "description") && !description_seen_) {
        description_seen_ = true;
        result_.description = collapse(*content, options_.max_field_bytes);
      } else if (iequals(n, "robots") && result_.robots.size() < 64) {
        split_tokens(content->substr(0, std::min<std::size_t>(content->size(), 1024)), " \t\n\f\r,", result_.robots);
      } else if (!options_.robots_agent.empty() && iequals(n, options_.robots_agent) &&
                 result_.agent_robots.size() < 64) {
        split_tokens(content->substr(0, std::min<std::size_t>(content->size(), 1024)), " \t\n\f\r,",
                     result_.agent_robots);
      }
    }
    if (auto equiv = attribute(atts, "http-equiv"); equiv && iequals(trim(*equiv), "refresh")) {
      if (auto url = meta_refresh_url(*content)) add_link(LinkSource::kMetaRefresh, *url, atts);
    }
  }

  const ExtractOptions& options_;
  ExtractResult& result_;
  CollapsedText text_;
  CollapsedText title_;
  std::string scratch_anchor_;
  CollapsedText anchor_;
  std::optional<std::size_t> anchor_index_;  // the open <a href>, if any
  int hidden_depth_ = 0;
  int template_depth_ = 0;
  int no_links_depth_ = 0;  // inside elements whose content has no links
  bool in_title_ = false;
  bool title_seen_ = false;
  bool description_seen_ = false;
};

// libxml2 callbacks.
Collector& collector(void* ctx) {
  auto* parser = static_cast<htmlParserCtxtPtr>(ctx);
  return *static_cast<Collector*>(parser->_private);
}
std::string_view as_view(const xmlChar* s) { return s == nullptr ? std::string_view() : reinterpret_cast<const char*>(s); }

void on_start(void* ctx, const xmlChar* name, const xmlChar** atts) { collector(ctx).start(as_view(name), atts); }
void on_end(void* ctx, const xmlChar* name) { collector(ctx).end(as_view(name)); }
void on_characters(void* ctx, const xmlChar* ch, int len) {
  collector(ctx).characters(std::string_view(reinterpret_cast<const char*>(ch), static_cast<std::size_t>(len)));
}
void on_raw_text(void*, const xmlChar*, int) {}  // script and style content
void on_message(void*, const char*, ...) {}      // errors and warnings: silenced

htmlSAXHandler make_handler() {
  htmlSAXHandler h;
  std::memset(&h, 0, sizeof h);
  h.startElement = on_start;
  h.endElement = on_end;
  h.characters = on_characters;
  h.ignorableWhitespace = on_characters;
  h.cdataBlock = on_raw_text;
  h.warning = on_message;
  h.error = on_message;
  h.fatalError = on_message;
  h.initialized = 1;  // SAX1 callbacks; never XML_SAX2_MAGIC (no structured errors)
  return h;
}

}  // namespace

const char* link_source_tag(LinkSource source) {
  switch (source) {
    case LinkSource::kAHref: return "a";
    case LinkSource::kAreaHref: return "area";
    case LinkSource::kFrameSrc: return "frame";
    case LinkSource::kIframeSrc: return "iframe";
    case LinkSource::kLinkHref: return "link";
    case LinkSource::kMetaRefresh: return "meta";
  }
  return "?";
}

const char* link_source_attribute(LinkSource source) {
  switch (source) {
    case LinkSource::kFrameSrc:
    case LinkSource::kIframeSrc: return "src";
    case LinkSource::kMetaRefresh: return "content";
    default: return "href";
  }
}

bool Link::has_rel(std::string_view token) const { return std::find(rel.begin(), rel.end(), token) != rel.end(); }

bool ExtractResult::robots_has(std::string_view token) const {
  return std::find(robots.begin(), robots.end(), token) != robots.end();
}

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

std::optional<std::string> meta_refresh_url(std::string_view in) {
  std::size_t pos = 0;
  const auto at = [&](std::size_t p) { return p < in.size() ? in[p] : '\0'; };
  const auto skip_spaces = [&] {
    while (pos < in.size() && is_ascii_space(in[pos])) ++pos;
  };
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  skip_spaces();
  const std::size_t time_start = pos;
  while (is_digit(at(pos))) ++pos;
  if (pos == time_start && at(pos) != '.') return std::nullopt;  // no time: no refresh
  while (is_digit(at(pos)) || at(pos) == '.') ++pos;
  if (pos >= in.size()) return std::nullopt;  // refresh of the page itself
  if (!is_ascii_space(at(pos)) && at(pos) != ';' && at(pos) != ',') return std::nullopt;
  skip_spaces();
  if (at(pos) == ';' || at(pos) == ',') ++pos;
  skip_spaces();
  if (pos >= in.size()) return std::nullopt;
  // "url=" is optional; a partial "ur" is skipped as far as it matched (the
  // standard's "jump to skip quotes").
  [&] {
    if (lower(at(pos)) != 'u') return;
    ++pos;
    if (lower(at(pos)) != 'r') return;
    ++pos;
    if (lower(at(pos)) != 'l') return;
    ++pos;
    skip_spaces();
    if (at(pos) != '=') return;
    ++pos;
    skip_spaces();
  }();
  char quote = 0;
  if (at(pos) == '\'' || at(pos) == '"') quote = in[pos++];
  std::string_view url = pos < in.size() ? in.substr(pos) : std::string_view();
  if (quote != 0) url = url.substr(0, url.find(quote));
  if (url.empty()) return std::nullopt;
  return std::string(url);
}

ExtractResult extract_html(std::string_view html, std::string_view charset_hint, const ExtractOptions& options) {
  static const bool initialised = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialised;

  ExtractResult result;
  html = html.substr(0, std::min<std::size_t>(html.size(), INT_MAX));

  // libxml2 only ever sees UTF-8 without NULs: the bytes are decoded here
  // (crawl/extract/text_decoder.h), and its own guess from <meta> is off.
  const SniffedEncoding sniffed = sniff_html_encoding(html, charset_hint);
  result.encoding = std::string(sniffed.name);
  result.encoding_source = sniffed.source;
  html.remove_prefix(sniffed.bom_bytes);
  std::string decoded;
  if (sniffed.name != "UTF-8") {
    decoded = decode_to_utf8(html, sniffed.name);
    html = decoded;
  }
  if (const std::size_t bad = first_invalid_utf8(html); bad != std::string_view::npos) {
    decoded = to_valid_utf8(html, bad, /*replace_nul=*/true);
    html = decoded;
  }
  html = html.substr(0, std::min<std::size_t>(html.size(), INT_MAX));

  htmlParserCtxtPtr ctxt = htmlCreateMemoryParserCtxt(html.data(), static_cast<int>(html.size()));
  if (ctxt == nullptr) return result;
  Collector collect(options, result);
  htmlSAXHandler handler = make_handler();
  htmlSAXHandlerPtr own_handler = ctxt->sax;
  ctxt->sax = &handler;
  ctxt->userData = ctxt;  // callbacks receive the context; it carries the collector
  ctxt->_private = &collect;
  htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC);
  xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
  htmlParseDocument(ctxt);
  collect.finish();
  ctxt->sax = own_handler;
  if (ctxt->myDoc != nullptr) xmlFreeDoc(ctxt->myDoc);
  htmlFreeParserCtxt(ctxt);

  // libxml2 emits the UTF-8 it was given; this guards the promise anyway.
  for (std::string* s : {&result.title, &result.description, &result.language, &result.text}) make_valid_utf8(*s);
  for (Link& link : result.links) {
    make_valid_utf8(link.href);
    make_valid_utf8(link.anchor_text);
  }
  if (result.base_href) make_valid_utf8(*result.base_href);
  if (result.canonical) make_valid_utf8(*result.canonical);
  result.content_hash = fnv1a64(result.text);
  return result;
}

}  // namespace preheat::crawl
