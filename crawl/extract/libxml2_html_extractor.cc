#include "crawl/extract/libxml2_html_extractor.h"

#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>

#include "crawl/extract/extract_support.h"

namespace preheat::crawl {
namespace {

using namespace extract_detail;  // NOLINT: the shared extraction helpers

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

ExtractResult extract_html_libxml2(std::string_view html, std::string_view charset_hint, const ExtractOptions& options) {
  static const bool initialised = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialised;

  ExtractResult result;
  html = html.substr(0, std::min<std::size_t>(html.size(), INT_MAX));

  // libxml2 only ever sees UTF-8 without NULs: the bytes are decoded first
  // (crawl/extract/text_decoder.h), and its own guess from <meta> is off.
  std::string storage;
  html = to_utf8_input(html, charset_hint, result, storage);
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

  finish_result(result);  // libxml2 emits the UTF-8 it was given; this guards the promise anyway
  return result;
}

}  // namespace preheat::crawl
