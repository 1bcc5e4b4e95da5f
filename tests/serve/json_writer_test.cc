// JsonWriter writes the bytes json::serialize() writes for the same document:
// hostile strings (every byte, invalid UTF-8, quotes, controls) and numbers
// (negative, 64-bit unsigned, doubles large and small) included.
#include "serve/json_writer.h"

#include <limits>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace preheat::serve {
namespace {
namespace json = boost::json;

std::string every_byte() {
  std::string s;
  for (int b = 0; b < 256; ++b) s.push_back(static_cast<char>(b));
  return s;
}

TEST(JsonWriterTest, WritesWhatTheDomSerializerWrites) {
  const std::string bytes = every_byte();
  const std::string big(100'000, '"');  // 200,000 bytes once escaped: many serializer reads
  const std::string script = "</script><script>alert(1)</script>\xE2\x80\xA8\xE2\x80\xA9\\";

  json::object dom;
  dom["bytes"] = bytes;
  dom["big"] = big;
  dom["n"] = std::int64_t{-42};
  dom["max"] = std::numeric_limits<std::uint64_t>::max();
  dom["min"] = std::numeric_limits<std::int64_t>::min();
  dom["small"] = 0.000123;
  dom["huge"] = 1.5e300;
  dom["third"] = 1.0 / 3.0;
  dom["zero"] = 0.0;
  dom["none"] = nullptr;
  dom["empty"] = json::array();
  json::array list;
  list.push_back(json::object{{"s", script}, {"i", 7}});
  list.push_back(json::object{});
  list.push_back(json::object{{"t", ""}, {"z", nullptr}});
  dom["list"] = std::move(list);

  std::string out;
  JsonWriter w(out);
  w.begin_object()
      .member("bytes", bytes)
      .member("big", big)
      .member("n", std::int64_t{-42})
      .member("max", std::numeric_limits<std::uint64_t>::max())
      .member("min", std::numeric_limits<std::int64_t>::min())
      .member("small", 0.000123)
      .member("huge", 1.5e300)
      .member("third", 1.0 / 3.0)
      .member("zero", 0.0);
  w.key("none").null();
  w.key("empty").begin_array().end_array();
  w.key("list").begin_array();
  w.begin_object().member("s", script).member("i", 7).end_object();
  w.begin_object().end_object();
  w.begin_object().member("t", "");
  w.key("z").null().end_object();
  w.end_array().end_object();

  EXPECT_EQ(out, json::serialize(dom));
  // And (valid UTF-8) parses back to the same strings.
  std::string valid;
  JsonWriter v(valid);
  v.begin_object().member("s", script).member("big", big).member("ctl", bytes.substr(0, 128)).end_object();
  const json::value back = json::parse(valid);
  EXPECT_EQ(back.at("s").as_string(), script);
  EXPECT_EQ(back.at("big").as_string(), big);
  EXPECT_EQ(back.at("ctl").as_string(), bytes.substr(0, 128));
}

TEST(JsonWriterTest, AppendsToWhatIsThere) {
  std::string out = "x";
  JsonWriter w(out);
  w.begin_array().value("a").value(1).end_array();
  EXPECT_EQ(out, "x[\"a\",1]");
}

// The writer decides eight bytes at a time whether a string needs escaping:
// every byte value at every offset of a word, and in the tail after the last
// whole word, beside its neighbours that never need it (0x20, '#', ']', 0x7f,
// 0x80, 0xff), is written as the serializer writes it.
TEST(JsonWriterTest, FindsAnEscapeAtEveryOffset) {
  for (std::size_t length : {1u, 7u, 8u, 9u, 16u, 19u}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (int b = 0; b < 256; ++b) {
        for (char filler : {' ', '#', ']', '\x7f', '\x80', '\xff'}) {
          std::string s(length, filler);
          s[at] = static_cast<char>(b);
          std::string out;
          JsonWriter(out).value(s);
          ASSERT_EQ(out, json::serialize(json::value(s))) << "length " << length << " byte " << b << " at " << at;
        }
      }
    }
  }
}

}  // namespace
}  // namespace preheat::serve
