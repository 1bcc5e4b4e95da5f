#include "serve/json_writer.h"

#include <algorithm>
#include <charconv>

#include <boost/json/value.hpp>

namespace preheat::serve {
namespace json = boost::json;

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
  const bool plain = std::none_of(s.begin(), s.end(),
                                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\'; });
  if (plain) {
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
