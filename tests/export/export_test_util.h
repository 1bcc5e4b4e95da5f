// Helpers for the export tests: gzip members taken apart one by one, WARC
// records parsed from their text, a database with known pages.
#pragma once

#include <zlib.h>

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "export/byte_sink.h"

namespace preheat::exports::testing {

// Decompresses `data` as a sequence of gzip members, each on its own (a fresh
// inflate per member); throws when a member is cut or garbage follows.
inline std::vector<std::string> gunzip_members(std::string_view data) {
  std::vector<std::string> members;
  while (!data.empty()) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    std::string out;
    char buf[65536];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      rc = inflate(&z, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END) {
        inflateEnd(&z);
        throw std::runtime_error("a gzip member does not decompress alone");
      }
      out.append(buf, sizeof buf - z.avail_out);
    }
    data.remove_prefix(data.size() - z.avail_in);
    inflateEnd(&z);
    members.push_back(std::move(out));
  }
  return members;
}

// A WARC record as text: header fields and block.
struct ParsedRecord {
  std::string version;
  std::map<std::string, std::string> fields;
  std::string block;
};

inline ParsedRecord parse_record(const std::string& text) {
  ParsedRecord r;
  const auto head_end = text.find("\r\n\r\n");
  if (head_end == std::string::npos) throw std::runtime_error("no end of WARC header");
  std::string_view head(text.data(), head_end);
  bool first = true;
  while (!head.empty()) {
    const auto eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 2);
    if (first) {
      r.version = line;
      first = false;
      continue;
    }
    const auto colon = line.find(": ");
    r.fields[std::string(line.substr(0, colon))] = std::string(line.substr(colon + 2));
  }
  const std::size_t length = std::stoul(r.fields.at("Content-Length"));
  r.block = text.substr(head_end + 4, length);
  if (text.substr(head_end + 4 + length) != "\r\n\r\n") throw std::runtime_error("record does not end with CRLF CRLF");
  return r;
}

inline ByteSink string_sink(std::string& out) {
  return [&out](std::string_view chunk) {
    out.append(chunk);
    return Status();
  };
}

}  // namespace preheat::exports::testing
