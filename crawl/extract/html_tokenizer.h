// A focused HTML tokenizer: tags, attributes, text and comments, following
// the WHATWG tokenization rules (HTML standard, section 13.2.5) closely
// enough that the links a browser sees are the links it reports.
//
// Why it exists: link extraction is the crawler's CPU cost per page. libxml2's
// HTML SAX parser reaches about 60-100 MB/s on real documentation pages
// (docs/benchmarks.md, "Link extraction") while a memory scan runs at several
// GB/s; most bytes of a page are text, and a tokenizer that finds the next
// '<' with memchr, looks at the few tags that matter and decodes attribute
// values only when asked is several times faster. It also follows the
// standard where libxml2 2.9 does not (CDATA in HTML, invalid character
// references, RCDATA/RAWTEXT content): tests/extract/parse5_diff_test.cc holds
// it to parse5's link set on the corpus. Full parsing (a DOM) is not its job.
//
// What it does not do, because it has no tree: decide the text mode after a
// start tag (title -> RCDATA, script -> script data, ...) or whether CDATA
// sections are allowed (foreign content). The caller, which tracks the
// context, says so with set_text_mode() and set_cdata_sections().
//
// Deviations from the standard, none of which changes tags or attributes:
// input preprocessing (CR LF -> LF, NUL -> U+FFFD) is applied to attribute
// values and names by the decoding helpers, not to text and comments (CR is
// treated as whitespace inside tags); DOCTYPE tokens carry no fields; parse
// errors are not reported.
//
// Thread safety: an HtmlTokenizer is used by one thread; the free functions
// are pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <deque>
#include <unordered_set>
#include <vector>

namespace preheat::crawl {

enum class HtmlTokenType { kStartTag, kEndTag, kText, kComment, kDoctype, kEof };

struct HtmlAttribute {
  std::string_view name;       // lower-case (NUL -> U+FFFD)
  std::string_view raw_value;  // as written: character references not decoded
};

struct HtmlToken {
  HtmlTokenType type = HtmlTokenType::kEof;
  std::string_view name;  // tags: lower-case tag name
  bool self_closing = false;
  // Start tags: the attributes in order; a repeated name keeps the first.
  // End tags carry none (the standard drops them).
  std::vector<HtmlAttribute> attributes;
  // kText: the raw text; decode it with decode_html_text() when
  // has_char_refs (data and RCDATA); kComment: the comment's data.
  std::string_view text;
  bool has_char_refs = false;

  // The attribute called `name` (lower-case), or nullptr.
  const HtmlAttribute* attribute(std::string_view name) const;
};

// How the content after a start tag is tokenized (the standard's tokenizer
// states named after it).
enum class HtmlTextMode {
  kData,        // markup
  kRcdata,      // title, textarea: text with character references
  kRawtext,     // style, xmp, iframe, noembed, noframes: text
  kScriptData,  // script: text, with the script escape rules
  kPlaintext,   // plaintext: everything after it is text
};

class HtmlTokenizer {
 public:
  // REQUIRES: `input` outlives the tokenizer.
  explicit HtmlTokenizer(std::string_view input) : in_(input) {}

  // The next token; kEof at the end and ever after. The token and its views
  // (into the input or the tokenizer) are valid until the next call.
  const HtmlToken& next();

  // After a start tag: tokenize what follows in `mode`, up to the end tag
  // with the start tag's name ("the appropriate end tag").
  void set_text_mode(HtmlTextMode mode);
  // Whether <![CDATA[ ... ]]> is a CDATA section (in foreign content: svg,
  // math) or a bogus comment (in HTML content, the default).
  void set_cdata_sections(bool allowed) { cdata_ = allowed; }

 private:
  bool markup(std::size_t lt);
  bool tag(std::size_t name_start, bool end_tag);
  bool comment(std::size_t data_start);
  bool until_gt(std::size_t data_start, HtmlTokenType type);
  std::size_t appropriate_end_tag(std::size_t from) const;
  std::size_t script_end(std::size_t from) const;
  bool is_appropriate_end_tag_at(std::size_t lt) const;
  std::string_view name_view(std::size_t start, std::size_t end, bool needs_lowering);
  bool add_attribute(std::string_view name, std::string_view value);

  std::string_view in_;
  std::size_t pos_ = 0;
  HtmlTextMode mode_ = HtmlTextMode::kData;
  bool cdata_ = false;
  std::string end_tag_;         // the appropriate end tag's name
  HtmlToken token_;
  // Lower-cased names of the current tag (a deque: views stay valid as it grows).
  std::deque<std::string> lowered_;
  std::size_t lowered_used_ = 0;
  // Names of the current tag when it has many attributes (duplicate check).
  std::unordered_set<std::string_view> seen_;
};

// Appends `raw` to `out` with character references decoded (named, with the
// legacy names without ";", and numeric, with the standard's replacements),
// CR LF and lone CR turned into LF and NUL into U+FFFD. `in_attribute`
// applies the attribute-value rule: a legacy name without ";" followed by
// an alphanumeric or "=" is not decoded ("?a=1&copy=2" stays as written).
void decode_html_text(std::string_view raw, bool in_attribute, std::string& out);

// The decoded value of an attribute (decode_html_text with in_attribute).
std::string decode_attribute_value(std::string_view raw);

}  // namespace preheat::crawl
