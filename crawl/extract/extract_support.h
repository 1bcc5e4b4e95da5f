// Pieces shared by the two extract_html implementations (the tokenizer one in
// html_extractor.cc and the libxml2 baseline in libxml2_html_extractor.cc):
// text collapsing, token lists, the element classes the extraction rules of
// html_extractor.h name, and the encoding step before any parse.
//
// Thread safety: pure functions; a CollapsedText is used by one thread.
#pragma once

#include <cstddef>
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

// Phrasing elements whose boundaries do not separate words.
bool is_inline(std::string_view tag);
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
