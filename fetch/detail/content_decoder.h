// Content-Encoding decoding for the native HTTP/1.1 client
// (http1_transport.h; libcurl decodes for itself): gzip, x-gzip, deflate
// (zlib-wrapped, or raw as some servers send it), br and zstd, one coding or
// several ("gzip, br": applied in that order, so undone in reverse), with the
// decoded size capped while decoding, so a bomb costs at most the cap.
// zlib, libbrotlidec and libzstd do the decoding. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fetch/fetch_error.h"

namespace preheat::fetch::detail {

// Replaces `body` with its decoded bytes. `content_encoding` is the header's
// value, lower-cased ("" or "identity": nothing to do). Errors: kTooLarge
// when the decoded bytes would exceed `max_decoded` (the same message libcurl
// transfers give), kProtocol for an unknown coding, corrupt data or a
// compressed stream that ends early. On error `body` is unspecified.
std::optional<FetchError> decode_content(std::string_view content_encoding, std::string& body,
                                         std::uint64_t max_decoded);

}  // namespace preheat::fetch::detail
