// JsonWriter: writes a JSON document straight into a string, without building
// a Boost.JSON DOM first (on /api/page the DOM's allocations, hashing and
// copies cost about as much as the database reads). The bytes are those of
// json::serialize() on the equivalent value: a string with anything to
// escape and every double go through Boost.JSON's own serializer; a string
// without (quoted as is) and an integer (plain decimal) are written here the
// way it writes them (tests/serve/json_writer_test.cc compares the two). Keys are the caller's literals and
// are written as given (they must need no escaping).
//
// Thread safety: one writer per thread; it appends to the caller's string.
#pragma once

#include <concepts>

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/serializer.hpp>

namespace preheat::serve {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // An object member's name: plain ASCII without '"' or '\\'.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view s);
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(std::uint64_t n);
  JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
  JsonWriter& value(double d);
  // Exactly bool: a plain overload would catch string literals and pointers
  // (an array-to-pointer-to-bool conversion beats the one to string_view).
  template <class B>
    requires std::same_as<B, bool>
  JsonWriter& value(B b) {
    return boolean(b);
  }
  JsonWriter& boolean(bool b);
  JsonWriter& null();

  // key(name).value(v)
  template <class T>
  JsonWriter& member(std::string_view name, const T& v) {
    return key(name).value(v);
  }

 private:
  void separate();
  template <class T>
  JsonWriter& integer(T n);
  void drain();  // appends what the serializer holds

  std::string& out_;
  boost::json::serializer serializer_;
  bool need_comma_ = false;
};

}  // namespace preheat::serve
