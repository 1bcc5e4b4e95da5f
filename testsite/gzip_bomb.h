// A gzip bomb: a small gzip stream that inflates to a huge body of zeros.
//
// Built without compressing the whole output: one chunk of zeros deflated
// after a full flush always gives the same bytes, so the stream is the first
// chunk, that block repeated, the last chunk, and a trailer whose CRC-32 is
// combined arithmetically. 1 GiB inflates from about 1 MiB and is built in a
// few milliseconds (compressing it for real takes ~4 s).
//
// Thread safety: pure; gzip_bomb() builds its stream once (thread-safe).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace preheat::testsite {

inline constexpr std::uint64_t kGzipBombChunk = std::uint64_t{1} << 20;
inline constexpr std::uint64_t kGzipBombInflated = std::uint64_t{1} << 30;

// A valid gzip stream (RFC 1952, one member) of `inflated` zero bytes.
// REQUIRES: inflated is a multiple of kGzipBombChunk and at least 2 chunks.
std::string make_gzip_bomb(std::uint64_t inflated);

// make_gzip_bomb(kGzipBombInflated), built on first use and kept.
std::shared_ptr<const std::string> gzip_bomb();

}  // namespace preheat::testsite
