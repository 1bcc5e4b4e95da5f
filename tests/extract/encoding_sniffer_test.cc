// The encoding sniffing algorithm, step by step: labels, BOM, transport
// layer, meta prescan (its attribute rules, comments, the 1024-byte window,
// the overrides), the UTF-8 guess and the default.
#include "crawl/extract/encoding_sniffer.h"

#include <gtest/gtest.h>

#include <string>

namespace preheat::crawl {
namespace {

TEST(EncodingLabelTest, LabelsMapToTheStandardsNames) {
  struct Case {
    std::string label;
    std::string name;  // "" for an unknown label
  };
  const Case cases[] = {
      {"utf-8", "UTF-8"},
      {"UTF8", "UTF-8"},
      {" \t\nUtF-8\f\r ", "UTF-8"},
      {"unicode-1-1-utf-8", "UTF-8"},
      {"latin1", "windows-1252"},
      {"ISO-8859-1", "windows-1252"},
      {"ascii", "windows-1252"},
      {"us-ascii", "windows-1252"},
      {"cp1252", "windows-1252"},
      {"iso-8859-9", "windows-1254"},
      {"iso-8859-11", "windows-874"},
      {"iso-8859-2", "ISO-8859-2"},
      {"iso_8859-15", "ISO-8859-15"},
      {"iso-8859-8-i", "ISO-8859-8-I"},
      {"koi8-r", "KOI8-R"},
      {"koi8-ru", "KOI8-U"},
      {"shift_jis", "Shift_JIS"},
      {"SJIS", "Shift_JIS"},
      {"windows-31j", "Shift_JIS"},
      {"euc-jp", "EUC-JP"},
      {"gb2312", "GBK"},
      {"GBK", "GBK"},
      {"gb18030", "gb18030"},
      {"big5-hkscs", "Big5"},
      {"ks_c_5601-1987", "EUC-KR"},
      {"iso-2022-jp", "ISO-2022-JP"},
      {"iso-2022-kr", "replacement"},
      {"hz-gb-2312", "replacement"},
      {"utf-16", "UTF-16LE"},
      {"utf-16be", "UTF-16BE"},
      {"unicodefffe", "UTF-16BE"},
      {"x-user-defined", "x-user-defined"},
      {"x-mac-ukrainian", "x-mac-cyrillic"},
      {"", ""},
      {"utf-7", ""},
      {"utf-32", ""},
      {"latin-1", ""},
      {"utf 8", ""},
      {"\"utf-8\"", ""},
      {"replacement-but-too-long-for-any-label", ""},
  };
  for (const Case& c : cases) {
    const auto name = encoding_for_label(c.label);
    EXPECT_EQ(name.value_or(""), c.name) << "label '" << c.label << "'";
  }
}

std::string sniff(std::string_view bytes, std::string_view header = "") {
  const SniffedEncoding s = sniff_html_encoding(bytes, header);
  return std::string(s.name) + "/" + encoding_source_name(s.source);
}

TEST(EncodingSnifferTest, BomThenHeaderThenMetaThenUtf8ThenDefault) {
  const std::string meta_sjis = "<meta charset=shift_jis><p>\x93\xFA";
  // A BOM wins over everything, and says how many bytes to skip.
  EXPECT_EQ(sniff("\xEF\xBB\xBF" + meta_sjis, "windows-1252"), "UTF-8/bom");
  EXPECT_EQ(sniff("\xFE\xFF\x00<", "utf-8"), "UTF-16BE/bom");
  EXPECT_EQ(sniff("\xFF\xFE<\x00", "utf-8"), "UTF-16LE/bom");
  EXPECT_EQ(sniff_html_encoding("\xEF\xBB\xBFx", "").bom_bytes, 3u);
  EXPECT_EQ(sniff_html_encoding("\xFF\xFEx", "").bom_bytes, 2u);
  EXPECT_EQ(sniff_html_encoding("x", "utf-8").bom_bytes, 0u);
  // The transport layer wins over meta; its label is looked up.
  EXPECT_EQ(sniff(meta_sjis, "windows-1252"), "windows-1252/header");
  EXPECT_EQ(sniff(meta_sjis, " Latin1 "), "windows-1252/header");
  EXPECT_EQ(sniff(meta_sjis, "utf-16"), "UTF-16LE/header");  // no override for the header
  // An unknown header label is ignored.
  EXPECT_EQ(sniff(meta_sjis, "x-klingon"), "Shift_JIS/meta");
  EXPECT_EQ(sniff(meta_sjis, ""), "Shift_JIS/meta");
  // No label: valid UTF-8 is UTF-8, anything else windows-1252.
  EXPECT_EQ(sniff("<p>caf\xC3\xA9"), "UTF-8/detected");
  EXPECT_EQ(sniff("<p>plain ASCII"), "UTF-8/detected");
  EXPECT_EQ(sniff(""), "UTF-8/detected");
  EXPECT_EQ(sniff("<p>caf\xE9 au lait"), "windows-1252/default");
  EXPECT_EQ(sniff("<p>caf\xE9"), "UTF-8/detected");  // E9 at the very end may be a cut sequence
  EXPECT_EQ(sniff("<p>\x93\xFA\x96\x7B"), "windows-1252/default");  // unlabelled Shift_JIS: not guessed
  // A sequence cut by the end of the body is still UTF-8; one cut earlier is not.
  EXPECT_EQ(sniff("<p>caf\xC3"), "UTF-8/detected");
  EXPECT_EQ(sniff("<p>\xE2\x82"), "UTF-8/detected");
  EXPECT_EQ(sniff("<p>\xF0\x9F\x98"), "UTF-8/detected");
  EXPECT_EQ(sniff("<p>\xE2\x82 x"), "windows-1252/default");
  EXPECT_EQ(sniff("<p>\xC0"), "windows-1252/default");  // never a lead byte
  EXPECT_EQ(sniff("<p>\xED\xA0"), "windows-1252/default");  // a surrogate's start
  EXPECT_EQ(sniff(std::string("<p>a\0b", 6)), "UTF-8/detected");
}

TEST(EncodingSnifferTest, MetaPrescan) {
  struct Case {
    std::string html;
    std::string found;  // prescan_encoding, "" for none
  };
  const std::string pad(1000, ' ');
  const Case cases[] = {
      {"<meta charset=utf-8>", "UTF-8"},
      {"<META CHARSET=\"ISO-8859-2\">", "ISO-8859-2"},
      {"<meta charset='koi8-r'/>", "KOI8-R"},
      {"<meta  charset = \" gbk \" >", "GBK"},
      {"<meta/charset=euc-kr>", "EUC-KR"},
      {"<meta charset=euc-jp", ""},  // runs out of bytes inside the value
      {"<meta charset=\"euc-jp\" x", ""},  // runs out of bytes after it
      {"<meta charset=nonsense><meta charset=big5>", "Big5"},
      {"<metacharset=big5>", ""},
      {"<meta name=x charset=big5>", "Big5"},
      // http-equiv: the pragma is needed for content, in any order.
      {"<meta http-equiv=Content-Type content=\"text/html; charset=windows-1251\">", "windows-1251"},
      {"<meta content='text/html;charset=windows-1251' http-equiv='content-type'>", "windows-1251"},
      {"<meta content=\"text/html; charset=windows-1251\">", ""},
      {"<meta http-equiv=refresh content=\"text/html; charset=windows-1251\">", ""},
      {"<meta http-equiv=content-type content=\"charset = 'koi8-u' \">", "KOI8-U"},
      {"<meta http-equiv=content-type content='charset=\"koi8-u'>", ""},  // unmatched quote
      {"<meta http-equiv=content-type content=\"charset=\">", ""},
      {"<meta http-equiv=content-type content=\"xcharsetx; charset=euc-jp\">", "EUC-JP"},
      {"<meta http-equiv=content-type content=\"charset=euc-jp;x\">", "EUC-JP"},
      // charset wins over content; a repeated attribute is ignored.
      {"<meta http-equiv=content-type content=\"charset=big5\" charset=gbk>", "GBK"},
      {"<meta charset=gbk charset=big5>", "GBK"},
      {"<meta http-equiv=x http-equiv=content-type content=\"charset=big5\">", ""},
      // Overrides: UTF-16 means UTF-8, x-user-defined means windows-1252.
      {"<meta charset=utf-16>", "UTF-8"},
      {"<meta charset=utf-16be>", "UTF-8"},
      {"<meta charset=x-user-defined>", "windows-1252"},
      {"<meta charset=iso-2022-kr>", "replacement"},
      // Comments and other markup are skipped by the standard's rules.
      {"<!-- <meta charset=big5> --><meta charset=gbk>", "GBK"},
      {"<!--><meta charset=gbk>", "GBK"},
      {"<!---><meta charset=big5>--><meta charset=gbk>", "Big5"},
      {"<!-- <meta charset=big5>", ""},
      {"<div title=\"<meta charset=big5>\"><meta charset=gbk>", "GBK"},
      {"<div title='>'<meta charset=big5>", ""},  // inside the div's attributes
      {"<!doctype html><?php x ?><meta charset=gbk>", "GBK"},
      {"</p foo=\"<meta charset=big5>\"><meta charset=gbk>", "GBK"},
      {"<script>x = '<meta charset=big5>'</script>", "Big5"},  // no script state in the prescan
      {"< meta charset=big5>", ""},  // "< " opens nothing
      // Only the first 1024 bytes count.
      {"<p>" + pad + "<meta charset=gbk>", "GBK"},
      {"<p>" + pad + std::string(30, ' ') + "<meta charset=gbk>", ""},
      // The XML declaration, when no meta answers.
      {"<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?><html>", "ISO-8859-2"},
      {"<?xml version='1.0' encoding = 'utf-16'?>", "UTF-8"},
      {"<?xml version='1.0' encoding='koi8-r'?><meta charset=gbk>", "GBK"},
      {" <?xml version='1.0' encoding='koi8-r'?>", ""},
      {"<?xml version='1.0'?><p encoding='koi8-r'>", ""},
      // A BOM-less UTF-16 "<?x".
      {std::string("<\0?\0x\0m\0l\0", 10), "UTF-16LE"},
      {std::string("\0<\0?\0x\0m\0l", 10), "UTF-16BE"},
      {"", ""},
      {"no markup at all", ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(prescan_encoding(c.html).value_or(""), c.found) << c.html.substr(0, 120);
  }
  // Through the whole algorithm, the meta answer says where it came from.
  EXPECT_EQ(sniff("<meta charset=utf-16><p>caf\xE9"), "UTF-8/meta");
}

TEST(EncodingSnifferTest, HostileBytesNeverCrash) {
  std::string junk;
  for (int i = 0; i < 1 << 14; ++i) junk += static_cast<char>((i * 2654435761u) >> 24);
  for (std::string s : {junk, std::string(5000, '<'), std::string("<meta ") + std::string(3000, '/'),
                        std::string("<meta charset=\"") + std::string(3000, 'a'), std::string(2000, '\0'),
                        std::string("<!--"), std::string("<"), std::string("<meta "), std::string("<?xml")}) {
    const SniffedEncoding e = sniff_html_encoding(s, "");
    EXPECT_FALSE(e.name.empty());
  }
}

}  // namespace
}  // namespace preheat::crawl
