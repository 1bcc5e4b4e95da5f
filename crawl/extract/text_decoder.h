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
//                    0xFF is U+20AC, windows-1255 0xCA is U+05BA. A table also keeps glibc's CP1255/CP1258
//                    from composing combining marks, which browsers do not;
//   x-user-defined   here (0x80-0xFF are U+F780-U+F7FF);
//   replacement      one U+FFFD for a non-empty input (the standard's answer
//                    to ISO-2022-KR, HZ and friends: never guess);
//   multi-byte       through glibc iconv, under the names below; an invalid
//                    or unmappable sequence is one U+FFFD and decoding goes
//                    on after it, grouped as the standard's decoders group
//                    errors (an invalid pair whose second byte is not ASCII
//                    is one error; so is a well-formed gb18030 four-byte
//                    sequence that maps to nothing; a sequence cut by the
//                    end is one):
//                      Shift_JIS -> CP932 (the standard's Shift_JIS is
//                                   Windows-31J: NEC and IBM extensions,
//                                   0x5C is '\', not the yen sign; 0x80 is
//                                   U+0080)
//                      EUC-JP    -> EUC-JP-MS (the same JIS X 0208 mapping
//                                   as CP932, plus JIS X 0212); its private-
//                                   use answers become the IBM kanji of rows
//                                   89-92 (from CP932) or U+FFFD, and C1
//                                   bytes are errors, as in the standard
//                      GBK       -> GB18030 (the standard decodes GBK with
//                      gb18030   -> GB18030  the gb18030 decoder); 0x80 is
//                                   U+20AC and A3A0 U+3000
//                      Big5      -> BIG5-HKSCS (the standard's Big5 index is
//                                   HKSCS's); eleven symbols of rows A1-A2
//                                   remapped to the standard's (A145 is
//                                   U+2027), 0x80 is an error
//                      EUC-KR    -> CP949 (the standard's EUC-KR is UHC);
//                                   the pair A2E8, which glibc turns into
//                                   kilobytes of NULs, is kept from it
//                      ISO-2022-JP -> ISO-2022-JP; SO, SI and a stray ESC
//                                   are errors
//                    Whatever a converter does, the output is capped at
//                    four bytes per input byte.
// What still differs from the standard (tests/extract/encoding_diff_test.cc
// compares every two-byte pair): 131 Big5 pairs glibc lacks (HKSCS-2004/2008
// additions) are U+FFFD, and six gb18030 pairs (FE51...) stay the real CJK
// Extension B characters glibc gives, where the standard keeps private-use
// code points.
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
