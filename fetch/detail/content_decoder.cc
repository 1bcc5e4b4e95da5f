#include "fetch/detail/content_decoder.h"

#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>

#include <memory>
#include <vector>

namespace preheat::fetch::detail {

namespace {

constexpr std::size_t kChunk = 64 * 1024;

FetchError too_large(std::uint64_t max_decoded) {
  return FetchError{FetchErrorKind::kTooLarge,
                    "the decoded body exceeds " + std::to_string(max_decoded) + " bytes (max_decompressed_bytes)", 0, {}};
}

FetchError corrupt(std::string_view coding, std::string_view why) {
  return FetchError{FetchErrorKind::kProtocol,
                    "bad " + std::string(coding) + " content encoding: " + std::string(why), 0, {}};
}

// Room for one more chunk of output at `used` (the caller checks the cap
// after each step, so the output passes it by at most one chunk).
char* grow(std::string& out, std::size_t& used) {
  if (out.size() < used + kChunk) out.resize(used + kChunk);
  return out.data() + used;
}

// windowBits: 15 + 32 = zlib or gzip header, detected; -15 = raw deflate.
std::optional<FetchError> inflate_all(std::string_view in, std::string& out, std::uint64_t max_decoded,
                                      int window_bits, std::string_view coding, bool& header_error) {
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return corrupt(coding, "zlib cannot start");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::size_t used = 0;
  header_error = false;
  for (;;) {
    char* dst = grow(out, used);
    zs.next_out = reinterpret_cast<Bytef*>(dst);
    zs.avail_out = static_cast<uInt>(kChunk);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    used += kChunk - zs.avail_out;
    if (used > max_decoded) return too_large(max_decoded);
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members (RFC 1952 2.2) decode as one body.
      if (zs.avail_in > 0 && window_bits > 0) {
        inflateReset(&zs);
        continue;
      }
      break;
    }
    if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
      header_error = zs.total_out == 0 && used == 0;
      return corrupt(coding, zs.msg != nullptr ? zs.msg : "invalid data");
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) return corrupt(coding, "the stream ends early");
    if (rc != Z_OK && rc != Z_BUF_ERROR) return corrupt(coding, zs.msg != nullptr ? zs.msg : "zlib error");
  }
  out.resize(used);
  return std::nullopt;
}

std::optional<FetchError> decode_deflate(std::string_view in, std::string& out, std::uint64_t max_decoded,
                                         std::string_view coding) {
  bool header_error = false;
  auto err = inflate_all(in, out, max_decoded, 15 + 32, coding, header_error);
  if (err && header_error && coding == "deflate") {
    // "deflate" means zlib-wrapped (RFC 9110 8.4.1.2), but servers have long
    // sent raw deflate under that name; browsers and libcurl accept both.
    out.clear();
    err = inflate_all(in, out, max_decoded, -15, coding, header_error);
  }
  return err;
}

std::optional<FetchError> decode_brotli(std::string_view in, std::string& out, std::uint64_t max_decoded) {
  std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> st(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), BrotliDecoderDestroyInstance);
  if (!st) return corrupt("br", "cannot start the decoder");
  const auto* next_in = reinterpret_cast<const std::uint8_t*>(in.data());
  std::size_t avail_in = in.size();
  std::size_t used = 0;
  for (;;) {
    char* dst = grow(out, used);
    auto* next_out = reinterpret_cast<std::uint8_t*>(dst);
    std::size_t avail_out = kChunk;
    const BrotliDecoderResult rc =
        BrotliDecoderDecompressStream(st.get(), &avail_in, &next_in, &avail_out, &next_out, nullptr);
    used += kChunk - avail_out;
    if (used > max_decoded) return too_large(max_decoded);
    if (rc == BROTLI_DECODER_RESULT_SUCCESS) break;
    if (rc == BROTLI_DECODER_RESULT_ERROR) {
      return corrupt("br", BrotliDecoderErrorString(BrotliDecoderGetErrorCode(st.get())));
    }
    if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) return corrupt("br", "the stream ends early");
  }
  out.resize(used);
  return std::nullopt;
}

std::optional<FetchError> decode_zstd(std::string_view in, std::string& out, std::uint64_t max_decoded) {
  std::unique_ptr<ZSTD_DCtx, std::size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx) return corrupt("zstd", "cannot start the decoder");
  // A frame may ask for a window up to 2^31; 8 MiB is what RFC 8878 asks
  // HTTP decoders to support, so a hostile frame cannot make us allocate more.
  ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, 23);
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  std::size_t used = 0;
  std::size_t last = 1;
  while (input.pos < input.size || last != 0) {
    char* dst = grow(out, used);
    ZSTD_outBuffer output{dst, kChunk, 0};
    last = ZSTD_decompressStream(ctx.get(), &output, &input);
    if (ZSTD_isError(last)) return corrupt("zstd", ZSTD_getErrorName(last));
    used += output.pos;
    if (used > max_decoded) return too_large(max_decoded);
    if (input.pos == input.size && output.pos < kChunk && last != 0) return corrupt("zstd", "the stream ends early");
  }
  out.resize(used);
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<FetchError> decode_content(std::string_view content_encoding, std::string& body,
                                         std::uint64_t max_decoded) {
  // No body (HEAD, 204, 304 with the representation's Content-Encoding):
  // nothing to decode.
  if (body.empty()) return std::nullopt;
  std::vector<std::string_view> codings;
  for (std::size_t start = 0; start <= content_encoding.size();) {
    std::size_t comma = content_encoding.find(',', start);
    if (comma == std::string_view::npos) comma = content_encoding.size();
    const std::string_view c = trim(content_encoding.substr(start, comma - start));
    if (!c.empty() && c != "identity") codings.push_back(c);
    start = comma + 1;
  }
  std::string out;
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    const std::string_view c = *it;
    out.clear();
    std::optional<FetchError> err;
    if (c == "gzip" || c == "x-gzip" || c == "deflate") {
      err = decode_deflate(body, out, max_decoded, c);
    } else if (c == "br") {
      err = decode_brotli(body, out, max_decoded);
    } else if (c == "zstd") {
      err = decode_zstd(body, out, max_decoded);
    } else {
      return FetchError{FetchErrorKind::kProtocol, "unknown content encoding: " + std::string(c), 0, {}};
    }
    if (err) return err;
    body.swap(out);
  }
  return std::nullopt;
}

}  // namespace preheat::fetch::detail
