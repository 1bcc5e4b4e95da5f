// Pieces shared by the two extract_html implementations (the tokenizer one in
// html_extractor.cc and the libxml2 baseline in libxml2_html_extractor.cc):
// text collapsing, token lists, the element classes the extraction rules of
// html_extractor.h name, and the encoding step before any parse.
//
// Thread safety: pure functions; a CollapsedText is used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crawl/extract/html_extractor.h"

namespace preheat::crawl::extract_detail {

inline bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool iequals(std::string_view a, std::string_view b);
std::string_view trim(std::string_view s);

// The longest prefix of s of at most `cap` bytes that does not end inside a
// UTF-8 sequence. REQUIRES: s is valid UTF-8.
std::size_t utf8_cut(std::string_view s, std::size_t cap);
void make_valid_utf8(std::string& s);

// Text with ASCII whitespace collapsed to single spaces and trimmed, capped
// at `cap` bytes on a UTF-8 boundary.
class CollapsedText {
 public:
  explicit CollapsedText(std::string* out, std::size_t cap) : out_(out), cap_(cap) {}

  void add(std::string_view in);
  // An element boundary that separates words ("<p>a</p><p>b</p>" is "a b").
  void boundary() { pending_space_ = !out_->empty(); }
  bool full() const { return full_; }

 private:
  void append(std::string_view run);

  std::string* out_;
  std::size_t cap_;
  bool pending_space_ = false;
  bool full_ = false;
};

std::string collapse(std::string_view s, std::size_t cap);

// Lower-case tokens of `s` split at any of `separators`, appended to `out`
// unless already there.
void split_tokens(std::string_view s, std::string_view separators, std::vector<std::string>& out);

inline constexpr std::string_view kSpaces = " \t\n\f\r";

// The elements the extraction rules name, as numbers: a tag name is looked
// up once per tag (comparing names was the extractor's largest cost after
// the tokenizer itself). kOther is any other name.
enum class TagId : std::uint8_t {
  kOther,
  // Phrasing elements whose boundaries do not separate words.
  kA, kAbbr, kB, kBdi, kBdo, kBig, kCite, kCode, kData, kDfn, kEm, kFont, kI, kKbd, kLabel, kMark, kNobr,
  kQ, kS, kSamp, kSmall, kSpan, kStrong, kSub, kSup, kTime, kTt, kU, kVar, kWbr,
  kLastInline = kWbr,
  // Others with a rule.
  kArea, kBase, kFrame, kFrameset, kHtml, kIframe, kImg, kLink, kMath, kMeta, kNoembed, kNoframes,
  kNoscript, kPlaintext, kScript, kStyle, kSvg, kTemplate, kTextarea, kTitle, kXmp,
};
TagId tag_id(std::string_view lower_case_name);
inline bool is_inline(TagId id) { return id != TagId::kOther && id <= TagId::kLastInline; }
inline bool is_inline(std::string_view tag) { return is_inline(tag_id(tag)); }
// Whether a <link>'s rel tokens make it a link to follow.
bool is_followed_link_rel(const std::vector<std::string>& rel);
// HTML input preprocessing: CR LF and lone CR become LF.
void normalize_newlines(std::string& s);

// The encoding step: sniffs, records the encoding in `result`, and returns
// the page as valid UTF-8 without NULs (U+FFFD instead), in `storage` when
// it had to be converted.
std::string_view to_utf8_input(std::string_view html, std::string_view charset_hint, ExtractResult& result,
                               std::string& storage);

// The last step: every string valid UTF-8, the content hash.
void finish_result(ExtractResult& result);

}  // namespace preheat::crawl::extract_detail
