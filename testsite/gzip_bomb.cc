#include "testsite/gzip_bomb.h"

#include <stdexcept>
#include <vector>

#include <zlib.h>

namespace preheat::testsite {

namespace {

// Deflates `in` with `flush` and returns what the stream wrote.
std::string deflate_chunk(z_stream& z, std::vector<unsigned char>& in, int flush) {
  std::string out;
  unsigned char buf[1 << 14];
  z.next_in = in.data();
  z.avail_in = static_cast<uInt>(in.size());
  do {
    z.next_out = buf;
    z.avail_out = sizeof buf;
    if (deflate(&z, flush) == Z_STREAM_ERROR) throw std::runtime_error("deflate failed");
    out.append(reinterpret_cast<const char*>(buf), sizeof buf - z.avail_out);
  } while (z.avail_out == 0 || z.avail_in > 0);
  return out;
}

}  // namespace

std::string make_gzip_bomb(std::uint64_t inflated) {
  const std::uint64_t chunks = inflated / kGzipBombChunk;
  if (inflated % kGzipBombChunk != 0 || chunks < 2) throw std::invalid_argument("gzip bomb size");
  std::vector<unsigned char> zeros(kGzipBombChunk, 0);
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("deflateInit2");
  const std::string first = deflate_chunk(z, zeros, Z_FULL_FLUSH);  // with the gzip header
  const std::string middle = deflate_chunk(z, zeros, Z_FULL_FLUSH);
  const std::string last = deflate_chunk(z, zeros, Z_FINISH);  // with a trailer for 3 chunks
  deflateEnd(&z);

  std::string out;
  out.reserve(first.size() + middle.size() * (chunks - 2) + last.size());
  out += first;
  for (std::uint64_t i = 2; i < chunks; ++i) out += middle;
  out += last;

  // The trailer: CRC-32 and size (mod 2^32) of the whole inflated body, little-endian.
  const uLong chunk_crc = crc32(0L, zeros.data(), static_cast<uInt>(zeros.size()));
  uLong crc = chunk_crc;
  for (std::uint64_t i = 1; i < chunks; ++i) crc = crc32_combine(crc, chunk_crc, static_cast<z_off_t>(kGzipBombChunk));
  const std::size_t at = out.size() - 8;
  for (int i = 0; i < 4; ++i) {
    out[at + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
    out[at + 4 + i] = static_cast<char>((inflated >> (8 * i)) & 0xFF);
  }
  return out;
}

std::shared_ptr<const std::string> gzip_bomb() {
  static const auto bomb = std::make_shared<const std::string>(make_gzip_bomb(kGzipBombInflated));
  return bomb;
}

}  // namespace preheat::testsite
