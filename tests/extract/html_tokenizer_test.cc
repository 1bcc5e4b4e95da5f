// HtmlTokenizer: each tokenizer state's tricky cases (WHATWG HTML 13.2.5),
// character references, the named reference table, hostile input.
// The fuzz-style test is html_extractor_fuzz_test.cc; agreement with a real
// HTML parser on real pages is parse5_diff_test.cc.
#include "crawl/extract/html_tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crawl/extract/named_char_refs.h"

namespace preheat::crawl {
namespace {

// The mode the tree builder would set after an HTML start tag.
HtmlTextMode mode_after(std::string_view tag) {
  if (tag == "title" || tag == "textarea") return HtmlTextMode::kRcdata;
  if (tag == "style" || tag == "xmp" || tag == "iframe" || tag == "noembed" || tag == "noframes") {
    return HtmlTextMode::kRawtext;
  }
  if (tag == "script") return HtmlTextMode::kScriptData;
  if (tag == "plaintext") return HtmlTextMode::kPlaintext;
  return HtmlTextMode::kData;
}

// Tokens as "S:a[href=/x]/", "E:a", "T:text", "C:data", "D"; adjacent text
// tokens are joined (where the tokenizer splits text is not part of its
// contract).
std::vector<std::string> tokens(std::string_view html, bool cdata = false) {
  HtmlTokenizer tokenizer(html);
  tokenizer.set_cdata_sections(cdata);
  std::vector<std::string> out;
  while (true) {
    const HtmlToken& t = tokenizer.next();
    switch (t.type) {
      case HtmlTokenType::kEof: return out;
      case HtmlTokenType::kText:
        if (!out.empty() && out.back().starts_with("T:")) {
          out.back() += t.text;
        } else {
          out.push_back("T:" + std::string(t.text));
        }
        break;
      case HtmlTokenType::kComment: out.push_back("C:" + std::string(t.text)); break;
      case HtmlTokenType::kDoctype: out.push_back("D"); break;
      case HtmlTokenType::kEndTag: out.push_back("E:" + std::string(t.name)); break;
      case HtmlTokenType::kStartTag: {
        std::string s = "S:" + std::string(t.name);
        for (const HtmlAttribute& a : t.attributes) {
          s += "[" + std::string(a.name) + "=" + std::string(a.raw_value) + "]";
        }
        if (t.self_closing) s += "/";
        out.push_back(s);
        tokenizer.set_text_mode(mode_after(t.name));
        break;
      }
    }
  }
}

using Tokens = std::vector<std::string>;

struct Case {
  std::string html;
  Tokens expected;
};

void expect_all(const std::vector<Case>& cases) {
  for (const Case& c : cases) EXPECT_EQ(tokens(c.html), c.expected) << c.html;
}

TEST(HtmlTokenizerTest, TagsAndAttributes) {
  expect_all({
      {"a<b>c</b>", {"T:a", "S:b", "T:c", "E:b"}},
      {"<DIV ID=X Class='Y'>", {"S:div[id=X][class=Y]"}},
      {"<a href=1 HREF=2 href=3>", {"S:a[href=1]"}},
      {R"(<a b c=d e = "f" g=''>)", {"S:a[b=][c=d][e=f][g=]"}},
      {"<a x=y/>", {"S:a[x=y/]"}},
      {"<br/>", {"S:br/"}},
      {R"(<a href="x"/>)", {"S:a[href=x]/"}},
      {"<a/b>", {"S:a[b=]"}},
      {"<a / / b>", {"S:a[b=]"}},
      {"<a =x>", {"S:a[=x=]"}},
      {"<a ==x>", {"S:a[==x]"}},
      {R"(<a x="1"y='2'z=3>)", {"S:a[x=1][y=2][z=3]"}},
      {"<a x=>", {"S:a[x=]"}},
      {"<a\nhref\r\n=\t\"v\"\f>", {"S:a[href=v]"}},
      {R"(<a "q'<=`=v>)", {R"(S:a["q'<=`=v])"}},
      {"<a x=a\"b'c<d=e`f>", {"S:a[x=a\"b'c<d=e`f]"}},
      {"</a href=x>", {"E:a"}},
      {"</A/>", {"E:a"}},
      {"<a><b></b></a>", {"S:a", "S:b", "E:b", "E:a"}},
      {"<svg:a xlink:HREF=x>", {"S:svg:a[xlink:href=x]"}},
  });
}

TEST(HtmlTokenizerTest, LessThanThatIsText) {
  expect_all({
      {"a < b", {"T:a < b"}},
      {"1 <3 2", {"T:1 <3 2"}},
      {"x<", {"T:x<"}},
      {"x</", {"T:x</"}},
      {"a</>b", {"T:ab"}},  // "</>" is dropped (the two text tokens are joined here)
      {"</ x>y", {"C: x", "T:y"}},
      {"</3>", {"C:3"}},
      {"<?xml version=1?>z", {"C:?xml version=1?", "T:z"}},
      {"<<a>", {"T:<", "S:a"}},
      {"<=>", {"T:<=>"}},
  });
}

TEST(HtmlTokenizerTest, Comments) {
  expect_all({
      {"<!---->x", {"C:", "T:x"}},
      {"<!-->x", {"C:", "T:x"}},
      {"<!--->x", {"C:", "T:x"}},
      {"<!-- a --!>x", {"C: a ", "T:x"}},
      {"<!-- a -- b -->x", {"C: a -- b ", "T:x"}},
      {"<!-- a ---->x", {"C: a --", "T:x"}},
      {"<!-- a --!b -->x", {"C: a --!b ", "T:x"}},
      {"<!-- <!-- -->x", {"C: <!-- ", "T:x"}},
      {"<!-- <a href=x> -- >", {"C: <a href=x> -- >"}},
      {"<!-- x", {"C: x"}},
      {"<!--", {"C:"}},
      {"<!-x>y", {"C:-x", "T:y"}},
      {"<!>y", {"C:", "T:y"}},
      {"<!DOCTYPE html>x", {"D", "T:x"}},
      {"<!doctype html PUBLIC \"a>b\">", {"D", "T:b\">"}},
      {"<!DOCTYPE", {"D"}},
  });
}

TEST(HtmlTokenizerTest, CdataIsABogusCommentInHtmlAndTextInForeignContent) {
  EXPECT_EQ(tokens("<![CDATA[<a>]]>x"), (Tokens{"C:[CDATA[<a", "T:]]>x"}));
  EXPECT_EQ(tokens("<![CDATA[<a>]]>x", /*cdata=*/true), (Tokens{"T:<a>x"}));
  EXPECT_EQ(tokens("<![CDATA[x", /*cdata=*/true), (Tokens{"T:x"}));
  EXPECT_EQ(tokens("<![cdata[x]]>", /*cdata=*/true), (Tokens{"C:[cdata[x]]"}));  // case-sensitive
}

TEST(HtmlTokenizerTest, RcdataAndRawtext) {
  expect_all({
      {"<title>a<b>&amp;</title >x", {"S:title", "T:a<b>&amp;", "E:title", "T:x"}},
      {"<title>a</titlex></TITLE>", {"S:title", "T:a</titlex>", "E:title"}},
      {"<title>a</title", {"S:title", "T:a</title"}},
      {"<textarea></textarea/><p>", {"S:textarea", "E:textarea", "S:p"}},
      {"<style>a</style foo=bar>b", {"S:style", "T:a", "E:style", "T:b"}},
      {"<style><!-- </style> -->", {"S:style", "T:<!-- ", "E:style", "T: -->"}},
      {"<xmp><a href=x></xmp>", {"S:xmp", "T:<a href=x>", "E:xmp"}},
      {"<iframe><a></iframe>", {"S:iframe", "T:<a>", "E:iframe"}},
      {"<plaintext></plaintext><a>", {"S:plaintext", "T:</plaintext><a>"}},
  });
  // Character references are decoded in RCDATA, not in RAWTEXT.
  HtmlTokenizer rcdata("<title>&amp;</title>");
  rcdata.next();
  rcdata.set_text_mode(HtmlTextMode::kRcdata);
  EXPECT_TRUE(rcdata.next().has_char_refs);
  HtmlTokenizer rawtext("<style>&amp;</style>");
  rawtext.next();
  rawtext.set_text_mode(HtmlTextMode::kRawtext);
  EXPECT_FALSE(rawtext.next().has_char_refs);
}

TEST(HtmlTokenizerTest, ScriptData) {
  expect_all({
      {"<script>a<b</script>x", {"S:script", "T:a<b", "E:script", "T:x"}},
      {"<script>x</scripty></script>", {"S:script", "T:x</scripty>", "E:script"}},
      {"<script>x</SCRIPT\n>", {"S:script", "T:x", "E:script"}},
      // Escaped: "<!--" ... a "</script>" still ends it.
      {"<script><!-- </script> -->", {"S:script", "T:<!-- ", "E:script", "T: -->"}},
      // Double escaped: "<!--<script>" hides the first "</script>".
      {"<script><!--<script></script></script>x",
       {"S:script", "T:<!--<script></script>", "E:script", "T:x"}},
      {"<script><!--<script>--></script>x", {"S:script", "T:<!--<script>-->", "E:script", "T:x"}},
      {"<script><!--<script >a</script >b</script>",
       {"S:script", "T:<!--<script >a</script >b", "E:script"}},
      // "-->" leaves the escape, so a later "<script>" is plain text.
      {"<script><!-- --><script></script>x", {"S:script", "T:<!-- --><script>", "E:script", "T:x"}},
      {"<script><!--<scripts></script>x", {"S:script", "T:<!--<scripts>", "E:script", "T:x"}},
      {"<script><!-->x</script>", {"S:script", "T:<!-->x", "E:script"}},
      {"<script><!-x<script></script>", {"S:script", "T:<!-x<script>", "E:script"}},
      {"<script><!--<script>", {"S:script", "T:<!--<script>"}},
      {"<script>", {"S:script"}},
  });
}

TEST(HtmlTokenizerTest, EndOfInputInsideATagDropsTheTag) {
  expect_all({
      {"x<a href=\"/y", {"T:x"}},
      {"x<a href='/y", {"T:x"}},
      {"x<a href=/y", {"T:x"}},
      {"x<a href=", {"T:x"}},
      {"x<a href", {"T:x"}},
      {"x<a ", {"T:x"}},
      {"x<div", {"T:x"}},
      {"x<a/", {"T:x"}},
      {"x</a", {"T:x"}},
  });
}

TEST(HtmlTokenizerTest, NulInNamesBecomesReplacementCharacter) {
  const std::string html("<a\0B x\0Y=1>", 11);
  EXPECT_EQ(tokens(html), (Tokens{"S:a\xEF\xBF\xBD" "b[x\xEF\xBF\xBDy=1]"}));
}

std::string decoded(std::string_view raw, bool in_attribute) {
  std::string out;
  decode_html_text(raw, in_attribute, out);
  return out;
}

TEST(HtmlTokenizerTest, CharacterReferences) {
  struct Ref {
    std::string raw;
    std::string text;       // decoded in text
    std::string attribute;  // decoded in an attribute value
  };
  const Ref refs[] = {
      {"&amp;", "&", "&"},
      {"&amp", "&", "&"},
      {"&AMP;", "&", "&"},
      {"&Amp;", "&Amp;", "&Amp;"},  // names are case-sensitive
      {"&ampx", "&x", "&ampx"},     // legacy name then alphanumeric: kept in attributes
      {"&amp=", "&=", "&amp="},
      {"&amp;x", "&x", "&x"},
      {"&amp-", "&-", "&-"},
      {"&notit;", "\xC2\xAC" "it;", "&notit;"},
      {"&notin;", "\xE2\x88\x89", "\xE2\x88\x89"},
      {"&copy=2", "\xC2\xA9=2", "&copy=2"},
      {"?a=1&copy;", "?a=1\xC2\xA9", "?a=1\xC2\xA9"},
      {"&unknown;", "&unknown;", "&unknown;"},
      {"&;", "&;", "&;"},
      {"&", "&", "&"},
      {"& x", "& x", "& x"},
      {"&#65;", "A", "A"},
      {"&#x41", "A", "A"},
      {"&#X6a;", "j", "j"},
      {"&#0065x", "Ax", "Ax"},
      {"&#0;", "\xEF\xBF\xBD", "\xEF\xBF\xBD"},
      {"&#x80;", "\xE2\x82\xAC", "\xE2\x82\xAC"},  // windows-1252's euro sign
      {"&#x81;", "\xC2\x81", "\xC2\x81"},           // no remap: kept
      {"&#x9F;", "\xC5\xB8", "\xC5\xB8"},
      {"&#xD800;", "\xEF\xBF\xBD", "\xEF\xBF\xBD"},
      {"&#x10FFFF;", "\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"},
      {"&#1114112;", "\xEF\xBF\xBD", "\xEF\xBF\xBD"},
      {"&#99999999999999999999;", "\xEF\xBF\xBD", "\xEF\xBF\xBD"},
      {"&#;", "&#;", "&#;"},
      {"&#x;", "&#x;", "&#x;"},
      {"&#xg", "&#xg", "&#xg"},
      {"&CounterClockwiseContourIntegral;", "\xE2\x88\xB3", "\xE2\x88\xB3"},
      {"&acE;", "\xE2\x88\xBE\xCC\xB3", "\xE2\x88\xBE\xCC\xB3"},  // two code points
      {"a\r\nb\rc\n", "a\nb\nc\n", "a\nb\nc\n"},
      {std::string("a\0b", 3), "a\xEF\xBF\xBD" "b", "a\xEF\xBF\xBD" "b"},
  };
  for (const Ref& r : refs) {
    EXPECT_EQ(decoded(r.raw, false), r.text) << r.raw;
    EXPECT_EQ(decoded(r.raw, true), r.attribute) << r.raw;
  }
  EXPECT_EQ(decode_attribute_value("/p?a=1&amp;b=2"), "/p?a=1&b=2");
}

TEST(HtmlTokenizerTest, NamedReferenceTable) {
  EXPECT_EQ(named_char_ref_count(), 2231u);
  EXPECT_EQ(named_char_ref("amp;"), "&");
  EXPECT_EQ(named_char_ref("amp"), "&");
  EXPECT_EQ(named_char_ref("lt"), "<");
  EXPECT_EQ(named_char_ref("nbsp;"), "\xC2\xA0");
  EXPECT_FALSE(named_char_ref("notit;"));
  EXPECT_FALSE(named_char_ref("notin"));  // only legacy names come without ";"
  EXPECT_FALSE(named_char_ref(""));
  EXPECT_EQ(named_char_ref("CounterClockwiseContourIntegral;")->size(), 3u);
  EXPECT_EQ(std::string_view("CounterClockwiseContourIntegral;").size(), kMaxNamedCharRefLength);
}

TEST(HtmlTokenizerTest, HostileInput) {
  // A 10 MB attribute value is one view, not a copy.
  const std::string big = "<a href=\"" + std::string(10 << 20, 'a') + "\" x=1>";
  HtmlTokenizer t1(big);
  const HtmlToken& a = t1.next();
  ASSERT_EQ(a.type, HtmlTokenType::kStartTag);
  EXPECT_EQ(a.attribute("href")->raw_value.size(), 10u << 20);
  EXPECT_EQ(a.attribute("x")->raw_value, "1");
  EXPECT_EQ(t1.next().type, HtmlTokenType::kEof);

  // 100,000 nested tags: 100,000 tokens, no recursion.
  std::string nested;
  for (int i = 0; i < 100'000; ++i) nested += "<div>";
  HtmlTokenizer t2(nested);
  int starts = 0;
  while (t2.next().type == HtmlTokenType::kStartTag) ++starts;
  EXPECT_EQ(starts, 100'000);

  // 20,000 attributes with repeats: the first of each name, in linear time.
  std::string many = "<a";
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 10'000; ++i) many += " n" + std::to_string(i) + "=" + std::to_string(round);
  }
  many += ">";
  HtmlTokenizer t3(many);
  const HtmlToken& m = t3.next();
  ASSERT_EQ(m.attributes.size(), 10'000u);
  EXPECT_EQ(m.attribute("n9999")->raw_value, "0");

  // The token after EOF is EOF again.
  HtmlTokenizer t4("<!--");
  EXPECT_EQ(t4.next().type, HtmlTokenType::kComment);
  EXPECT_EQ(t4.next().type, HtmlTokenType::kEof);
  EXPECT_EQ(t4.next().type, HtmlTokenType::kEof);
}

}  // namespace
}  // namespace preheat::crawl
