// GzipMembers: writes a stream of gzip members (RFC 1952), one per
// begin()/end(), each decompressible on its own: the WARC convention
// ("gzip per record"), which lets a reader seek to a record's offset. Input
// is compressed as it comes and the output goes to the sink in chunks of at
// most 64 KiB, so a member of any size never sits in memory whole.
//
// Thread safety: an object is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "export/byte_sink.h"

namespace preheat::exports {

class GzipMembers {
 public:
  // `level`: zlib's 0-9 (6 is zlib's default).
  explicit GzipMembers(ByteSink sink, int level = 6);
  ~GzipMembers();
  GzipMembers(const GzipMembers&) = delete;
  GzipMembers& operator=(const GzipMembers&) = delete;

  // A new member. REQUIRES: no member open.
  Status begin();
  Status write(std::string_view data);
  // Ends the member (the gzip trailer goes to the sink).
  Status end();

  std::uint64_t bytes_out() const { return bytes_out_; }

 private:
  Status pump(std::string_view data, int flush);

  struct Stream;
  std::unique_ptr<Stream> z_;
  ByteSink sink_;
  std::string out_;
  bool open_ = false;
  std::uint64_t bytes_out_ = 0;
};

}  // namespace preheat::exports
