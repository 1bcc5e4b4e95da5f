// decode_content (the native HTTP/1.1 client's Content-Encoding decoding)
// on bodies made by independent encoders: the gzip, brotli and zstd command
// line tools, not the libraries' own encode functions called from here.
#include "fetch/detail/content_decoder.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/support/support.h"

namespace preheat::fetch::detail {
namespace {

using preheat::testing::TempDir;

// `tool` run over `plain` (e.g. "gzip -c -9"), as bytes.
std::string encode(const std::string& tool, const std::string& plain) {
  TempDir dir;
  preheat::testing::write_file(dir / "in", plain);
  const std::string out = preheat::testing::command_output(tool + " < '" + (dir / "in").string() + "'");
  EXPECT_FALSE(out.empty()) << tool << " is missing (scripts/setup installs gzip, brotli and zstd)";
  return out;
}

std::string sample_text() {
  std::string s;
  std::mt19937 rng(7);
  const char* words[] = {"preheat ", "the ", "oven ", "while ", "you ", "make ", "dough\n", "<a href=x>", "ü ", "€ "};
  while (s.size() < 300000) s += words[rng() % 10];
  return s;
}

TEST(ContentDecoderTest, EachCodingMadeByItsOwnToolDecodesToTheOriginal) {
  const std::string plain = sample_text();
  struct Case {
    const char* coding;
    const char* tool;
  };
  for (const Case& c : {Case{"gzip", "gzip -c -6"}, Case{"x-gzip", "gzip -c -1"}, Case{"br", "brotli -c -q 5"},
                        Case{"zstd", "zstd -c -q -3"}}) {
    std::string body = encode(c.tool, plain);
    ASSERT_LT(body.size(), plain.size()) << c.coding;
    const auto err = decode_content(c.coding, body, 64u << 20);
    ASSERT_FALSE(err.has_value()) << c.coding << ": " << err->message;
    EXPECT_EQ(body, plain) << c.coding;
  }
}

TEST(ContentDecoderTest, DeflateIsAcceptedZlibWrappedAndRaw) {
  const std::string plain = sample_text();
  // zlib-wrapped (RFC 1950) as the RFC says, and raw (RFC 1951) as some servers send it.
  std::string wrapped = encode("python3 -c \"import sys,zlib; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read()))\"", plain);
  std::string raw = encode("python3 -c \"import sys,zlib; c=zlib.compressobj(6, zlib.DEFLATED, -15); "
                           "sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read())+c.flush())\"", plain);
  ASSERT_FALSE(decode_content("deflate", wrapped, 64u << 20).has_value());
  ASSERT_FALSE(decode_content("deflate", raw, 64u << 20).has_value());
  EXPECT_EQ(wrapped, plain);
  EXPECT_EQ(raw, plain);
}

TEST(ContentDecoderTest, SeveralCodingsAreUndoneInReverseOrder) {
  const std::string plain = sample_text();
  // "gzip, br": gzip was applied first, then br.
  std::string body = encode("brotli -c", encode("gzip -c", plain));
  const auto err = decode_content("gzip, br", body, 64u << 20);
  ASSERT_FALSE(err.has_value()) << err->message;
  EXPECT_EQ(body, plain);
}

TEST(ContentDecoderTest, ConcatenatedGzipMembersAreOneBody) {
  std::string body = encode("gzip -c", "first half, ") + encode("gzip -c", "second half");
  ASSERT_FALSE(decode_content("gzip", body, 1u << 20).has_value());
  EXPECT_EQ(body, "first half, second half");
}

TEST(ContentDecoderTest, ABombStopsAtTheCapForEveryCoding) {
  const std::string zeros(32u << 20, '\0');
  for (const std::string tool : {"gzip -c -9", "brotli -c -q 9", "zstd -c -q -19"}) {
    const std::string coding = tool.substr(0, tool.find(' ')) == "brotli" ? "br" : tool.substr(0, tool.find(' '));
    std::string body = encode(tool, zeros);
    ASSERT_LT(body.size(), 1u << 20) << coding;  // a bomb: small on the wire
    const auto err = decode_content(coding, body, 4u << 20);
    ASSERT_TRUE(err.has_value()) << coding;
    EXPECT_EQ(err->kind, FetchErrorKind::kTooLarge) << coding;
    EXPECT_NE(err->message.find("max_decompressed_bytes"), std::string::npos);
  }
}

TEST(ContentDecoderTest, TruncatedCorruptAndUnknownAreProtocolErrors) {
  const std::string plain = sample_text();
  for (const std::string tool : {"gzip -c", "brotli -c", "zstd -c -q"}) {
    const std::string coding = tool.substr(0, tool.find(' ')) == "brotli" ? "br" : tool.substr(0, tool.find(' '));
    std::string full = encode(tool, plain);
    std::string truncated = full.substr(0, full.size() / 2);
    auto err = decode_content(coding, truncated, 64u << 20);
    ASSERT_TRUE(err.has_value()) << coding << " truncated";
    EXPECT_EQ(err->kind, FetchErrorKind::kProtocol) << coding;
    std::string garbage = "this is not " + coding + " data at all, not even close";
    err = decode_content(coding, garbage, 64u << 20);
    ASSERT_TRUE(err.has_value()) << coding << " garbage";
    EXPECT_EQ(err->kind, FetchErrorKind::kProtocol) << coding;
  }
  std::string body = "abc";
  const auto err = decode_content("compress", body, 1024);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->kind, FetchErrorKind::kProtocol);
  EXPECT_NE(err->message.find("compress"), std::string::npos);
}

TEST(ContentDecoderTest, IdentityAndEmptyBodiesAreLeftAlone) {
  std::string body = "plain";
  EXPECT_FALSE(decode_content("identity", body, 1024).has_value());
  EXPECT_FALSE(decode_content("", body, 1024).has_value());
  EXPECT_EQ(body, "plain");
  std::string empty;  // a 304 or HEAD answer names the representation's coding
  EXPECT_FALSE(decode_content("gzip", empty, 1024).has_value());
  EXPECT_TRUE(empty.empty());
}

}  // namespace
}  // namespace preheat::fetch::detail
