// Fuzz-style tests of the tokenizer and extract_html: seeded random bytes,
// random markup fragments and mutated real pages. The properties: no crash
// (run under ASan by scripts/build --asan), every output string valid UTF-8,
// output bounded by the options, the tokenizer ends (at most one token per
// input byte, plus EOF) and its views lie inside the input or its names.
// Deterministic: a failure names the seed and iteration to replay.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "crawl/extract/html_extractor.h"
#include "crawl/extract/html_tokenizer.h"
#include "crawl/extract/text_decoder.h"
#include "tests/support/support.h"

namespace preheat::crawl {
namespace {

bool valid(std::string_view s) { return first_invalid_utf8(s) == std::string_view::npos; }

// Markup that exercises the tokenizer's states when spliced anywhere.
constexpr std::string_view kFragments[] = {
    "<", ">", "</", "/>", "<!--", "-->", "--!>", "<!-->", "<!", "<?", "<![CDATA[", "]]>", "<!DOCTYPE html>",
    "<a href=", "<a href=\"/x\">", "</a>", "\"", "'", "=", "&", "&amp;", "&amp", "&#", "&#x", "&#x110000;",
    "&notit;", "&#0;", "<script>", "</script>", "<!--<script>", "<style>", "</style>", "<title>", "</title>",
    "<textarea>", "<plaintext>", "<svg>", "</svg>", "<math>", "<foreignObject>", "<template>", "</template>",
    "<noscript>", "<frameset>", "<frame src=f>", "<iframe src=i>", "<base href=b>", "<meta http-equiv=refresh content=\"0;url=r\">",
    "<link rel=next href=n>", "<html lang=x>", "<img alt=\"a\">", std::string_view("\0", 1), "\xFF", "\xE2\x82",
    "\r\n", "\r", " ", "<A HREF=Y>", "<area href=z alt=w>"};

std::string random_markup(std::mt19937& rng, std::size_t pieces) {
  std::string out;
  std::uniform_int_distribution<std::size_t> pick(0, std::size(kFragments) - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  for (std::size_t i = 0; i < pieces; ++i) {
    if (rng() % 4 == 0) {
      out += static_cast<char>(byte(rng));
    } else {
      out += kFragments[pick(rng)];
    }
  }
  return out;
}

std::string mutate(std::string page, std::mt19937& rng) {
  const int edits = 1 + static_cast<int>(rng() % 16);
  for (int e = 0; e < edits && !page.empty(); ++e) {
    const std::size_t at = rng() % page.size();
    switch (rng() % 4) {
      case 0: page[at] = static_cast<char>(rng()); break;
      case 1: page.insert(at, kFragments[rng() % std::size(kFragments)]); break;
      case 2: page.erase(at, rng() % 64); break;
      case 3: page.resize(at); break;  // truncated anywhere, mid-tag included
    }
  }
  return page;
}

void check_tokenizer(std::string_view input, std::mt19937& rng, const std::string& where) {
  HtmlTokenizer tokenizer(input);
  std::size_t count = 0;
  const auto inside = [&](std::string_view v) {
    return v.empty() || (v.data() >= input.data() && v.data() + v.size() <= input.data() + input.size());
  };
  while (true) {
    const HtmlToken& t = tokenizer.next();
    ++count;
    ASSERT_LE(count, input.size() + 1) << where;
    if (t.type == HtmlTokenType::kEof) break;
    ASSERT_TRUE(inside(t.text)) << where;
    for (const HtmlAttribute& a : t.attributes) ASSERT_TRUE(inside(a.raw_value)) << where;
    if (t.type == HtmlTokenType::kStartTag) {
      static constexpr HtmlTextMode kModes[] = {HtmlTextMode::kData, HtmlTextMode::kRcdata, HtmlTextMode::kRawtext,
                                                HtmlTextMode::kScriptData, HtmlTextMode::kPlaintext};
      if (rng() % 3 == 0) tokenizer.set_text_mode(kModes[rng() % 5]);
      if (rng() % 5 == 0) tokenizer.set_cdata_sections(rng() % 2 == 0);
    }
  }
}

void check_extract(std::string_view input, const std::string& where) {
  const ExtractOptions options{.max_text_bytes = 4096, .max_anchor_bytes = 50, .max_field_bytes = 100,
                               .max_href_bytes = 200, .max_links = 50};
  for (const char* hint : {"", "utf-8", "shift_jis"}) {
    const ExtractResult r = extract_html(input, hint, options);
    ASSERT_TRUE(valid(r.text)) << where;
    ASSERT_TRUE(valid(r.title)) << where;
    ASSERT_TRUE(valid(r.description)) << where;
    ASSERT_TRUE(valid(r.language)) << where;
    ASSERT_LE(r.text.size(), options.max_text_bytes) << where;
    ASSERT_LE(r.title.size(), options.max_field_bytes) << where;
    ASSERT_LE(r.links.size(), options.max_links) << where;
    ASSERT_EQ(r.content_hash, fnv1a64(r.text)) << where;
    ASSERT_TRUE(valid(r.base_href.value_or(""))) << where;
    ASSERT_TRUE(valid(r.canonical.value_or(""))) << where;
    for (const Link& l : r.links) {
      ASSERT_TRUE(valid(l.href)) << where;
      ASSERT_TRUE(valid(l.anchor_text)) << where;
      ASSERT_LE(l.href.size(), options.max_href_bytes) << where;
      ASSERT_LE(l.anchor_text.size(), options.max_anchor_bytes) << where;
      for (const std::string& rel : l.rel) ASSERT_TRUE(valid(rel)) << where;
    }
    for (const std::string& token : r.robots) ASSERT_TRUE(valid(token)) << where;
  }
}

TEST(HtmlExtractorFuzzTest, RandomBytesAndMarkup) {
  std::mt19937 rng(20261128);
  for (int i = 0; i < 10000; ++i) {
    std::string input;
    if (i % 3 == 0) {
      input.resize(rng() % 512);
      for (char& c : input) c = static_cast<char>(rng());
    } else {
      input = random_markup(rng, rng() % 200);
    }
    const std::string where = "random input " + std::to_string(i);
    check_tokenizer(input, rng, where);
    check_extract(input, where);
    if (HasFatalFailure()) return;
  }
}

TEST(HtmlExtractorFuzzTest, MutatedRealPages) {
  std::vector<std::string> pages;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator("/usr/share/doc", ec);
       it != std::filesystem::recursive_directory_iterator() && pages.size() < 40; it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file() && it->path().extension() == ".html" && it->file_size() < 64 * 1024) {
      pages.push_back(testing::read_file(it->path()));
    }
  }
  std::mt19937 rng(7);
  if (pages.empty()) pages.push_back(random_markup(rng, 2000));
  for (int i = 0; i < 1500; ++i) {
    const std::string input = mutate(pages[static_cast<std::size_t>(i) % pages.size()], rng);
    const std::string where = "mutated page " + std::to_string(i);
    check_tokenizer(input, rng, where);
    check_extract(input, where);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace preheat::crawl
