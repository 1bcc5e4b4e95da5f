#include "crawl/extract/html_tokenizer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/utf8.h"
#include "crawl/extract/named_char_refs.h"

namespace preheat::crawl {
namespace {

// Whitespace inside tags: the standard's tab, LF, FF, space, and CR (which
// input preprocessing turns into LF).
bool is_tag_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\r'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Ends a tag name or an attribute name.
bool ends_name(char c) { return is_tag_space(c) || c == '/' || c == '>'; }

// Byte classes inside tags, one table lookup per byte.
enum : std::uint8_t {
  kEndsTagName = 1,    // whitespace, '/', '>'
  kEndsAttrName = 2,   // and '='
  kNeedsLowering = 4,  // 'A'-'Z', NUL
  kEndsUnquoted = 8,   // whitespace, '>'
};
constexpr auto kByteClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (unsigned char c : std::string_view(" \n\t\f\r")) t[c] = kEndsTagName | kEndsAttrName | kEndsUnquoted;
  t['/'] = kEndsTagName | kEndsAttrName;
  t['>'] = kEndsTagName | kEndsAttrName | kEndsUnquoted;
  t['='] = kEndsAttrName;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = kNeedsLowering;
  t[0] = kNeedsLowering;
  return t;
}();
std::uint8_t byte_class(char c) { return kByteClass[static_cast<unsigned char>(c)]; }

// The first `c` in [p, end), or end: a 16-byte SSE2 probe first, because
// most runs between tags, and most attribute values, are short and a
// memchr call costs more than it scans.
inline __attribute__((always_inline)) const char* find_byte(const char* p, const char* end, char c) {
#ifdef __SSE2__
  const __m128i needle = _mm_set1_epi8(c);
  for (int k = 0; k < 4 && end - p >= 16; ++k, p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)));
    if (mask != 0) return p + __builtin_ctz(mask);
  }
#endif
  const void* hit = std::memchr(p, c, static_cast<std::size_t>(end - p));
  return hit == nullptr ? end : static_cast<const char*>(hit);
}

bool iequals_lower(std::string_view s, std::string_view lower_case) {
  if (s.size() != lower_case.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (lower(s[i]) != lower_case[i]) return false;
  }
  return true;
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// The numeric character reference end state's replacements.
std::uint32_t numeric_ref_code_point(std::uint32_t cp) {
  // C1 controls that windows-1252 maps to printable characters (0 = kept).
  static constexpr std::uint16_t kC1[32] = {
      0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
  if (cp >= 0x80 && cp <= 0x9F && kC1[cp - 0x80] != 0) return kC1[cp - 0x80];
  return cp;
}

// Decodes the character reference at raw[amp] == '&' into `out`; returns the
// position after what it consumed (amp + 1 when it is not a reference: the
// '&' is then appended as it is).
std::size_t char_ref(std::string_view raw, std::size_t amp, bool in_attribute, std::string& out) {
  const auto at = [&](std::size_t p) { return p < raw.size() ? raw[p] : '\0'; };
  std::size_t p = amp + 1;
  if (at(p) == '#') {
    ++p;
    const bool hex = at(p) == 'x' || at(p) == 'X';
    if (hex) ++p;
    const std::size_t digits = p;
    std::uint32_t cp = 0;
    while (p < raw.size() && (hex ? is_hex(raw[p]) : is_digit(raw[p]))) {
      const char c = raw[p++];
      const std::uint32_t d = is_digit(c) ? static_cast<std::uint32_t>(c - '0')
                                          : static_cast<std::uint32_t>(lower(c) - 'a' + 10);
      cp = std::min<std::uint32_t>(cp * (hex ? 16 : 10) + d, 0x110000);  // saturates: out of range
    }
    if (p == digits) {  // "&#" or "&#x" without digits: not a reference
      out += '&';
      return amp + 1;
    }
    if (at(p) == ';') ++p;
    append_utf8(out, numeric_ref_code_point(cp));
    return p;
  }
  // Named: the longest name in the table that the text starts with.
  std::size_t end = p;
  while (end < raw.size() && end - p < kMaxNamedCharRefLength && is_alnum(raw[end])) ++end;
  if (end == p) {
    out += '&';
    return amp + 1;
  }
  if (at(end) == ';') {
    if (auto value = named_char_ref(raw.substr(p, end + 1 - p))) {
      out += *value;
      return end + 1;
    }
  }
  // Only the legacy names (without ';') can match a prefix of the run.
  for (std::size_t len = std::min<std::size_t>(end - p, 6); len >= 2; --len) {
    if (auto value = named_char_ref(raw.substr(p, len))) {
      const char next = at(p + len);
      if (in_attribute && (is_alnum(next) || next == '=')) break;  // historical: left as written
      out += *value;
      return p + len;
    }
  }
  out += '&';
  return amp + 1;
}

}  // namespace

const HtmlAttribute* HtmlToken::attribute(std::string_view wanted) const {
  for (const HtmlAttribute& a : attributes) {
    if (a.name == wanted) return &a;
  }
  return nullptr;
}

void decode_html_text(std::string_view raw, bool in_attribute, std::string& out) {
  std::size_t i = 0;
  while (i < raw.size()) {
    std::size_t j = i;
    while (j < raw.size() && raw[j] != '&' && raw[j] != '\r' && raw[j] != '\0') ++j;
    out.append(raw.data() + i, j - i);
    if (j == raw.size()) break;
    if (raw[j] == '&') {
      i = char_ref(raw, j, in_attribute, out);
    } else if (raw[j] == '\r') {
      out += '\n';
      i = j + 1;
      if (i < raw.size() && raw[i] == '\n') ++i;
    } else {
      out += kReplacement;
      i = j + 1;
    }
  }
}

std::string decode_attribute_value(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  decode_html_text(raw, /*in_attribute=*/true, out);
  return out;
}

void HtmlTokenizer::set_text_mode(HtmlTextMode mode) {
  mode_ = mode;
  if (mode == HtmlTextMode::kRcdata || mode == HtmlTextMode::kRawtext || mode == HtmlTextMode::kScriptData) {
    end_tag_.assign(token_.name);
  }
}

const HtmlToken& HtmlTokenizer::next() {
  token_.attributes.clear();
  token_.self_closing = false;
  token_.has_char_refs = false;
  token_.name = {};
  token_.text = {};
  const std::size_t n = in_.size();
  const auto text = [&](std::size_t from, std::size_t to, bool refs) -> const HtmlToken& {
    token_.type = HtmlTokenType::kText;
    token_.text = in_.substr(from, to - from);
    token_.has_char_refs = refs;
    pos_ = to;
    return token_;
  };
  while (pos_ < n) {
    switch (mode_) {
      case HtmlTextMode::kPlaintext:
        return text(pos_, n, false);
      case HtmlTextMode::kRcdata:
      case HtmlTextMode::kRawtext:
      case HtmlTextMode::kScriptData: {
        const std::size_t end = mode_ == HtmlTextMode::kScriptData ? script_end(pos_) : appropriate_end_tag(pos_);
        const bool refs = mode_ == HtmlTextMode::kRcdata;
        if (end == std::string_view::npos) return text(pos_, n, refs);
        mode_ = HtmlTextMode::kData;  // the end tag is tokenized in the data state
        if (end > pos_) return text(pos_, end, refs);
        break;
      }
      case HtmlTextMode::kData: {
        const std::size_t start = pos_;
        std::size_t scan = pos_;
        while (true) {
          const std::size_t lt = static_cast<std::size_t>(find_byte(in_.data() + scan, in_.data() + n, '<') - in_.data());
          if (lt >= n) return text(start, n, true);
          // "<" starts markup before a letter, "!", "?", or "/" followed by
          // anything but the end of the input; otherwise it is text.
          const char c = lt + 1 < n ? in_[lt + 1] : '\0';
          const bool is_markup = is_alpha(c) || c == '!' || c == '?' || (c == '/' && lt + 2 < n);
          if (!is_markup) {
            scan = lt + 1;
            continue;
          }
          if (lt > start) return text(start, lt, true);
          if (markup(lt)) return token_;
          break;  // markup without a token ("</>", an EOF inside a tag): go on from pos_
        }
        break;
      }
    }
  }
  token_.type = HtmlTokenType::kEof;
  return token_;
}

// in_[lt] == '<' and markup follows. Emits a token into token_ and returns
// true, or returns false when the markup yields none; pos_ moves past it.
bool HtmlTokenizer::markup(std::size_t lt) {
  const std::size_t n = in_.size();
  const char c = in_[lt + 1];
  if (c == '!') {
    const std::string_view rest = in_.substr(lt + 2);
    if (rest.starts_with("--")) return comment(lt + 4);
    if (rest.size() >= 7 && iequals_lower(rest.substr(0, 7), "doctype")) return until_gt(lt + 9, HtmlTokenType::kDoctype);
    if (cdata_ && rest.starts_with("[CDATA[")) {
      const std::size_t start = lt + 9;
      std::size_t end = in_.find("]]>", start);
      pos_ = end == std::string_view::npos ? n : end + 3;
      if (end == std::string_view::npos) end = n;
      if (end == start) return false;
      token_.type = HtmlTokenType::kText;
      token_.text = in_.substr(start, end - start);
      return true;
    }
    return until_gt(lt + 2, HtmlTokenType::kComment);  // bogus comment, CDATA in HTML too
  }
  if (c == '?') return until_gt(lt + 1, HtmlTokenType::kComment);
  if (c == '/') {
    const char d = in_[lt + 2];
    if (is_alpha(d)) return tag(lt + 2, /*end_tag=*/true);
    if (d == '>') {
      pos_ = lt + 3;  // "</>": nothing
      return false;
    }
    return until_gt(lt + 2, HtmlTokenType::kComment);
  }
  return tag(lt + 1, /*end_tag=*/false);
}

// A token of `type` whose data runs from data_start to the next '>' (or the
// end of the input).
bool HtmlTokenizer::until_gt(std::size_t data_start, HtmlTokenType type) {
  const std::size_t n = in_.size();
  data_start = std::min(data_start, n);
  const void* hit = std::memchr(in_.data() + data_start, '>', n - data_start);
  const std::size_t end = hit == nullptr ? n : static_cast<std::size_t>(static_cast<const char*>(hit) - in_.data());
  token_.type = type;
  token_.text = type == HtmlTokenType::kComment ? in_.substr(data_start, end - data_start) : std::string_view();
  pos_ = hit == nullptr ? n : end + 1;
  return true;
}

// After "<!--": the comment start, comment and comment end states. The data
// ends at "-->" or "--!>" (any number of extra dashes before them), or right
// away at "<!-->" and "<!--->", or at the end of the input.
bool HtmlTokenizer::comment(std::size_t data_start) {
  const std::size_t n = in_.size();
  token_.type = HtmlTokenType::kComment;
  const auto at = [&](std::size_t p) { return p < n ? in_[p] : '\0'; };
  if (at(data_start) == '>' || (at(data_start) == '-' && at(data_start + 1) == '>')) {
    pos_ = data_start + (at(data_start) == '>' ? 1 : 2);
    token_.text = {};
    return true;
  }
  std::size_t from = data_start;
  while (true) {
    const std::size_t dashes = in_.find("--", from);
    if (dashes == std::string_view::npos) {
      token_.text = in_.substr(data_start);
      pos_ = n;
      return true;
    }
    std::size_t p = dashes + 2;
    while (at(p) == '-') ++p;
    if (at(p) == '>' || (at(p) == '!' && at(p + 1) == '>')) {
      token_.text = in_.substr(data_start, p - 2 - data_start);
      pos_ = p + (at(p) == '>' ? 1 : 2);
      return true;
    }
    from = p;
  }
}

std::string_view HtmlTokenizer::name_view(std::size_t start, std::size_t end, bool needs_lowering) {
  const std::string_view raw = in_.substr(start, end - start);
  if (!needs_lowering) return raw;
  if (lowered_used_ == lowered_.size()) lowered_.emplace_back();
  std::string& s = lowered_[lowered_used_++];
  s.clear();
  for (char c : raw) {
    if (c == '\0') {
      s += kReplacement;
    } else {
      s += lower(c);
    }
  }
  return s;
}

// Keeps the first attribute of a name; returns whether `name` was new.
bool HtmlTokenizer::add_attribute(std::string_view name, std::string_view value) {
  auto& attrs = token_.attributes;
  constexpr std::size_t kLinearLimit = 16;
  if (attrs.size() < kLinearLimit) {
    for (const HtmlAttribute& a : attrs) {
      if (a.name == name) return false;
    }
  } else {
    if (seen_.empty()) {
      for (const HtmlAttribute& a : attrs) seen_.insert(a.name);
    }
    if (!seen_.insert(name).second) return false;
  }
  attrs.push_back({name, value});
  return true;
}

// A start or end tag whose name starts at in_[name_start] (a letter): the
// tag name, attribute and self-closing states. Returns false (and moves to
// the end) when the input ends inside the tag: the standard drops the tag.
bool HtmlTokenizer::tag(std::size_t name_start, bool end_tag) {
  const std::size_t n = in_.size();
  lowered_used_ = 0;
  if (!seen_.empty()) seen_.clear();
  const auto eof = [&] {
    pos_ = n;
    token_.attributes.clear();
    return false;
  };
  // Scans a name up to a byte of class `end_class`; sets needs_lowering.
  const auto scan_name = [&](std::size_t p, std::uint8_t end_class, bool& needs_lowering) {
    std::uint8_t seen = 0;
    while (p < n) {
      const std::uint8_t cls = byte_class(in_[p]);
      if (cls & end_class) break;
      seen |= cls;
      ++p;
    }
    needs_lowering = (seen & kNeedsLowering) != 0;
    return p;
  };
  bool needs_lowering = false;
  std::size_t i = scan_name(name_start, kEndsTagName, needs_lowering);
  if (i >= n) return eof();
  token_.type = end_tag ? HtmlTokenType::kEndTag : HtmlTokenType::kStartTag;
  token_.name = name_view(name_start, i, needs_lowering);
  while (true) {
    // Before attribute name.
    while (i < n && is_tag_space(in_[i])) ++i;
    if (i >= n) return eof();
    if (in_[i] == '>') {
      pos_ = i + 1;
      break;
    }
    if (in_[i] == '/') {
      if (i + 1 < n && in_[i + 1] == '>') {
        token_.self_closing = true;
        pos_ = i + 2;
        break;
      }
      ++i;  // self-closing start tag state, anything else: a new attribute
      continue;
    }
    // Attribute name: its first character may be '=' (a parse error).
    const std::size_t attr_start = i;
    bool lowering = (byte_class(in_[i]) & kNeedsLowering) != 0;
    i = scan_name(i + 1, kEndsAttrName, needs_lowering);
    lowering |= needs_lowering;
    const std::size_t attr_end = i;
    // After attribute name.
    while (i < n && is_tag_space(in_[i])) ++i;
    if (i >= n) return eof();
    std::string_view value;
    if (in_[i] == '=') {
      ++i;
      while (i < n && is_tag_space(in_[i])) ++i;
      if (i >= n) return eof();
      const char q = in_[i];
      if (q == '"' || q == '\'') {
        const std::size_t close = static_cast<std::size_t>(find_byte(in_.data() + i + 1, in_.data() + n, q) - in_.data());
        if (close >= n) return eof();
        value = in_.substr(i + 1, close - i - 1);
        i = close + 1;
      } else if (q != '>') {
        const std::size_t v = i;
        while (i < n && !(byte_class(in_[i]) & kEndsUnquoted)) ++i;
        if (i >= n) return eof();
        value = in_.substr(v, i - v);
      }
    }
    if (!end_tag) add_attribute(name_view(attr_start, attr_end, lowering), value);
  }
  if (end_tag) token_.attributes.clear();
  return true;
}

bool HtmlTokenizer::is_appropriate_end_tag_at(std::size_t lt) const {
  const std::size_t n = in_.size();
  const std::size_t name_end = lt + 2 + end_tag_.size();
  if (name_end >= n || in_[lt + 1] != '/') return false;
  if (!iequals_lower(in_.substr(lt + 2, end_tag_.size()), end_tag_)) return false;
  return ends_name(in_[name_end]);
}

// RCDATA and RAWTEXT: the position of the '<' of the appropriate end tag, or
// npos.
std::size_t HtmlTokenizer::appropriate_end_tag(std::size_t from) const {
  const std::size_t n = in_.size();
  while (from < n) {
    const void* hit = std::memchr(in_.data() + from, '<', n - from);
    if (hit == nullptr) return std::string_view::npos;
    const std::size_t lt = static_cast<std::size_t>(static_cast<const char*>(hit) - in_.data());
    if (is_appropriate_end_tag_at(lt)) return lt;
    from = lt + 1;
  }
  return std::string_view::npos;
}

// Script data with its escaped and double-escaped states: the position of
// the '<' of the "</script" that ends the script, or npos.
std::size_t HtmlTokenizer::script_end(std::size_t from) const {
  enum class S { kData, kEscaped, kEscapedDash, kEscapedDashDash, kDouble, kDoubleDash, kDoubleDashDash };
  const std::size_t n = in_.size();
  const auto at = [&](std::size_t p) { return p < n ? in_[p] : '\0'; };
  // After "<" + letters (or "</" + letters): whether they spell "script"
  // followed by whitespace, '/' or '>'; `end` is set after the letters.
  const auto script_word = [&](std::size_t p, std::size_t& end) {
    end = p;
    while (end < n && is_alpha(in_[end])) ++end;
    return end < n && ends_name(in_[end]) && iequals_lower(in_.substr(p, end - p), "script");
  };
  S s = S::kData;
  std::size_t i = from;
  while (i < n) {
    const char c = in_[i];
    switch (s) {
      case S::kData: {
        const void* hit = std::memchr(in_.data() + i, '<', n - i);
        if (hit == nullptr) return std::string_view::npos;
        i = static_cast<std::size_t>(static_cast<const char*>(hit) - in_.data());
        if (is_appropriate_end_tag_at(i)) return i;
        if (at(i + 1) == '!' && at(i + 2) == '-' && at(i + 3) == '-') {
          s = S::kEscapedDashDash;
          i += 4;
        } else {
          ++i;
        }
        continue;
      }
      case S::kEscaped:
      case S::kEscapedDash:
      case S::kEscapedDashDash:
        if (c == '-') {
          s = s == S::kEscaped ? S::kEscapedDash : S::kEscapedDashDash;
        } else if (c == '<') {
          if (is_appropriate_end_tag_at(i)) return i;
          std::size_t end = 0;
          if (is_alpha(at(i + 1)) && script_word(i + 1, end)) {
            s = S::kDouble;
            i = end + 1;
            continue;
          }
          s = S::kEscaped;
        } else if (c == '>' && s == S::kEscapedDashDash) {
          s = S::kData;
        } else {
          s = S::kEscaped;
        }
        ++i;
        continue;
      case S::kDouble:
      case S::kDoubleDash:
      case S::kDoubleDashDash:
        if (c == '-') {
          s = s == S::kDouble ? S::kDoubleDash : S::kDoubleDashDash;
        } else if (c == '<') {
          std::size_t end = 0;
          if (at(i + 1) == '/' && script_word(i + 2, end)) {
            s = S::kEscaped;
            i = end + 1;
            continue;
          }
          s = S::kDouble;
        } else if (c == '>' && s == S::kDoubleDashDash) {
          s = S::kData;
        } else {
          s = S::kDouble;
        }
        ++i;
        continue;
    }
  }
  return std::string_view::npos;
}

}  // namespace preheat::crawl
