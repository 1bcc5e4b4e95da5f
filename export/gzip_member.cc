#include "export/gzip_member.h"

#include <zlib.h>

#include <new>
#include <utility>

namespace preheat::exports {

namespace {
constexpr std::size_t kChunk = 64 << 10;
}

struct GzipMembers::Stream {
  z_stream z{};
};

GzipMembers::GzipMembers(ByteSink sink, int level) : z_(std::make_unique<Stream>()), sink_(std::move(sink)) {
  // windowBits 15 + 16: a gzip wrapper instead of zlib's.
  if (deflateInit2(&z_->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::bad_alloc();
  out_.resize(kChunk);
}

GzipMembers::~GzipMembers() { deflateEnd(&z_->z); }

Status GzipMembers::begin() {
  if (open_) return Status::internal("gzip: begin() inside a member");
  if (deflateReset(&z_->z) != Z_OK) return Status::internal("gzip: deflateReset failed");
  open_ = true;
  return Status();
}

Status GzipMembers::pump(std::string_view data, int flush) {
  z_stream& z = z_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(out_.data());
    z.avail_out = static_cast<uInt>(out_.size());
    const int rc = deflate(&z, flush);
    if (rc == Z_STREAM_ERROR) return Status::internal("gzip: deflate failed");
    const std::size_t produced = out_.size() - z.avail_out;
    if (produced > 0) {
      bytes_out_ += produced;
      if (Status s = sink_(std::string_view(out_.data(), produced)); !s.ok()) return s;
    }
    if (flush == Z_FINISH) {
      if (rc == Z_STREAM_END) return Status();
    } else if (z.avail_in == 0 && z.avail_out != 0) {
      return Status();
    }
  }
}

Status GzipMembers::write(std::string_view data) {
  if (!open_) return Status::internal("gzip: write() outside a member");
  // avail_in is 32 bits: feed very large inputs in slices.
  constexpr std::size_t kSlice = 1u << 30;
  while (!data.empty()) {
    const std::string_view slice = data.substr(0, kSlice);
    if (Status s = pump(slice, Z_NO_FLUSH); !s.ok()) return s;
    data.remove_prefix(slice.size());
  }
  return Status();
}

Status GzipMembers::end() {
  if (!open_) return Status::internal("gzip: end() outside a member");
  open_ = false;
  return pump({}, Z_FINISH);
}

}  // namespace preheat::exports
