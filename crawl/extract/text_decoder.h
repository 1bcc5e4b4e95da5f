// Bytes in one of the Encoding standard's encodings to UTF-8, the way a
// browser decodes them: every malformed or unmappable sequence becomes
// U+FFFD, nothing is dropped, nothing throws, whatever the bytes.
//
// How each encoding is decoded (and why):
//   UTF-8            here, by the standard's UTF-8 decoder (one U+FFFD per
//                    maximal invalid subpart, like every browser);
//   UTF-16LE/BE      here (a lone surrogate or an odd last byte is U+FFFD);
//   single-byte      (windows-125x, windows-874, ISO-8859-x, KOI8-R/U,
//                    IBM866, macintosh, x-mac-cyrillic) through a 128-entry
//                    table per encoding, built once from glibc iconv and
//                    patched where the standard's index differs: a byte
//                    0x80-0x9F that Windows code pages leave undefined is
//                    the C1 control of the same value (windows-1252 0x81 is
//                    U+0081; glibc says EILSEQ), KOI8-U 0xAE/0xBE are
//                    U+045E/U+040E (KOI8-RU letters, glibc has box drawing),
//                    macintosh 0xC6 is U+2206 and 0xF0 U+F8FF, x-mac-cyrillic
//                    0xFF is U+20AC. A table also keeps glibc's CP1255/CP1258
//                    from composing combining marks, which browsers do not;
//   x-user-defined   here (0x80-0xFF are U+F780-U+F7FF);
//   replacement      one U+FFFD for a non-empty input (the standard's answer
//                    to ISO-2022-KR, HZ and friends: never guess);
//   multi-byte       through glibc iconv, under the names below; an invalid
//                    or unmappable sequence is one U+FFFD and decoding goes
//                    on after its first byte (after both bytes when the
//                    second is not ASCII, as the standard's decoders do):
//                      Shift_JIS -> CP932 (the standard's Shift_JIS is
//                                   Windows-31J: NEC and IBM extensions,
//                                   0x5C is '\', not the yen sign)
//                      EUC-JP    -> EUC-JP-MS (the same JIS X 0208 mapping
//                                   as CP932, plus JIS X 0212)
//                      GBK       -> GB18030 (the standard decodes GBK with
//                      gb18030   -> GB18030  the gb18030 decoder)
//                      Big5      -> BIG5-HKSCS (the standard's Big5 index
//                                   is HKSCS's)
//                      EUC-KR    -> CP949 (the standard's EUC-KR is UHC)
//                      ISO-2022-JP -> ISO-2022-JP
// The remaining differences from the standard's decoders are listed, with
// the bytes that show them, in tests/extract/encoding_diff_test.cc.
//
// Thread safety: pure; the tables are built once, thread-safely, on first
// use; each iconv call opens its own descriptor.
#pragma once

#include <string>
#include <string_view>

namespace preheat::crawl {

// `bytes` (without any BOM) decoded from `encoding`, an Encoding standard
// name as encoding_for_label() returns it, to UTF-8. NUL bytes stay NULs.
// An unknown name decodes as UTF-8.
std::string decode_to_utf8(std::string_view bytes, std::string_view encoding);

// Index of the first byte of `bytes` that is NUL or not part of a
// well-formed UTF-8 sequence, or npos: the fast path's test.
std::size_t first_invalid_utf8(std::string_view bytes);

// `bytes` with each maximal invalid UTF-8 subpart replaced with U+FFFD and,
// when `replace_nul`, each NUL too; `from` is a position before which
// `bytes` is known to be valid.
std::string to_valid_utf8(std::string_view bytes, std::size_t from = 0, bool replace_nul = false);

}  // namespace preheat::crawl
