// Differential test: the links extract_html finds on real pages against the
// links npm parse5 (the WHATWG HTML parser: what a browser sees) finds, per
// page, as multisets of (tag, attribute, value). The corpus is the HTML
// documentation shipped in Debian packages on this machine. Every difference
// must be explained in kExplained; the figures are printed.
//
// Skips when node or tests/extract/parse5/node_modules is missing (scripts/setup
// installs it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "crawl/extract/html_extractor.h"
#include "tests/support/support.h"

namespace preheat::crawl {
namespace {

namespace fs = std::filesystem;

// A difference the test accepts, with the reason. `page` is a substring of the
// page path, `link` a substring of the "tag\tattribute\tvalue" line; `side`
// says who reports the link: "parse5" only or "preheat" only.
struct Explained {
  const char* page;
  const char* link;
  const char* side;
  const char* reason;
};

// None today: the tokenizer (crawl/extract/html_tokenizer.h) agrees with
// parse5 on every link of the corpus. The libxml2 parser it replaced needed
// entries for CDATA in HTML and invalid character references.
constexpr Explained kExplained[] = {
    {"", "", "", "placeholder that matches nothing (an empty side never matches)"},
};

// Pages written for the test where HTML parsers are known to part ways: they
// join the real corpus so that the table above stays honest.
struct TrickyPage {
  const char* name;
  const char* html;
};
constexpr TrickyPage kTricky[] = {
    {"cdata", R"(<p>x<![CDATA[<a href="/cdata">]]></p>)"},
    {"textarea", R"(<textarea><a href="/textarea">t</a></textarea>)"},
    {"title", R"(<title><a href="/title">t</a></title>)"},
    {"iframe-content", R"(<iframe src="/f"><a href="/in-iframe">t</a></iframe>)"},
    {"rawtext", R"(<xmp><a href="/xmp">t</a></xmp><noembed><a href="/noembed">n</a></noembed>)"},
    {"noframes", R"(<noframes><a href="/noframes">n</a></noframes>)"},
    {"foreign", R"(<svg><a href="/svg-a">s</a></svg><math><a href="/math-a">m</a></math>)"},
    {"foster", R"(<table><a href="/foster">f</a><tr><td>x</td></tr></table>)"},
    {"plaintext", R"(<plaintext><a href="/plain">p</a>)"},
    {"entities", R"(<a href="/a&notit;b&amp;c&#0;d&#x110000;e&copy">x</a>)"},
    {"duplicate-attribute", R"(<a href="/one" href="/two">dup</a>)"},
    {"noscript-in-head", R"(<head><noscript><a href="/ns-head">n</a></noscript></head>)"},
    {"attributes-without-space", R"(<a href="/x"rel=nofollow>y</a><a href=/y/>z</a>)"},
    {"two-bases", R"(<base href="/b1"><base href="/b2"><a href="/z">z</a>)"},
    {"newlines", "<a href=\"/cr\r\nlf\n x\">z</a>"},
    {"template", R"(<template><a href="/t">t</a></template><a href="/after">a</a>)"},
    {"nested-a", R"(<a href="/outer">o<a href="/inner">i</a></a>)"},
    // Tokenizer edge cases (crawl/extract/html_tokenizer.h).
    {"comment-edges",
     R"(<!--><a href="/c1">x</a><!---><a href="/c2">x</a><!-- --!><a href="/c3">x</a><!-- <!-- -->)"
     R"(<a href="/c4">x</a><!-- -- ><a href="/in-comment"> ---><a href="/c5">x</a><!-- --!x --><a href="/c6">)"},
    {"unterminated-comment", R"(<a href="/before">b</a><!-- <a href="/never">)"},
    {"script-escapes",
     R"(<script><!--<script></script><a href="/s1"></script>--></script><a href="/after-script">a</a>)"
     R"(<script><!-- x --><a href="/s5"></script><a href="/s6">)"},
    {"script-end-variants",
     R"(<script>x</scripty><a href="/s2"></script ><a href="/s3">a</a><script>y</SCRIPT/><a href="/s4">b</a>)"},
    {"unterminated-script", R"(<script><a href="/in-script">)"},
    {"rcdata-end",
     R"(<title>x</titlex><a href="/t2"></title ><a href="/t3">a</a><textarea></TEXTAREA><a href="/t4">b</a>)"
     R"(<style>a</STYLE foo=bar><a href="/st">x</a>)"},
    {"legacy-entities-attribute", R"(<a href="/p?a=1&copy=2&copy;&amp=3&ampx&lt5&notit;&not;&AMP;&Amp;">x</a>)"},
    {"numeric-entities", R"(<a href="/&#x80;&#128;&#xD800;&#65;&#x41&#;&#x;&#1114112;&#9999999999;&#x81;&#X7a;">x</a>)"},
    {"long-entity-names", R"(<a href="/&CounterClockwiseContourIntegral;&CounterClockwiseContourIntegralX;&acE;">x</a>)"},
    {"svg-links",
     R"(<svg><a xlink:href="/xl">x</a><a href="/h1" xlink:href="/xl2">y</a><foreignObject><a href="/fo">z</a>)"
     R"(<iframe src="/fo-if"></iframe></foreignObject><iframe src="/svg-if"></iframe>)"
     R"(<style><a href="/svg-style">s</a></style><title><a href="/svg-title">t</a></title></svg>)"},
    {"svg-breakout", R"(<svg><g><p><a href="/bo">x</a><iframe src="/bo-if"></iframe></svg><link rel=next href=/n>)"},
    {"svg-self-closing", R"(<svg/><iframe src="/after-svg"></iframe><svg><a href="/s"/><link rel=next href=/n></svg>)"},
    {"cdata-foreign", R"(<svg><![CDATA[<a href="/cd">]]></svg><math><![CDATA[x]]><mi><a href="/mi">y</a></mi></math>)"},
    {"frame-outside-frameset", R"(<body><frame src="/nof"><a href="/y">y</a>)"},
    {"odd-tags",
     "<a/href=\"/slash\">x</a><a href=/q\"'<=`/>x</a><a\nhref\n=\n\"/nl\">x</a><a href=\"/e\"/>"
     "<a =href=/eq>x</a><a href='/sq'title=t>x</a><a\thref=/tab\f>x</a><A HREF=/UP>x</A>"},
    {"bogus-markup", R"(<?php <a href="/pi"> ?><a href="/after-pi">x</a></ a href="/bogus-end"><a href="/ok2">y</a></>)"},
    {"eof-in-tag", R"(<a href="/ok">o</a><a href="/x" )"},
    {"eof-in-value", R"(<a href="/ok">o</a><a href=/x)"},
    {"doctype-gt", R"(<!DOCTYPE html PUBLIC "a>b"><a href="/dt">x</a><!doctype><a href="/dt2">)"},
    {"rel-variants", R"(<link rel="NEXT alternate stylesheet" href="/x"><link rel=" prev " href="/p"><link rel=canonical href=/c>)"},
    {"meta-refresh-entities", R"(<meta http-equiv=" Refresh " content="0;URL=&quot;/q&quot;"><meta http-equiv=refresh content="1; /r">)"},
    {"nested-templates", R"(<template><template></template><a href="/t2"></a></template><a href="/after2">a</a></template><a href="/a3">)"},
    {"lt-in-text", R"(a < b <3 <a href="/lt">x</a> <= </ <)"},
};

std::string escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<std::string> corpus() {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator("/usr/share/doc", ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file() && it->path().extension() == ".html") files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The oracle's lines per page (links.js: its links; text.js: its visible
// text): one node process for the whole corpus.
std::map<std::string, std::vector<std::string>> oracle_lines(const fs::path& node, const fs::path& script,
                                                             const std::vector<std::string>& files,
                                                             const fs::path& list) {
  // Paths are passed through a file list so that no shell quoting is needed.
  std::string names;
  for (const auto& f : files) names += f + "\n";
  testing::write_file(list, names);
  const std::string cmd = "'" + node.string() + "' '" + script.string() + "' --list '" + list.string() + "'";
  std::map<std::string, std::vector<std::string>> out;
  const std::string all = testing::command_output(cmd);
  std::vector<std::string>* page = nullptr;
  std::size_t pos = 0;
  while (pos < all.size()) {
    std::size_t end = all.find('\n', pos);
    if (end == std::string::npos) end = all.size();
    const std::string line = all.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("#page ", 0) == 0) {
      page = &out[line.substr(6)];
    } else if (page != nullptr && !line.empty()) {
      page->push_back(line);
    }
  }
  return out;
}

std::vector<std::string> preheat_links(const std::string& html) {
  // The oracle reads every page as UTF-8 (links.js), so preheat is told the
  // same; sniffing has its own differential test (encoding_diff_test).
  const ExtractResult r = extract_html(html, "utf-8");
  std::vector<std::string> out;
  if (r.base_href) out.push_back("base\thref\t" + escape(*r.base_href));
  for (const Link& l : r.links) {
    out.push_back(std::string(link_source_tag(l.source)) + "\t" + link_source_attribute(l.source) + "\t" +
                  escape(l.href));
  }
  return out;
}

const Explained* explanation(const std::string& page, const std::string& link, const char* side) {
  for (const Explained& e : kExplained) {
    if (*e.side != '\0' && side == std::string_view(e.side) && page.find(e.page) != std::string::npos &&
        link.find(e.link) != std::string::npos) {
      return &e;
    }
  }
  return nullptr;
}

TEST(Parse5DiffTest, SameLinksAsTheWhatwgParserOnRealPages) {
#ifndef PREHEAT_NODE
  GTEST_SKIP() << "node not found at configure time";
#else
  const fs::path dir = fs::path(PREHEAT_SOURCE_DIR) / "tests/extract/parse5";
  if (!fs::exists(dir / "node_modules/parse5")) GTEST_SKIP() << "run scripts/setup (npm install parse5)";
  std::vector<std::string> files = corpus();
  if (files.size() < 20) GTEST_SKIP() << "too few HTML pages under /usr/share/doc";

  testing::TempDir tmp;
  for (const TrickyPage& page : kTricky) {
    files.push_back((tmp / (std::string("tricky-") + page.name + ".html")).string());
    testing::write_file(files.back(), page.html);
  }
  const auto oracle = oracle_lines(PREHEAT_NODE, dir / "links.js", files, tmp / "files.txt");
  ASSERT_EQ(oracle.size(), files.size()) << "node did not report every page";

  std::size_t links_preheat = 0, links_parse5 = 0, agreements = 0, explained = 0;
  std::map<std::string, std::size_t> reasons;
  for (const std::string& file : files) {
    std::vector<std::string> mine = preheat_links(testing::read_file(file));
    std::vector<std::string> theirs = oracle.at(file);
    links_preheat += mine.size();
    links_parse5 += theirs.size();
    std::sort(mine.begin(), mine.end());
    std::sort(theirs.begin(), theirs.end());
    std::vector<std::string> both, only_mine, only_theirs;
    std::set_intersection(mine.begin(), mine.end(), theirs.begin(), theirs.end(), std::back_inserter(both));
    std::set_difference(mine.begin(), mine.end(), theirs.begin(), theirs.end(), std::back_inserter(only_mine));
    std::set_difference(theirs.begin(), theirs.end(), mine.begin(), mine.end(), std::back_inserter(only_theirs));
    agreements += both.size();
    for (const auto& [side, links] : {std::pair{"preheat", &only_mine}, std::pair{"parse5", &only_theirs}}) {
      for (const std::string& link : *links) {
        if (const Explained* e = explanation(file, link, side)) {
          ++explained;
          ++reasons[e->reason];
        } else {
          ADD_FAILURE() << "only " << side << " reports " << link << " on " << file;
        }
      }
    }
  }
  std::cout << "parse5 differential: " << files.size() << " pages, " << links_parse5 << " links (parse5), "
            << links_preheat << " links (preheat), " << agreements << " agree, " << explained << " explained\n";
  for (const auto& [reason, n] : reasons) std::cout << "  " << n << " x " << reason << "\n";
  EXPECT_GT(agreements, 1000u);
#endif
}

// The visible text by html_extractor.h's rules, on parse5's tree
// (text.js) against extract_html's, which has no tree. They can part where
// tree construction moves text: foster parenting ("<table><tr><td>b</td>
// </tr>a</table>" is "a b" in a browser, "b a" here) or the adoption agency
// reordering misnested inline elements. None of that occurs on the corpus:
// every page must agree (the first differences are printed).
TEST(Parse5DiffTest, VisibleTextOnRealPages) {
#ifndef PREHEAT_NODE
  GTEST_SKIP() << "node not found at configure time";
#else
  const fs::path dir = fs::path(PREHEAT_SOURCE_DIR) / "tests/extract/parse5";
  if (!fs::exists(dir / "node_modules/parse5")) GTEST_SKIP() << "run scripts/setup (npm install parse5)";
  const std::vector<std::string> files = corpus();
  if (files.size() < 20) GTEST_SKIP() << "too few HTML pages under /usr/share/doc";
  testing::TempDir tmp;
  const auto oracle = oracle_lines(PREHEAT_NODE, dir / "text.js", files, tmp / "files.txt");
  ASSERT_EQ(oracle.size(), files.size()) << "node did not report every page";
  std::size_t same = 0, printed = 0;
  for (const std::string& file : files) {
    const auto& lines = oracle.at(file);
    const std::string theirs = lines.empty() ? "" : lines.front();
    const std::string mine = escape(extract_html(testing::read_file(file), "utf-8", {.max_text_bytes = 1 << 30}).text);
    if (mine == theirs) {
      ++same;
      continue;
    }
    if (printed++ < 5) {
      const auto diff = std::mismatch(mine.begin(), mine.end(), theirs.begin(), theirs.end());
      const std::size_t at = static_cast<std::size_t>(diff.first - mine.begin());
      const std::size_t from = at < 60 ? 0 : at - 60;
      std::cout << "  text differs on " << file << " at byte " << at << ":\n    preheat: "
                << mine.substr(from, 120) << "\n    parse5:  " << theirs.substr(from, 120) << "\n";
    }
  }
  std::cout << "parse5 text differential: " << same << " of " << files.size() << " pages identical\n";
  EXPECT_EQ(same, files.size()) << "pages whose visible text is not parse5's";
#endif
}

}  // namespace
}  // namespace preheat::crawl
