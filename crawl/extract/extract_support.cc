#include "crawl/extract/extract_support.h"

#include <algorithm>
#include <array>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/utf8.h"
#include "crawl/extract/text_decoder.h"

namespace preheat::crawl::extract_detail {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

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

void CollapsedText::add(std::string_view in) {
  if (full_) return;
  // The common case, room for all of it: one branch-free pass writing into
  // place (this runs over every byte of visible text). A pending space is
  // written first and a trailing one taken back: the output never ends in
  // a space, and every ' ' in it is a collapsed run.
  if (in.size() < cap_ - out_->size()) {
    static constexpr auto kSpace = [] {
      std::array<bool, 256> t{};
      for (unsigned char c : std::string_view(" \t\n\f\r")) t[c] = true;
      return t;
    }();
    const std::size_t old = out_->size();
    out_->resize(old + in.size() + 1);
    char* const begin = out_->data();
    char* d = begin + old;
    if (pending_space_ && d != begin) *d++ = ' ';
    std::size_t i = 0;
    if (d == begin) {  // no leading space
      while (i < in.size() && kSpace[static_cast<unsigned char>(in[i])]) ++i;
    }
    bool prev_space = d == begin || d[-1] == ' ';
#ifdef __SSE2__
    // Sixteen bytes at a time while they need no collapsing: no tab, LF, FF
    // or CR, and no space after a space (prose is mostly such runs).
    const __m128i spaces = _mm_set1_epi8(' ');
    while (in.size() - i >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in.data() + i));
      // Bytes 9-13 (tab, LF, VT, FF, CR; VT is no ASCII whitespace, so a
      // chunk with it takes the byte loop, which copies it).
      const __m128i low = _mm_cmpgt_epi8(v, _mm_set1_epi8(8));
      const __m128i high = _mm_cmplt_epi8(v, _mm_set1_epi8(14));
      const unsigned other_space = static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(low, high)));
      const unsigned space = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, spaces)));
      if (other_space != 0 || (space & ((space << 1) | (prev_space ? 1u : 0u))) != 0) break;
      _mm_storeu_si128(reinterpret_cast<__m128i*>(d), v);
      d += 16;
      i += 16;
      prev_space = (space & 0x8000u) != 0;
    }
#endif
    for (; i < in.size(); ++i) {
      const char c = in[i];
      const bool space = kSpace[static_cast<unsigned char>(c)];
      *d = space ? ' ' : c;
      d += !(space & prev_space);
      prev_space = space;
    }
    pending_space_ = false;
    if (d != begin && d[-1] == ' ') {
      --d;
      pending_space_ = true;
    }
    out_->resize(static_cast<std::size_t>(d - begin));
    return;
  }
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

void CollapsedText::append(std::string_view run) {
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

std::string collapse(std::string_view s, std::size_t cap) {
  std::string out;
  CollapsedText(&out, cap).add(s);
  return out;
}

void split_tokens(std::string_view s, std::string_view separators, std::vector<std::string>& out) {
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && separators.find(s[i]) != std::string_view::npos) ++i;
    std::size_t j = i;
    while (j < s.size() && separators.find(s[j]) == std::string_view::npos) ++j;
    if (j > i) {
      std::string token(s.substr(i, j - i));
      for (char& c : token) c = ascii_lower(c);
      if (std::find(out.begin(), out.end(), token) == out.end()) out.push_back(std::move(token));
    }
    i = j;
  }
}

namespace {

// Up to eight bytes of a name as a number, first byte lowest.
constexpr std::uint64_t pack(std::string_view s) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < s.size() && i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(s[i])} << (8 * i);
  return v;
}

}  // namespace

TagId tag_id(std::string_view name) {
  if (name.size() > 8) return name == "plaintext" ? TagId::kPlaintext : TagId::kOther;
  switch (pack(name)) {
#define PREHEAT_TAG(text, id) \
  case pack(text): return TagId::id;
    PREHEAT_TAG("a", kA) PREHEAT_TAG("abbr", kAbbr) PREHEAT_TAG("b", kB) PREHEAT_TAG("bdi", kBdi)
    PREHEAT_TAG("bdo", kBdo) PREHEAT_TAG("big", kBig) PREHEAT_TAG("cite", kCite) PREHEAT_TAG("code", kCode)
    PREHEAT_TAG("data", kData) PREHEAT_TAG("dfn", kDfn) PREHEAT_TAG("em", kEm) PREHEAT_TAG("font", kFont)
    PREHEAT_TAG("i", kI) PREHEAT_TAG("kbd", kKbd) PREHEAT_TAG("label", kLabel) PREHEAT_TAG("mark", kMark)
    PREHEAT_TAG("nobr", kNobr) PREHEAT_TAG("q", kQ) PREHEAT_TAG("s", kS) PREHEAT_TAG("samp", kSamp)
    PREHEAT_TAG("small", kSmall) PREHEAT_TAG("span", kSpan) PREHEAT_TAG("strong", kStrong)
    PREHEAT_TAG("sub", kSub) PREHEAT_TAG("sup", kSup) PREHEAT_TAG("time", kTime) PREHEAT_TAG("tt", kTt)
    PREHEAT_TAG("u", kU) PREHEAT_TAG("var", kVar) PREHEAT_TAG("wbr", kWbr)
    PREHEAT_TAG("area", kArea) PREHEAT_TAG("base", kBase) PREHEAT_TAG("frame", kFrame)
    PREHEAT_TAG("frameset", kFrameset) PREHEAT_TAG("html", kHtml) PREHEAT_TAG("iframe", kIframe)
    PREHEAT_TAG("img", kImg) PREHEAT_TAG("link", kLink) PREHEAT_TAG("math", kMath) PREHEAT_TAG("meta", kMeta)
    PREHEAT_TAG("noembed", kNoembed) PREHEAT_TAG("noframes", kNoframes) PREHEAT_TAG("noscript", kNoscript)
    PREHEAT_TAG("script", kScript) PREHEAT_TAG("style", kStyle) PREHEAT_TAG("svg", kSvg)
    PREHEAT_TAG("template", kTemplate) PREHEAT_TAG("textarea", kTextarea) PREHEAT_TAG("title", kTitle)
    PREHEAT_TAG("xmp", kXmp)
#undef PREHEAT_TAG
    default: return TagId::kOther;
  }
}

bool is_followed_link_rel(const std::vector<std::string>& rel) {
  bool follow = false;
  for (const std::string& t : rel) {
    if (t == "stylesheet") return false;
    if (t == "next" || t == "prev" || t == "previous" || t == "alternate" || t == "canonical") follow = true;
  }
  return follow;
}

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

std::string_view to_utf8_input(std::string_view html, std::string_view charset_hint, ExtractResult& result,
                               std::string& storage) {
  const SniffedEncoding sniffed = sniff_html_encoding(html, charset_hint);
  result.encoding = std::string(sniffed.name);
  result.encoding_source = sniffed.source;
  html.remove_prefix(sniffed.bom_bytes);
  if (sniffed.name != "UTF-8") {
    storage = decode_to_utf8(html, sniffed.name);
    html = storage;
  }
  if (const std::size_t bad = first_invalid_utf8(html); bad != std::string_view::npos) {
    std::string valid = to_valid_utf8(html, bad, /*replace_nul=*/true);
    storage = std::move(valid);
    html = storage;
  }
  return html;
}

void finish_result(ExtractResult& result) {
  for (std::string* s : {&result.title, &result.description, &result.language, &result.text}) make_valid_utf8(*s);
  for (Link& link : result.links) {
    make_valid_utf8(link.href);
    make_valid_utf8(link.anchor_text);
  }
  if (result.base_href) make_valid_utf8(*result.base_href);
  if (result.canonical) make_valid_utf8(*result.canonical);
  result.content_hash = fnv1a64(result.text);
}

}  // namespace preheat::crawl::extract_detail
