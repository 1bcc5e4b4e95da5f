// The shared extraction helpers: text collapsing (its vector fast path
// against a byte-by-byte reference) and tag name lookup.
#include "crawl/extract/extract_support.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace preheat::crawl::extract_detail {
namespace {

// The rule, written plainly: runs of ASCII whitespace and boundaries become
// one space, none at the ends.
std::string reference(const std::vector<std::string>& parts) {
  std::string out;
  bool pending = false;
  for (const std::string& part : parts) {
    if (part.empty()) {  // a boundary
      pending = true;
      continue;
    }
    for (char c : part) {
      if (is_ascii_space(c)) {
        pending = true;
      } else {
        if (pending && !out.empty()) out += ' ';
        pending = false;
        out += c;
      }
    }
  }
  return out;
}

TEST(ExtractSupportTest, CollapsedTextMatchesTheRuleOnRandomText) {
  std::mt19937 rng(11);
  const std::string alphabet[] = {"a", "b", " ", " ", "\n", "\t", "\r", "\f", "\v", "\xC3\xA9", "xyz"};
  for (int round = 0; round < 3000; ++round) {
    std::vector<std::string> parts;
    const int count = 1 + static_cast<int>(rng() % 5);
    for (int p = 0; p < count; ++p) {
      std::string part;
      const int len = static_cast<int>(rng() % 80);
      for (int k = 0; k < len; ++k) part += alphabet[rng() % std::size(alphabet)];
      parts.push_back(part);
    }
    std::string out;
    CollapsedText text(&out, 1 << 20);
    for (const std::string& part : parts) {
      if (part.empty()) {
        text.boundary();
      } else {
        text.add(part);
      }
    }
    ASSERT_EQ(out, reference(parts)) << round;
  }
}

TEST(ExtractSupportTest, CollapsedTextLongRuns) {
  std::string out;
  CollapsedText text(&out, 1 << 20);
  text.add("   the quick brown fox jumps over the lazy dog again and again  ");
  text.add("\n\nsecond   line of text that is long enough for sixteen bytes\n");
  EXPECT_EQ(out,
            "the quick brown fox jumps over the lazy dog again and again second line of text that is long enough for "
            "sixteen bytes");
}

TEST(ExtractSupportTest, TagIds) {
  EXPECT_EQ(tag_id("a"), TagId::kA);
  EXPECT_EQ(tag_id("plaintext"), TagId::kPlaintext);
  EXPECT_EQ(tag_id("plaintexx"), TagId::kOther);
  EXPECT_EQ(tag_id("template"), TagId::kTemplate);
  EXPECT_EQ(tag_id("templatex"), TagId::kOther);
  EXPECT_EQ(tag_id(""), TagId::kOther);
  EXPECT_EQ(tag_id("A"), TagId::kOther);  // callers pass lower-case names
  EXPECT_TRUE(is_inline("span"));
  EXPECT_TRUE(is_inline("wbr"));
  EXPECT_FALSE(is_inline("div"));
  EXPECT_FALSE(is_inline("area"));
}

}  // namespace
}  // namespace preheat::crawl::extract_detail
