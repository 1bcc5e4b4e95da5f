#include "serve/json_writer.h"

#include <charconv>
#include <cstring>

#include <boost/json/value.hpp>

namespace preheat::serve {
namespace json = boost::json;

namespace {

// Whether `s` holds a byte JSON must escape: '"', '\\' or one below 0x20
// (the serializer escapes only those). Eight bytes at a time: a byte-by-byte
// test was a third of the writer's instructions on /api/page. below(x, n) is
// non-zero when a byte of x is below n (n <= 128; exact for "any", the
// borrow only ever adds bits above a byte that is); bytes >= 0x80 never are.
bool needs_escape(std::string_view s) {
  constexpr std::uint64_t kOnes = 0x0101010101010101;
  constexpr std::uint64_t kHighs = 0x8080808080808080;
  const auto below = [](std::uint64_t x, std::uint64_t n) { return (x - kOnes * n) & ~x & kHighs; };
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if ((below(w, 0x20) | below(w ^ (kOnes * '"'), 1) | below(w ^ (kOnes * '\\'), 1)) != 0) return true;
  }
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\') return true;
  }
  return false;
}

}  // namespace

void JsonWriter::separate() {
  if (need_comma_) out_ += ',';
}

void JsonWriter::drain() {
  char chunk[512];
  while (!serializer_.done()) {
    const std::string_view got = serializer_.read(chunk, sizeof chunk);
    out_.append(got.data(), got.size());
  }
  need_comma_ = true;
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  out_ += '{';
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  separate();
  out_ += '[';
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separate();
  out_ += '"';
  out_ += name;
  out_ += "\":";
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  separate();
  // Most strings need no escape: quoted as they are, as the serializer's own
  // fast loop would (it escapes only '"', '\\' and bytes below 0x20).
  if (!needs_escape(s)) {
    out_ += '"';
    out_ += s;
    out_ += '"';
    need_comma_ = true;
    return *this;
  }
  serializer_.reset(s);
  drain();
  return *this;
}

// Integers in plain decimal, as the serializer writes them.
template <class T>
JsonWriter& JsonWriter::integer(T n) {
  separate();
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out_.append(digits, static_cast<std::size_t>(end - digits));
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t n) {
  return integer(n);
}
JsonWriter& JsonWriter::value(std::uint64_t n) {
  return integer(n);
}
// Doubles through a json::value (it holds no storage: nothing is allocated),
// for Boost's own formatting.
JsonWriter& JsonWriter::value(double d) {
  separate();
  const json::value v(d);
  serializer_.reset(&v);
  drain();
  return *this;
}

JsonWriter& JsonWriter::boolean(bool b) {
  separate();
  out_ += b ? "true" : "false";
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  need_comma_ = true;
  return *this;
}

}  // namespace preheat::serve
