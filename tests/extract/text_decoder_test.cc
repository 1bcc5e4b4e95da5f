// Decoding to UTF-8: each family of encodings, the standard's error rules
// (one U+FFFD per maximal invalid UTF-8 subpart, a truncated sequence at the
// end, lone surrogates), and hostile bytes. Expected strings are written as
// UTF-8 bytes so that the test does not depend on the source's encoding.
#include "crawl/extract/text_decoder.h"

#include <gtest/gtest.h>

#include <string>

#include "base/utf8.h"
#include "crawl/extract/html_extractor.h"

namespace preheat::crawl {
namespace {

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

const std::string kFFFD = "\xEF\xBF\xBD";

TEST(TextDecoderTest, Utf8ReplacesEachMaximalInvalidSubpart) {
  struct Case {
    std::string in;
    std::string out;
  };
  const Case cases[] = {
      {"caf\xC3\xA9", "caf\xC3\xA9"},
      {"a\x80z", "a" + kFFFD + "z"},
      {"a\xC3z", "a" + kFFFD + "z"},
      {"\xE2\x82", kFFFD},                  // truncated at the end: one U+FFFD
      {"\xE2\x82\xE2\x82\xAC", kFFFD + "\xE2\x82\xAC"},
      {"\xF0\x9F\x98", kFFFD},              // truncated 4-byte sequence
      {"\xC0\xAF", kFFFD + kFFFD},          // overlong: C0 is never a lead byte
      {"\xE0\x80\xAF", kFFFD + kFFFD + kFFFD},  // E0 80 is not a valid prefix
      {"\xED\xA0\x80", kFFFD + kFFFD + kFFFD},  // a surrogate
      {"\xF4\x90\x80\x80", kFFFD + kFFFD + kFFFD + kFFFD},  // above U+10FFFF
      {"\xFF\xFE", kFFFD + kFFFD},
      {std::string("a\0b", 3), std::string("a\0b", 3)},  // NUL is a character
  };
  for (const Case& c : cases) {
    EXPECT_EQ(decode_to_utf8(c.in, "UTF-8"), c.out) << c.in;
  }
  EXPECT_EQ(to_valid_utf8(std::string("a\0b", 3), 0, true), "a" + kFFFD + "b");
  EXPECT_EQ(first_invalid_utf8("ok\xC3\xA9"), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8(std::string("ok\0", 3)), 2u);
  EXPECT_EQ(first_invalid_utf8("ok\xC3"), 2u);
}

TEST(TextDecoderTest, Windows1252IsNotLatin1) {
  // 0x80 EURO SIGN, 0x92 RIGHT SINGLE QUOTATION MARK, 0x93/0x94 double
  // quotes, 0x85 ELLIPSIS, 0x9F Y WITH DIAERESIS; ISO-8859-1 would give C1
  // controls. The five bytes Windows leaves undefined are C1 controls.
  EXPECT_EQ(decode_to_utf8("\x80 it\x92s \x93q\x94\x85\x9F", "windows-1252"),
            "\xE2\x82\xAC it\xE2\x80\x99s \xE2\x80\x9Cq\xE2\x80\x9D\xE2\x80\xA6\xC5\xB8");
  EXPECT_EQ(decode_to_utf8("\x81\x8D\x8F\x90\x9D", "windows-1252"), "\xC2\x81\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D");
  EXPECT_EQ(decode_to_utf8("caf\xE9 \xFF", "windows-1252"), "caf\xC3\xA9 \xC3\xBF");
}

TEST(TextDecoderTest, OtherSingleByteEncodings) {
  // KOI8-R "Привет".
  EXPECT_EQ(decode_to_utf8("\xF0\xD2\xC9\xD7\xC5\xD4", "KOI8-R"), "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  // windows-1251 "Привет".
  EXPECT_EQ(decode_to_utf8("\xCF\xF0\xE8\xE2\xE5\xF2", "windows-1251"),
            "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  // ISO-8859-2 "ł" (0xB3); ISO-8859-15 "€" (0xA4).
  EXPECT_EQ(decode_to_utf8("\xB3", "ISO-8859-2"), "\xC5\x82");
  EXPECT_EQ(decode_to_utf8("\xA4", "ISO-8859-15"), "\xE2\x82\xAC");
  // The standard's entries where glibc differs.
  EXPECT_EQ(decode_to_utf8("\xAE\xBE", "KOI8-U"), "\xD1\x9E\xD0\x8E");
  EXPECT_EQ(decode_to_utf8("\xC6\xF0", "macintosh"), "\xE2\x88\x86\xEF\xA3\xBF");
  EXPECT_EQ(decode_to_utf8("\xFF", "x-mac-cyrillic"), "\xE2\x82\xAC");
  // windows-1255 does not compose: a base letter and a point stay two.
  EXPECT_EQ(decode_to_utf8("\xE0\xC8", "windows-1255"), "\xD7\x90\xD6\xB8");
  // An unassigned byte is U+FFFD (ISO-8859-3 0xA5).
  EXPECT_EQ(decode_to_utf8("\xA5", "ISO-8859-3"), kFFFD);
  // x-user-defined: the private-use block.
  EXPECT_EQ(decode_to_utf8("a\x80\xFF", "x-user-defined"), "a\xEF\x9E\x80\xEF\x9F\xBF");
}

TEST(TextDecoderTest, MultiByteEncodings) {
  // Shift_JIS "日本語" and a half-width katakana; 0x5C is a backslash.
  EXPECT_EQ(decode_to_utf8("\x93\xFA\x96\x7B\x8C\xEA \xB1 \\", "Shift_JIS"),
            "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xEF\xBD\xB1 \\");
  // An NEC extension (circled digit one, 0x8740) is in the standard's index.
  EXPECT_EQ(decode_to_utf8("\x87\x40", "Shift_JIS"), "\xE2\x91\xA0");
  // GBK "中文", and a four-byte gb18030 sequence (U+00A5 is 81 30 84 36).
  EXPECT_EQ(decode_to_utf8("\xD6\xD0\xCE\xC4", "GBK"), "\xE4\xB8\xAD\xE6\x96\x87");
  EXPECT_EQ(decode_to_utf8("\x81\x30\x84\x36", "gb18030"), "\xC2\xA5");
  // EUC-JP "日本", Big5 "中文", EUC-KR "한국".
  EXPECT_EQ(decode_to_utf8("\xC6\xFC\xCB\xDC", "EUC-JP"), "\xE6\x97\xA5\xE6\x9C\xAC");
  EXPECT_EQ(decode_to_utf8("\xA4\xA4\xA4\xE5", "Big5"), "\xE4\xB8\xAD\xE6\x96\x87");
  EXPECT_EQ(decode_to_utf8("\xC7\xD1\xB1\xB9", "EUC-KR"), "\xED\x95\x9C\xEA\xB5\xAD");
  // ISO-2022-JP "日本" between escapes.
  EXPECT_EQ(decode_to_utf8("\x1B$BF|K\\\x1B(B!", "ISO-2022-JP"), "\xE6\x97\xA5\xE6\x9C\xAC!");
  // Errors: a lead byte before ASCII loses only itself; a truncated pair
  // at the end is one U+FFFD.
  EXPECT_EQ(decode_to_utf8("\x93<p>", "Shift_JIS"), kFFFD + "<p>");
  EXPECT_EQ(decode_to_utf8("ok\x93", "Shift_JIS"), "ok" + kFFFD);
  EXPECT_EQ(decode_to_utf8("ok\xD6", "GBK"), "ok" + kFFFD);
  // A well-formed four-byte gb18030 sequence that maps to nothing is one error.
  EXPECT_EQ(decode_to_utf8("a\x84\x31\xA5\x30" "b", "gb18030"), "a" + kFFFD + "b");
  EXPECT_EQ(decode_to_utf8("a\x84\x31", "gb18030"), "a" + kFFFD);  // cut by the end: one error
  EXPECT_EQ(decode_to_utf8("\x84\x31j", "gb18030"), kFFFD + "1j");  // not a four-byte form
}

// Where glibc differs from the standard, and preheat follows the standard.
TEST(TextDecoderTest, GlibcCornersBroughtToTheStandard) {
  EXPECT_EQ(decode_to_utf8("\x80", "Shift_JIS"), "\xC2\x80");      // U+0080
  EXPECT_EQ(decode_to_utf8("\x80", "GBK"), "\xE2\x82\xAC");        // the euro sign
  EXPECT_EQ(decode_to_utf8("\xA3\xA0", "GBK"), "\xE3\x80\x80");    // U+3000, not private use
  EXPECT_EQ(decode_to_utf8("\x80\x90", "EUC-JP"), kFFFD + kFFFD);  // no C1 controls
  EXPECT_EQ(decode_to_utf8("\x80", "Big5"), kFFFD);
  EXPECT_EQ(decode_to_utf8("\xA1\x45\xA2\x44", "Big5"), "\xE2\x80\xA7\xEF\xBF\xA5");  // U+2027 U+FFE5
  // EUC-JP row 89 (an NEC-selected IBM kanji, U+7E8A) and row 85 (user-defined: nothing).
  EXPECT_EQ(decode_to_utf8("\xF9\xA1\xF5\xA1", "EUC-JP"), "\xE7\xBA\x8A" + kFFFD);
  // glibc's CP949 answers A2 E8 with kilobytes of NULs; the standard says one error.
  EXPECT_EQ(decode_to_utf8("a\xA2\xE8" "b", "EUC-KR"), "a" + kFFFD + "b");
  EXPECT_EQ(decode_to_utf8(std::string(999, '\xA2') + "\xE8", "EUC-KR").size(), 500u * 3);
  // ISO-2022-JP: SO, SI and a stray ESC are errors.
  EXPECT_EQ(decode_to_utf8("a\x0E" "b\x0F" "c\x1BGd", "ISO-2022-JP"), "a" + kFFFD + "b" + kFFFD + "c" + kFFFD + "Gd");
}

TEST(TextDecoderTest, Utf16AndReplacement) {
  EXPECT_EQ(decode_to_utf8(std::string("h\0i\0", 4), "UTF-16LE"), "hi");
  EXPECT_EQ(decode_to_utf8(std::string("\0h\0i", 4), "UTF-16BE"), "hi");
  // A surrogate pair (U+1F600), a lone lead, a lone trail, an odd last byte.
  EXPECT_EQ(decode_to_utf8(std::string("\x3D\xD8\x00\xDE", 4), "UTF-16LE"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(decode_to_utf8(std::string("\x3D\xD8x\0", 4), "UTF-16LE"), kFFFD + "x");
  EXPECT_EQ(decode_to_utf8(std::string("\x00\xDEx\0", 4), "UTF-16LE"), kFFFD + "x");
  EXPECT_EQ(decode_to_utf8(std::string("x\0y", 3), "UTF-16LE"), "x" + kFFFD);
  EXPECT_EQ(decode_to_utf8("\x3D\xD8", "UTF-16LE"), kFFFD);
  // The replacement encoding: one U+FFFD for any non-empty input.
  EXPECT_EQ(decode_to_utf8("\x1B$)C anything", "replacement"), kFFFD);
  EXPECT_EQ(decode_to_utf8("", "replacement"), "");
}

TEST(TextDecoderTest, AnyBytesInAnyEncodingGiveValidUtf8) {
  std::string junk;
  for (int i = 0; i < 1 << 15; ++i) junk += static_cast<char>((i * 2654435761u) >> 24);
  for (const char* e : {"UTF-8", "windows-1252", "Shift_JIS", "EUC-JP", "GBK", "gb18030", "Big5", "EUC-KR",
                        "ISO-2022-JP", "UTF-16LE", "UTF-16BE", "KOI8-U", "windows-1258", "x-user-defined",
                        "replacement", "no-such-encoding"}) {
    for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, junk.size()}) {
      const std::string out = decode_to_utf8(junk.substr(0, len), e);
      EXPECT_TRUE(valid_utf8(out)) << e << " " << len;
      if (len > 0) {
        EXPECT_FALSE(out.empty()) << e;
      }
    }
  }
}

// The extractor end to end: sniffed, decoded, parsed, reported.
TEST(TextDecoderTest, ExtractHtmlDecodesWhatItSniffs) {
  const auto sjis = extract_html("<meta charset=Shift_JIS><title>\x93\xFA\x96\x7B</title><p>\x8C\xEA", "");
  EXPECT_EQ(sjis.title, "\xE6\x97\xA5\xE6\x9C\xAC");
  EXPECT_EQ(sjis.text, "\xE8\xAA\x9E");
  EXPECT_EQ(sjis.encoding, "Shift_JIS");
  EXPECT_EQ(sjis.encoding_source, EncodingSource::kMeta);

  const auto gbk = extract_html("<title>\xD6\xD0\xCE\xC4</title><a href=\"/\xD6\xD0\">\xCE\xC4</a>", "gb2312");
  EXPECT_EQ(gbk.title, "\xE4\xB8\xAD\xE6\x96\x87");
  ASSERT_EQ(gbk.links.size(), 1u);
  EXPECT_EQ(gbk.links[0].href, "/\xE4\xB8\xAD");
  EXPECT_EQ(gbk.links[0].anchor_text, "\xE6\x96\x87");
  EXPECT_EQ(gbk.encoding, "GBK");
  EXPECT_EQ(gbk.encoding_source, EncodingSource::kHeader);

  const auto cp1252 = extract_html(
      "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"><title>\x80 it\x92s</title>", "");
  EXPECT_EQ(cp1252.title, "\xE2\x82\xAC it\xE2\x80\x99s");
  EXPECT_EQ(cp1252.encoding, "windows-1252");

  const auto utf16 = extract_html(std::string("\xFF\xFE<\0t\0i\0t\0l\0e\0>\0h\0i\0", 20), "utf-8");
  EXPECT_EQ(utf16.title, "hi");
  EXPECT_EQ(utf16.encoding, "UTF-16LE");
  EXPECT_EQ(utf16.encoding_source, EncodingSource::kBom);

  // A UTF-8 BOM is not text.
  const auto bom = extract_html("\xEF\xBB\xBF<p>x", "");
  EXPECT_EQ(bom.text, "x");

  // NUL bytes, in any encoding, are U+FFFD in the result.
  const auto nul = extract_html(std::string("<title>a\0b</title>", 18), "windows-1252");
  EXPECT_EQ(nul.title, "a" + kFFFD + "b");

  // The replacement encoding leaves no markup to parse.
  const auto kr = extract_html("<meta charset=iso-2022-kr><title>x</title><a href=/y>y</a>", "");
  EXPECT_EQ(kr.encoding, "replacement");
  EXPECT_TRUE(kr.links.empty());
  EXPECT_EQ(kr.text, kFFFD);
}

}  // namespace
}  // namespace preheat::crawl
