#include "crawl/extract/html_extractor.h"

#include <algorithm>
#include <cstring>

#include "crawl/extract/extract_support.h"
#include "crawl/extract/html_tokenizer.h"

namespace preheat::crawl {
namespace {

using namespace extract_detail;  // NOLINT: the shared extraction helpers
constexpr auto lower = ascii_lower;

// The namespaces an element can be in; foreign content (svg, math) follows
// other tokenizer and tree rules than HTML.
enum class Ns { kHtml, kSvg, kMath };

// An element opened inside foreign content.
struct ForeignElement {
  std::string name;  // lower-case
  Ns ns = Ns::kSvg;
  bool html_integration = false;  // its content is HTML again (svg foreignObject, desc, title; math mi...)
};

// HTML start tags that end foreign content (the standard's "breakout" list;
// font only with color, face or size).
bool breaks_out_of_foreign(const HtmlToken& t) {
  static constexpr std::string_view kTags[] = {
      "b",  "big", "blockquote", "body", "br",      "center", "code", "dd",  "div",   "dl",    "dt",
      "em", "embed", "h1",       "h2",   "h3",      "h4",     "h5",   "h6",  "head",  "hr",    "i",
      "img", "li",  "listing",   "menu", "meta",    "nobr",   "ol",   "p",   "pre",   "ruby",  "s",
      "small", "span", "strong", "strike", "sub",   "sup",    "table", "tt", "u",     "ul",    "var"};
  if (std::find(std::begin(kTags), std::end(kTags), t.name) != std::end(kTags)) return true;
  return t.name == "font" && (t.attribute("color") || t.attribute("face") || t.attribute("size"));
}

bool is_html_integration_point(const ForeignElement& e, const HtmlToken& start) {
  if (e.ns == Ns::kSvg) return e.name == "foreignobject" || e.name == "desc" || e.name == "title";
  if (e.name == "mi" || e.name == "mo" || e.name == "mn" || e.name == "ms" || e.name == "mtext") return true;
  if (e.name != "annotation-xml") return false;
  const HtmlAttribute* encoding = start.attribute("encoding");
  if (encoding == nullptr) return false;
  const std::string value = decode_attribute_value(encoding->raw_value);
  return iequals(value, "text/html") || iequals(value, "application/xhtml+xml");
}

// The tokenizer state an HTML element's content is read in.
HtmlTextMode text_mode_for(TagId tag) {
  switch (tag) {
    case TagId::kTitle:
    case TagId::kTextarea: return HtmlTextMode::kRcdata;
    case TagId::kStyle:
    case TagId::kXmp:
    case TagId::kIframe:
    case TagId::kNoembed:
    case TagId::kNoframes: return HtmlTextMode::kRawtext;
    case TagId::kScript: return HtmlTextMode::kScriptData;
    case TagId::kPlaintext: return HtmlTextMode::kPlaintext;
    default: return HtmlTextMode::kData;  // noscript too: scripting is disabled
  }
}

// What the text of a raw-text element (its one run of text up to its end
// tag) is for.
enum class RawText { kNone, kHidden, kTitle, kVisible };

RawText raw_text_kind(TagId tag) {
  if (tag == TagId::kTextarea || tag == TagId::kXmp || tag == TagId::kPlaintext) return RawText::kVisible;
  if (tag == TagId::kTitle) return RawText::kTitle;
  return RawText::kHidden;  // script, style, iframe, noembed, noframes
}

// The token stream of one extract_html call, turned into the result. It
// keeps only the tree state that changes the result: template nesting
// (inert content), foreign content (svg/math: other link rules, no raw
// text), the raw-text element being read, the open <a>, <noscript> and
// <frameset> depths.
class Collector {
 public:
  Collector(const ExtractOptions& options, ExtractResult& result, HtmlTokenizer& tokenizer)
      : options_(options),
        result_(result),
        tokenizer_(tokenizer),
        text_(&result.text, options.max_text_bytes),
        title_(&result.title, options.max_field_bytes),
        anchor_(&scratch_anchor_, options.max_anchor_bytes) {}

  void run() {
    while (true) {
      const HtmlToken& t = tokenizer_.next();
      switch (t.type) {
        case HtmlTokenType::kEof:
          close_anchor();
          result_.text_truncated = text_.full();
          return;
        case HtmlTokenType::kText: characters(t); break;
        case HtmlTokenType::kStartTag: start(t); break;
        case HtmlTokenType::kEndTag: end(t); break;
        case HtmlTokenType::kComment:
        case HtmlTokenType::kDoctype: break;
      }
    }
  }

 private:
  bool in_foreign() const { return !foreign_.empty() && !foreign_.back().html_integration; }

  void pop_foreign_to_html() {
    while (in_foreign()) foreign_.pop_back();
    tokenizer_.set_cdata_sections(!foreign_.empty());
  }

  void start(const HtmlToken& t) {
    raw_ = RawText::kNone;
    if (in_foreign()) {
      if (!breaks_out_of_foreign(t)) {
        start_foreign(t, foreign_.back().ns == Ns::kMath && foreign_.back().name == "annotation-xml" &&
                                 t.name == "svg"
                             ? Ns::kSvg
                             : foreign_.back().ns);
        return;
      }
      pop_foreign_to_html();
    }
    const TagId id = tag_id(t.name);
    if (id == TagId::kSvg || id == TagId::kMath) {
      boundary();
      start_foreign(t, id == TagId::kSvg ? Ns::kSvg : Ns::kMath);
      return;
    }
    start_html(t, id);
  }

  void start_foreign(const HtmlToken& t, Ns ns) {
    if (template_depth_ == 0 && ns == Ns::kSvg && t.name == "a") {
      // An SVG link; its URL may be written xlink:href (parse5 names both
      // "href"; the first one written wins).
      for (const HtmlAttribute& a : t.attributes) {
        if (a.name == "href" || a.name == "xlink:href") {
          add_link(LinkSource::kAHref, decode_attribute_value(a.raw_value), nullptr);
          break;
        }
      }
    }
    if (t.self_closing) return;
    ForeignElement e{std::string(t.name), ns, false};
    e.html_integration = is_html_integration_point(e, t);
    foreign_.push_back(std::move(e));
    tokenizer_.set_cdata_sections(true);
  }

  void start_html(const HtmlToken& t, TagId tag) {
    if (tag == TagId::kTemplate) ++template_depth_;
    if (!is_inline(tag)) boundary();
    const HtmlTextMode mode = text_mode_for(tag);
    if (mode != HtmlTextMode::kData) {
      tokenizer_.set_text_mode(mode);
      raw_ = raw_text_kind(tag);
      if (raw_ == RawText::kTitle) {
        raw_ = title_seen_ || template_depth_ > 0 ? RawText::kHidden : RawText::kTitle;
        title_seen_ = true;
      }
    }
    if (template_depth_ > 0) return;
    switch (tag) {
      case TagId::kNoscript: ++noscript_depth_; break;
      case TagId::kA: on_a(t); break;
      case TagId::kArea: on_area(t); break;
      case TagId::kImg:
        if (anchor_index_) {
          anchor_.boundary();
          anchor_.add(value(t, "alt"));
          anchor_.boundary();
        }
        break;
      case TagId::kFrame:
        // A frame outside a frameset is dropped by the tree builder.
        if (const HtmlAttribute* src = t.attribute("src"); src && frameset_depth_ > 0) {
          add_link(LinkSource::kFrameSrc, decode_attribute_value(src->raw_value), &t);
        }
        break;
      case TagId::kFrameset:
        if (!t.self_closing) ++frameset_depth_;
        break;
      case TagId::kIframe:
        if (const HtmlAttribute* src = t.attribute("src")) {
          add_link(LinkSource::kIframeSrc, decode_attribute_value(src->raw_value), &t);
        }
        break;
      case TagId::kLink: on_link(t); break;
      case TagId::kMeta: on_meta(t); break;
      case TagId::kBase:
        if (const HtmlAttribute* href = t.attribute("href"); href && !result_.base_href) {
          std::string value = decode_attribute_value(href->raw_value);
          if (value.size() <= options_.max_href_bytes) result_.base_href = std::move(value);
        }
        break;
      case TagId::kHtml:
        if (const HtmlAttribute* lang = t.attribute("lang"); lang && result_.language.empty()) {
          const std::string value = decode_attribute_value(lang->raw_value);
          const std::string_view v = trim(value);
          result_.language = std::string(v.substr(0, utf8_cut(v, options_.max_field_bytes)));
        }
        break;
      default: break;
    }
  }

  void on_a(const HtmlToken& t) {
    close_anchor();
    if (const HtmlAttribute* href = t.attribute("href")) {
      if (add_link(LinkSource::kAHref, decode_attribute_value(href->raw_value), &t)) {
        anchor_index_ = result_.links.size() - 1;
      }
    }
  }

  void on_area(const HtmlToken& t) {
    if (const HtmlAttribute* href = t.attribute("href")) {
      if (add_link(LinkSource::kAreaHref, decode_attribute_value(href->raw_value), &t)) {
        result_.links.back().anchor_text = collapse(value(t, "alt"), options_.max_anchor_bytes);
      }
    }
  }

  void end(const HtmlToken& t) {
    raw_ = RawText::kNone;
    const std::string_view tag = t.name;
    if (!foreign_.empty()) {
      // The innermost open foreign element of that name closes with what is
      // inside it; an end tag that names none closes an HTML element around
      // the foreign content, which ends it too (a simplification of "any
      // other end tag": the usual case of unclosed svg).
      auto it = std::find_if(foreign_.rbegin(), foreign_.rend(), [&](const ForeignElement& e) { return e.name == tag; });
      if (it != foreign_.rend()) {
        foreign_.erase(std::next(it).base(), foreign_.end());
        tokenizer_.set_cdata_sections(!foreign_.empty());
        if (!is_inline(tag)) boundary();
        return;
      }
      if (in_foreign()) {  // (inside an integration point the end tag is HTML's)
        if (tag != "br" && tag != "p" && !is_known_html_end(tag)) return;
        foreign_.clear();
        tokenizer_.set_cdata_sections(false);
      }
    }
    const TagId id = tag_id(tag);
    if (id == TagId::kTemplate) {
      if (template_depth_ > 0) --template_depth_;
    } else if (template_depth_ == 0) {
      if (id == TagId::kNoscript && noscript_depth_ > 0) --noscript_depth_;
      if (id == TagId::kFrameset && frameset_depth_ > 0) --frameset_depth_;
      if (id == TagId::kA) close_anchor();
    }
    if (!is_inline(id)) boundary();
  }

  // End tags that close an HTML element around unclosed svg or math.
  static bool is_known_html_end(std::string_view tag) {
    return tag == "div" || tag == "span" || tag == "a" || tag == "p" || tag == "td" || tag == "th" ||
           tag == "li" || tag == "body" || tag == "html" || tag == "section" || tag == "figure" ||
           tag == "button" || tag == "label" || tag == "table" || tag == "tr" || tag == "ul" || tag == "ol" ||
           tag == "nav" || tag == "header" || tag == "footer" || tag == "main" || tag == "article";
  }

  void characters(const HtmlToken& t) {
    if (template_depth_ > 0) return;
    std::string_view s = t.text;
    if (t.has_char_refs && std::memchr(s.data(), '&', s.size()) != nullptr) {
      scratch_text_.clear();
      decode_html_text(s, /*in_attribute=*/false, scratch_text_);
      s = scratch_text_;
    }
    if (raw_ == RawText::kTitle) {
      title_.add(s);
      return;
    }
    if (raw_ == RawText::kHidden || noscript_depth_ > 0) return;
    text_.add(s);
    if (anchor_index_) anchor_.add(s);
  }

  static std::string value(const HtmlToken& t, std::string_view name) {
    const HtmlAttribute* a = t.attribute(name);
    return a == nullptr ? std::string() : decode_attribute_value(a->raw_value);
  }

  // Adds a link unless a cap says no; returns whether it was added. `t` is
  // the start tag its rel comes from, if any.
  bool add_link(LinkSource source, std::string href, const HtmlToken* t) {
    if (result_.links.size() >= options_.max_links || href.size() > options_.max_href_bytes) {
      ++result_.links_dropped;
      return false;
    }
    Link link{.source = source, .href = std::move(href)};
    if (t != nullptr && source != LinkSource::kMetaRefresh) {
      if (const HtmlAttribute* rel = t->attribute("rel")) split_tokens(decode_attribute_value(rel->raw_value), kSpaces, link.rel);
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

  void on_link(const HtmlToken& t) {
    const HtmlAttribute* href = t.attribute("href");
    if (href == nullptr) return;
    std::vector<std::string> rel;
    split_tokens(value(t, "rel"), kSpaces, rel);
    const bool canonical = std::find(rel.begin(), rel.end(), "canonical") != rel.end();
    const bool follow = is_followed_link_rel(rel);
    if (!canonical && !follow) return;
    std::string url = decode_attribute_value(href->raw_value);
    if (canonical && !result_.canonical && url.size() <= options_.max_href_bytes) result_.canonical = url;
    if (follow) add_link(LinkSource::kLinkHref, std::move(url), &t);
  }

  void on_meta(const HtmlToken& t) {
    const HtmlAttribute* content_attr = t.attribute("content");
    if (content_attr == nullptr) return;
    const std::string content = decode_attribute_value(content_attr->raw_value);
    if (const HtmlAttribute* name_attr = t.attribute("name")) {
      const std::string name = decode_attribute_value(name_attr->raw_value);
      const std::string_view n = trim(name);
      if (iequals(n, "description") && !description_seen_) {
        description_seen_ = true;
        result_.description = collapse(content, options_.max_field_bytes);
      } else if (iequals(n, "robots") && result_.robots.size() < 64) {
        split_tokens(std::string_view(content).substr(0, std::min<std::size_t>(content.size(), 1024)),
                     " \t\n\f\r,", result_.robots);
      } else if (!options_.robots_agent.empty() && iequals(n, options_.robots_agent) &&
                 result_.agent_robots.size() < 64) {
        split_tokens(std::string_view(content).substr(0, std::min<std::size_t>(content.size(), 1024)),
                     " \t\n\f\r,", result_.agent_robots);
      }
    }
    if (const HtmlAttribute* equiv = t.attribute("http-equiv")) {
      if (iequals(trim(decode_attribute_value(equiv->raw_value)), "refresh")) {
        if (auto url = meta_refresh_url(content)) add_link(LinkSource::kMetaRefresh, std::move(*url), &t);
      }
    }
  }

  const ExtractOptions& options_;
  ExtractResult& result_;
  HtmlTokenizer& tokenizer_;
  CollapsedText text_;
  CollapsedText title_;
  std::string scratch_anchor_;
  std::string scratch_text_;
  CollapsedText anchor_;
  std::optional<std::size_t> anchor_index_;  // the open <a href>, if any
  std::vector<ForeignElement> foreign_;      // open svg/math elements, outermost first
  RawText raw_ = RawText::kNone;             // what the text being read belongs to
  int template_depth_ = 0;
  int noscript_depth_ = 0;
  int frameset_depth_ = 0;
  bool title_seen_ = false;
  bool description_seen_ = false;
};

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
  ExtractResult result;
  std::string storage;
  html = to_utf8_input(html, charset_hint, result, storage);
  HtmlTokenizer tokenizer(html);
  Collector(options, result, tokenizer).run();
  finish_result(result);
  return result;
}

}  // namespace preheat::crawl
