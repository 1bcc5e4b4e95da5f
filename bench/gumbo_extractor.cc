#include "bench/gumbo_extractor.h"

#include <gumbo.h>

#include <algorithm>
#include <memory>

namespace preheat::bench {
namespace {

using crawl::Link;
using crawl::LinkSource;

// Appends `s` to `out` with whitespace runs collapsed to one space (no
// leading space), up to `limit` bytes.
void append_collapsed(std::string& out, std::string_view s, std::size_t limit) {
  for (char c : s) {
    if (out.size() >= limit) return;
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
}

const char* attr(const GumboElement& e, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name);
  return a != nullptr ? a->value : nullptr;
}

std::vector<std::string> rel_tokens(const char* rel) {
  std::vector<std::string> out;
  if (rel == nullptr) return out;
  std::string token;
  for (const char* p = rel;; ++p) {
    const char c = *p;
    if (c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      if (!token.empty()) out.push_back(std::move(token));
      token.clear();
      if (c == '\0') break;
    } else {
      token += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
  }
  return out;
}

struct Walker {
  const crawl::ExtractOptions& options;
  crawl::ExtractResult& result;

  // The text of `node` (text and img alt), for anchor text.
  void anchor_text(const GumboNode* node, std::string& out) {
    if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE || node->type == GUMBO_NODE_CDATA) {
      append_collapsed(out, node->v.text.text, options.max_anchor_bytes);
      return;
    }
    if (node->type != GUMBO_NODE_ELEMENT) return;
    const GumboElement& e = node->v.element;
    if (e.tag == GUMBO_TAG_IMG) {
      if (const char* alt = attr(e, "alt")) append_collapsed(out, alt, options.max_anchor_bytes);
    }
    for (unsigned i = 0; i < e.children.length; ++i) anchor_text(static_cast<const GumboNode*>(e.children.data[i]), out);
  }

  void add(LinkSource source, const char* href, const char* rel, std::string anchor) {
    if (href == nullptr) return;
    if (result.links.size() >= options.max_links || std::string_view(href).size() > options.max_href_bytes) {
      ++result.links_dropped;
      return;
    }
    Link link;
    link.source = source;
    link.href = href;
    link.rel = rel_tokens(rel);
    link.anchor_text = std::move(anchor);
    result.links.push_back(std::move(link));
  }

  void element(const GumboNode* node) {
    const GumboElement& e = node->v.element;
    switch (e.tag) {
      case GUMBO_TAG_SCRIPT:
      case GUMBO_TAG_STYLE:
      case GUMBO_TAG_TEMPLATE:
      case GUMBO_TAG_NOSCRIPT:
        return;  // not visible text, no links
      case GUMBO_TAG_TITLE:
        if (result.title.empty() && e.children.length > 0) {
          const auto* t = static_cast<const GumboNode*>(e.children.data[0]);
          if (t->type == GUMBO_NODE_TEXT) append_collapsed(result.title, t->v.text.text, options.max_field_bytes);
        }
        return;
      case GUMBO_TAG_BASE:
        if (!result.base_href) {
          if (const char* href = attr(e, "href")) result.base_href = href;
        }
        return;
      case GUMBO_TAG_A: {
        std::string anchor;
        anchor_text(node, anchor);
        while (!anchor.empty() && anchor.back() == ' ') anchor.pop_back();
        add(LinkSource::kAHref, attr(e, "href"), attr(e, "rel"), std::move(anchor));
        break;
      }
      case GUMBO_TAG_AREA: {
        const char* alt = attr(e, "alt");
        add(LinkSource::kAreaHref, attr(e, "href"), attr(e, "rel"), alt != nullptr ? alt : "");
        break;
      }
      case GUMBO_TAG_FRAME: add(LinkSource::kFrameSrc, attr(e, "src"), nullptr, ""); break;
      case GUMBO_TAG_IFRAME: add(LinkSource::kIframeSrc, attr(e, "src"), nullptr, ""); break;
      case GUMBO_TAG_LINK: {
        const std::vector<std::string> rel = rel_tokens(attr(e, "rel"));
        const bool wanted = std::any_of(rel.begin(), rel.end(), [](const std::string& r) {
          return r == "next" || r == "prev" || r == "alternate" || r == "canonical";
        });
        if (wanted) add(LinkSource::kLinkHref, attr(e, "href"), attr(e, "rel"), "");
        return;
      }
      default: break;
    }
    for (unsigned i = 0; i < e.children.length; ++i) walk(static_cast<const GumboNode*>(e.children.data[i]));
  }

  void walk(const GumboNode* node) {
    switch (node->type) {
      case GUMBO_NODE_DOCUMENT:
        for (unsigned i = 0; i < node->v.document.children.length; ++i) {
          walk(static_cast<const GumboNode*>(node->v.document.children.data[i]));
        }
        return;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: element(node); return;
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE:
      case GUMBO_NODE_CDATA:
        if (result.text.size() < options.max_text_bytes) {
          append_collapsed(result.text, node->v.text.text, options.max_text_bytes);
        } else {
          result.text_truncated = true;
        }
        return;
      default: return;
    }
  }
};

}  // namespace

crawl::ExtractResult extract_html_gumbo(std::string_view html, std::string_view /*charset_hint*/,
                                        const crawl::ExtractOptions& options) {
  crawl::ExtractResult result;
  const std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> output(
      gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()),
      [](GumboOutput* o) { gumbo_destroy_output(&kGumboDefaultOptions, o); });
  Walker walker{options, result};
  walker.walk(output->document);
  while (!result.text.empty() && result.text.back() == ' ') result.text.pop_back();
  result.content_hash = crawl::fnv1a64(result.text);
  result.encoding = "UTF-8";
  return result;
}

}  // namespace preheat::bench
