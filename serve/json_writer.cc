#include "serve/json_writer.h"

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
  serializer_.reset(s);
  drain();
  return *this;
}

// Scalars hold no storage: a json::value on the stack allocates nothing.
template <class T>
JsonWriter& JsonWriter::scalar(T n) {
  separate();
  const json::value v(n);
  serializer_.reset(&v);
  drain();
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t n) { return scalar(n); }
JsonWriter& JsonWriter::value(std::uint64_t n) { return scalar(n); }
JsonWriter& JsonWriter::value(double d) { return scalar(d); }

JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  need_comma_ = true;
  return *this;
}

}  // namespace preheat::serve
