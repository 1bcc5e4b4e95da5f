// extract_html: links (every spelling and element), content fields, and
// hostile input (no crash, no stderr, bounded output).
#include "crawl/extract/html_extractor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/utf8.h"

namespace preheat::crawl {
namespace {

// "tag attr=value" for each link, in order: compact to compare in tables.
std::vector<std::string> describe(const ExtractResult& r) {
  std::vector<std::string> out;
  for (const Link& l : r.links) out.push_back(std::string(link_source_tag(l.source)) + " " + l.href);
  return out;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = s[i] == 0 ? 0 : utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

struct LinkCase {
  std::string name;
  std::string html;
  std::vector<std::string> links;  // "tag href"
};

TEST(HtmlExtractorTest, LinkSpellings) {
  const LinkCase cases[] = {
      {"double quoted", R"(<a href="/p/1">x</a>)", {"a /p/1"}},
      {"single quoted", R"(<a href='/p/1'>x</a>)", {"a /p/1"}},
      {"unquoted", R"(<a href=/p/1>x</a>)", {"a /p/1"}},
      {"unquoted with query", R"(<a href=/p?a=1&amp;b=2>x</a>)", {"a /p?a=1&b=2"}},
      {"entity amp", R"(<a href="/l?a=1&amp;b=2">x</a>)", {"a /l?a=1&b=2"}},
      {"numeric entities", R"(<a href="/p&#47;5&#x2F;6">x</a>)", {"a /p/5/6"}},
      {"bare ampersand", R"(<a href="/l?a=1&b=2">x</a>)", {"a /l?a=1&b=2"}},
      {"spaces around kept", "<a href=\"  /p/1 \">x</a>", {"a   /p/1 "}},
      {"newline inside kept", "<a href=\"/p/\n1\">x</a>", {"a /p/\n1"}},
      {"uppercase tag and attribute", R"(<A HREF="/P/1">x</A>)", {"a /P/1"}},
      {"mixed case", R"(<a hReF="/x">x</a>)", {"a /x"}},
      {"empty href", R"(<a href="">x</a>)", {"a "}},
      {"valueless href", R"(<a href>x</a>)", {"a "}},
      {"no href", R"(<a name="top">x</a>)", {}},
      {"area", R"(<map><area href="/m" alt="Map"></map>)", {"area /m"}},
      {"frame", R"(<frameset><frame src="/f1"><frame src="/f2"></frameset>)", {"frame /f1", "frame /f2"}},
      {"iframe", R"(<iframe src="/embed"></iframe>)", {"iframe /embed"}},
      {"link next prev", R"(<link rel="next" href="/2"><link rel=prev href="/0">)", {"link /2", "link /0"}},
      {"link alternate canonical", R"(<link rel="alternate" hreflang=de href="/de"><link rel=canonical href="/c">)",
       {"link /de", "link /c"}},
      {"link stylesheet not followed", R"(<link rel="stylesheet" href="/s.css"><link rel=icon href=/i.ico>)", {}},
      {"alternate stylesheet not followed", R"(<link rel="alternate stylesheet" href="/s2.css">)", {}},
      {"link rel upper case", R"(<LINK REL="Next" HREF="/2">)", {"link /2"}},
      {"meta refresh", R"(<meta http-equiv="refresh" content="0; url=/r">)", {"meta /r"}},
      {"meta refresh case", R"(<meta HTTP-EQUIV="Refresh" content="5;URL='/r2'">)", {"meta /r2"}},
      {"meta refresh self", R"(<meta http-equiv="refresh" content="30">)", {}},
      {"script excluded", R"(<script>document.write('<a href="/js">')</script><a href="/ok">k</a>)", {"a /ok"}},
      {"style excluded", R"(<style>a[href="/css"]{}</style>)", {}},
      {"CDATA", R"(<![CDATA[ x ]]><a href="/ok">k</a>)", {"a /ok"}},
      {"comment excluded", R"(<!-- <a href="/c">c</a> --><a href="/ok">k</a>)", {"a /ok"}},
      {"template excluded", R"(<template><a href="/t">t</a></template><a href="/ok">k</a>)", {"a /ok"}},
      {"noscript included", R"(<noscript><a href="/nojs">n</a></noscript>)", {"a /nojs"}},
      {"document order", R"(<a href=1>1</a><iframe src=2></iframe><area href=3><a href=4>4</a>)",
       {"a 1", "iframe 2", "area 3", "a 4"}},
      {"CR LF normalised like a browser", "<a href=\"/a\r\nb\rc\">x</a>", {"a /a\nb\nc"}},
      {"no links in text-only elements",
       R"(<textarea><a href="/t">t</a></textarea><xmp><a href="/x">x</a></xmp><title><a href=/ti></title>)"
       R"(<iframe src="/f"><a href="/i">i</a></iframe><math><a href="/m">m</a></math><a href="/ok">k</a>)",
       {"iframe /f", "a /ok"}},
      {"svg link", R"(<svg><a href="/s">s</a></svg>)", {"a /s"}},
      {"unclosed tags", R"(<div><p><a href="/u1">one<a href="/u2">two)", {"a /u1", "a /u2"}},
      {"javascript and mailto kept raw", R"h(<a href="javascript:void(0)">j</a><a href="mailto:x@y">m</a>)h",
       {"a javascript:void(0)", "a mailto:x@y"}},
  };
  for (const LinkCase& c : cases) {
    EXPECT_EQ(describe(extract_html(c.html, "")), c.links) << c.name;
  }
}

TEST(HtmlExtractorTest, MetaRefreshUrl) {
  const std::pair<std::string, std::optional<std::string>> cases[] = {
      {"0; url=/next", "/next"},
      {"0;url=/next", "/next"},
      {"0; URL=/next", "/next"},
      {"  3 ,  url = /next", "/next"},
      {"0; url='/q'x", "/q"},
      {"0; url=\"/q\"", "/q"},
      {"0; /direct", "/direct"},
      {"0 /direct", "/direct"},
      {"1.5; url=/dot", "/dot"},
      {".5; url=/dot", "/dot"},
      {"0; url=", std::nullopt},
      {"0", std::nullopt},
      {"0;", std::nullopt},
      {"", std::nullopt},
      {"url=/x", std::nullopt},      // no time: no refresh at all
      {"0x; url=/x", std::nullopt},  // time followed by junk
      {"0; uri=/x", "i=/x"},         // the standard keeps what follows a partial "ur"
  };
  for (const auto& [content, url] : cases) EXPECT_EQ(meta_refresh_url(content), url) << content;
}

TEST(HtmlExtractorTest, BaseHrefIsTheFirstOne) {
  const auto r = extract_html(R"(<head><base target=_top><base href="/b1/"><base href="/b2/"></head>)", "");
  ASSERT_TRUE(r.base_href);
  EXPECT_EQ(*r.base_href, "/b1/");
  EXPECT_FALSE(extract_html("<a href=x>x</a>", "").base_href);
}

TEST(HtmlExtractorTest, RelTokens) {
  const auto r = extract_html(R"(<a href="/x" rel="NoFollow  external">x</a><a href="/y">y</a>)", "");
  ASSERT_EQ(r.links.size(), 2u);
  EXPECT_EQ(r.links[0].rel, (std::vector<std::string>{"nofollow", "external"}));
  EXPECT_TRUE(r.links[0].has_rel("nofollow"));
  EXPECT_TRUE(r.links[1].rel.empty());
}

TEST(HtmlExtractorTest, AnchorText) {
  const std::pair<std::string, std::string> cases[] = {
      {R"(<a href=x>plain</a>)", "plain"},
      {R"(<a href=x>  two
          words  </a>)", "two words"},
      {R"(<a href=x>with <b>bold</b> and <span>span</span></a>)", "with bold and span"},
      {R"(<a href=x>A&amp;B &lt;c&gt;</a>)", "A&B <c>"},
      {R"(<a href=x><img src=i.png alt="Logo"></a>)", "Logo"},
      {R"(<a href=x>Go <img alt="home"> now</a>)", "Go home now"},
      {R"(<a href=x><div>block</div><div>level</div></a>)", "block level"},
      {R"(<a href=x>no<!-- comment -->space</a>)", "nospace"},
      {R"(<map><area href=x alt=" Region  one "></map>)", "Region one"},
      {"<a href=x>" + std::string(500, 'w') + "</a>", std::string(200, 'w')},
  };
  for (const auto& [html, text] : cases) {
    const auto r = extract_html(html, "");
    ASSERT_EQ(r.links.size(), 1u) << html;
    EXPECT_EQ(r.links[0].anchor_text, text) << html;
  }
  // The cap never splits a UTF-8 sequence.
  std::string euros;
  for (int i = 0; i < 100; ++i) euros += "\xE2\x82\xAC";
  const auto r = extract_html("<a href=x>" + euros + "</a>", "");
  EXPECT_EQ(r.links[0].anchor_text.size(), 198u);
  EXPECT_TRUE(valid_utf8(r.links[0].anchor_text));
}

TEST(HtmlExtractorTest, ContentFields) {
  const std::string html = R"(<!DOCTYPE html>
<html lang="de-CH"><head>
<meta charset="utf-8">
<title>  Caf&eacute; &amp; Bar
  menu</title>
<meta name="Description" content="  The   best
 coffee ">
<meta name="robots" content="NOINDEX, nofollow">
<link rel="canonical" href="https://example.org/cafe">
<style>body { color: red }</style>
<script>var hidden = "script text";</script>
</head>
<body>
<h1>Welcome</h1><p>Hello <b>world</b>!</p><p>Second</p>
<noscript>Enable JavaScript</noscript>
<template><p>inert</p></template>
<![CDATA[ cdata ]]>
<!-- a comment -->
<pre>  two
 lines</pre>
</body></html>)";
  const auto r = extract_html(html, "");
  EXPECT_EQ(r.title, "Caf\xC3\xA9 & Bar menu");
  EXPECT_EQ(r.description, "The best coffee");
  EXPECT_EQ(r.language, "de-CH");
  ASSERT_TRUE(r.canonical);
  EXPECT_EQ(*r.canonical, "https://example.org/cafe");
  EXPECT_EQ(r.robots, (std::vector<std::string>{"noindex", "nofollow"}));
  EXPECT_TRUE(r.robots_has("noindex"));
  // <![CDATA[...]]> in HTML content is a bogus comment, as in a browser
  // (libxml2 2.9, used before the tokenizer, reported it as text).
  EXPECT_EQ(r.text, "Welcome Hello world! Second two lines");
  EXPECT_FALSE(r.text_truncated);
  EXPECT_EQ(r.content_hash, fnv1a64(r.text));
  EXPECT_EQ(r.encoding, "UTF-8");
}

TEST(HtmlExtractorTest, Fnv1a64KnownValues) {
  EXPECT_EQ(fnv1a64(""), 0xCBF29CE484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xAF63DC4C8601EC8CULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171F73967E8ULL);
}

TEST(HtmlExtractorTest, SameTextSameHash) {
  const auto a = extract_html("<p>Hello   world</p>", "");
  const auto b = extract_html("<div>Hello\n<span>world</span></div><script>x</script>", "");
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.content_hash, b.content_hash);
  EXPECT_NE(a.content_hash, extract_html("<p>Hello world.</p>", "").content_hash);
}

TEST(HtmlExtractorTest, TextCap) {
  std::string html = "<p>";
  for (int i = 0; i < 2000; ++i) html += "word\xC3\xA9 ";
  const auto r = extract_html(html, "", {.max_text_bytes = 1001});
  EXPECT_TRUE(r.text_truncated);
  EXPECT_LE(r.text.size(), 1001u);
  EXPECT_GE(r.text.size(), 995u);
  EXPECT_TRUE(valid_utf8(r.text));
  // Links after the cap are still found.
  EXPECT_EQ(extract_html(html + "<a href=/late>l</a>", "", {.max_text_bytes = 10}).links.size(), 1u);
}

TEST(HtmlExtractorTest, Encodings) {
  // Latin-1 bytes for "café", with the hint.
  const auto latin = extract_html("<title>caf\xE9</title><a href=\"/caf\xE9\">x</a>", "ISO-8859-1");
  EXPECT_EQ(latin.title, "caf\xC3\xA9");
  ASSERT_EQ(latin.links.size(), 1u);
  EXPECT_EQ(latin.links[0].href, "/caf\xC3\xA9");
  // Shift_JIS through iconv: "日本" is 93 FA 96 7B.
  EXPECT_EQ(extract_html("<title>\x93\xFA\x96\x7B</title>", "shift_jis").title, "\xE6\x97\xA5\xE6\x9C\xAC");
  // The same bytes without a hint or meta are not UTF-8: windows-1252, the
  // standard's default.
  const auto unlabelled = extract_html("<title>caf\xE9</title>", "");
  EXPECT_EQ(unlabelled.title, "caf\xC3\xA9");
  EXPECT_EQ(unlabelled.encoding, "windows-1252");
  EXPECT_EQ(unlabelled.encoding_source, EncodingSource::kDefault);
  // A meta charset does not override the transport layer's charset...
  EXPECT_EQ(extract_html("<meta charset=iso-8859-1><title>caf\xC3\xA9</title>", "utf-8").title, "caf\xC3\xA9");
  // ...but is used without one.
  const auto meta = extract_html("<meta charset=iso-8859-1><title>caf\xC3\xA9</title>", "");
  EXPECT_EQ(meta.title, "caf\xC3\x83\xC2\xA9");
  EXPECT_EQ(meta.encoding, "windows-1252");
  EXPECT_EQ(meta.encoding_source, EncodingSource::kMeta);
  // An unknown label is ignored: valid UTF-8 bytes are taken as UTF-8.
  const auto unknown = extract_html("<title>caf\xC3\xA9</title>", "x-no-such-charset");
  EXPECT_EQ(unknown.title, "caf\xC3\xA9");
  EXPECT_EQ(unknown.encoding, "UTF-8");
  EXPECT_EQ(unknown.encoding_source, EncodingSource::kDetected);
}

// Hostile input: each case must not crash, print nothing, and keep every
// output valid UTF-8 and within the caps.
TEST(HtmlExtractorTest, HostileInput) {
  struct Case {
    std::string name;
    std::string html;
  };
  std::string binary;
  for (int i = 0; i < 1 << 16; ++i) binary += static_cast<char>((i * 2654435761u) >> 24);
  std::string nested;
  for (int i = 0; i < 100'000; ++i) nested += "<div>";
  nested += "<a href=/deep>deep</a>";
  std::string many_links;
  for (int i = 0; i < 200'000; ++i) many_links += "<a href=/x>x</a>";
  const Case cases[] = {
      {"NULs", std::string("<title>a\0b</title><a href=\"/x\0y\">x\0</a>", 36)},
      {"binary", binary},
      {"invalid UTF-8", "<title>\xFF\xFE\xC0\x80\xED\xA0\x80 ok</title><a href=\"/\xF5\">\x80</a>"},
      {"truncated UTF-8 at the end", "<p>abc\xE2\x82"},
      {"100k nested divs", nested},
      {"10 MB attribute", "<a href=\"" + std::string(10 << 20, 'a') + "\">big</a><a href=/after>a</a>"},
      {"10 MB unquoted attribute", "<a title=" + std::string(10 << 20, 'b') + ">t</a>"},
      {"10 MB text", "<p>" + std::string(10 << 20, 'c')},
      {"200k links", many_links},
      {"unterminated comment", "<!-- <a href=/x>"},
      {"unterminated tag", "<a href=\"/x"},
      {"only a lone <", "<"},
      {"empty", ""},
      {"UTF-16 BOM", "\xFF\xFE<\0a\0>\0"},
  };
  for (const Case& c : cases) {
    ::testing::internal::CaptureStderr();
    const auto r = extract_html(c.html, "");
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "") << c.name;
    EXPECT_TRUE(valid_utf8(r.title)) << c.name;
    EXPECT_TRUE(valid_utf8(r.text)) << c.name;
    EXPECT_LE(r.text.size(), ExtractOptions().max_text_bytes) << c.name;
    EXPECT_LE(r.links.size(), ExtractOptions().max_links) << c.name;
    for (const Link& l : r.links) {
      EXPECT_TRUE(valid_utf8(l.href)) << c.name;
      EXPECT_TRUE(valid_utf8(l.anchor_text)) << c.name;
      EXPECT_LE(l.href.size(), ExtractOptions().max_href_bytes) << c.name;
    }
  }
}

TEST(HtmlExtractorTest, HostileInputSpecifics) {
  // NULs become U+FFFD instead of ending the document.
  const auto nul = extract_html(std::string("<title>a\0b</title><a href=/after>x</a>", 37), "");
  EXPECT_EQ(nul.title, "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(nul.links.size(), 1u);
  // An over-long href is dropped, not cut; parsing goes on behind it.
  const auto big = extract_html("<a href=\"" + std::string(20'000, 'a') + "\">big</a><a href=/after>a</a>", "");
  EXPECT_EQ(describe(big), std::vector<std::string>{"a /after"});
  EXPECT_EQ(big.links_dropped, 1u);
  // Too many links: the rest are counted.
  std::string many;
  for (int i = 0; i < 50; ++i) many += "<a href=/x>x</a>";
  const auto capped = extract_html(many, "", {.max_links = 10});
  EXPECT_EQ(capped.links.size(), 10u);
  EXPECT_EQ(capped.links_dropped, 40u);
}

}  // namespace
}  // namespace preheat::crawl
