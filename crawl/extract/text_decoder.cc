#include "crawl/extract/text_decoder.h"

#include <iconv.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

#include "base/utf8.h"

namespace preheat::crawl {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// The first code point of well-formed UTF-8 `s`, or U+FFFD.
char32_t first_code_point(std::string_view s) {
  if (s.empty() || utf8_length(s, 0) == 0) return kReplacement;
  const auto b = [&](std::size_t i) { return static_cast<char32_t>(static_cast<unsigned char>(s[i])); };
  switch (utf8_length(s, 0)) {
    case 1: return b(0);
    case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

// How the standard's decoder of a multi-byte encoding groups bytes into one
// error, for the places where iconv stops.
struct ErrorRules {
  bool (*lead)(unsigned char) = nullptr;      // first bytes of two-byte sequences
  char32_t (*lone)(unsigned char) = nullptr;  // single bytes the standard maps and glibc rejects
  bool four_byte = false;                     // gb18030's four-byte form
};

bool in_range(unsigned char b, unsigned char low, unsigned char high) { return b >= low && b <= high; }

// gb18030's four-byte form, or as much of it as `n` bytes can show.
bool four_byte_form(const ErrorRules& r, const unsigned char* s, std::size_t n) {
  if (!r.four_byte || n == 0 || !r.lead(s[0])) return false;
  if (n >= 2 && !in_range(s[1], 0x30, 0x39)) return false;
  if (n >= 3 && !in_range(s[2], 0x81, 0xFE)) return false;
  return n < 4 || in_range(s[3], 0x30, 0x39);
}

// How many of the `n` bytes at `s` the standard consumes as one error: a
// well-formed four-byte gb18030 sequence that maps to nothing is one error;
// an invalid pair whose second byte is not ASCII is one error; otherwise
// the first byte alone.
std::size_t error_length(const ErrorRules& r, const unsigned char* s, std::size_t n) {
  if (n >= 4 && four_byte_form(r, s, 4)) return 4;
  if (r.lead != nullptr && n >= 2 && r.lead(s[0]) && s[1] >= 0x80) return 2;
  return 1;
}

// Runs `cd` over `in` into `out`; what it cannot convert becomes U+FFFD.
// The output is capped at four bytes per input byte (the most any of these
// encodings needs is three): a converter that misbehaves cannot blow up
// memory.
void run_iconv(iconv_t cd, std::string_view in, std::string& out, const ErrorRules& rules = {}) {
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
  const std::size_t limit = out.size() + in.size() * 4 + 64;
  std::size_t used = out.size();
  out.resize(used + in.size() * 2 + 16);
  const auto grow = [&](char*& dst, std::size_t& dst_left) {
    used = static_cast<std::size_t>(dst - out.data());
    out.resize(out.size() * 2 + 16);
    dst = out.data() + used;
    dst_left = out.size() - used;
  };
  char* dst = out.data() + used;
  std::size_t dst_left = out.size() - used;
  const auto replacement = [&](char32_t cp) {
    if (dst_left < 4) grow(dst, dst_left);
    std::string utf8;
    append_utf8(utf8, cp);
    std::copy(utf8.begin(), utf8.end(), dst);
    dst += utf8.size();
    dst_left -= utf8.size();
  };
  while (src_left > 0) {
    if (iconv(cd, &src, &src_left, &dst, &dst_left) != static_cast<std::size_t>(-1)) break;
    if (static_cast<std::size_t>(dst - out.data()) > limit) {
      replacement(kReplacement);
      break;
    }
    const auto* at = reinterpret_cast<const unsigned char*>(src);
    if (errno == E2BIG) {
      grow(dst, dst_left);
      continue;
    }
    if (errno == EINVAL && (src_left == 1 || four_byte_form(rules, at, std::min<std::size_t>(src_left, 3)))) {
      replacement(kReplacement);  // a sequence cut by the end of the input: one error
      break;
    }
    // EILSEQ, or EINVAL for bytes that cannot finish a sequence.
    const char32_t cp = rules.lone != nullptr ? rules.lone(at[0]) : kReplacement;
    replacement(cp);
    const std::size_t skip = cp != kReplacement ? 1 : error_length(rules, at, src_left);
    src += skip;
    src_left -= skip;
  }
  while (iconv(cd, nullptr, nullptr, &dst, &dst_left) == static_cast<std::size_t>(-1) && errno == E2BIG &&
         static_cast<std::size_t>(dst - out.data()) <= limit) {
    grow(dst, dst_left);
  }
  out.resize(static_cast<std::size_t>(dst - out.data()));
}

// One single-byte encoding: its Encoding-standard name, the glibc name its
// table is built from, and the standard's entries glibc has otherwise.
struct SingleByte {
  std::string_view name;
  const char* iconv_name;
  bool windows_c1;  // undefined 0x80-0x9F bytes are C1 controls
  std::array<std::pair<unsigned char, char32_t>, 2> patches;
};
constexpr std::array<SingleByte, 28> kSingleByte = {{
    {"windows-1252", "CP1252", true, {}},
    {"IBM866", "IBM866", false, {}},
    {"ISO-8859-2", "ISO-8859-2", false, {}},
    {"ISO-8859-3", "ISO-8859-3", false, {}},
    {"ISO-8859-4", "ISO-8859-4", false, {}},
    {"ISO-8859-5", "ISO-8859-5", false, {}},
    {"ISO-8859-6", "ISO-8859-6", false, {}},
    {"ISO-8859-7", "ISO-8859-7", false, {}},
    {"ISO-8859-8", "ISO-8859-8", false, {}},
    {"ISO-8859-8-I", "ISO-8859-8", false, {}},
    {"ISO-8859-10", "ISO-8859-10", false, {}},
    {"ISO-8859-13", "ISO-8859-13", false, {}},
    {"ISO-8859-14", "ISO-8859-14", false, {}},
    {"ISO-8859-15", "ISO-8859-15", false, {}},
    {"ISO-8859-16", "ISO-8859-16", false, {}},
    {"KOI8-R", "KOI8-R", false, {}},
    {"KOI8-U", "KOI8-U", false, {{{0xAE, 0x045E}, {0xBE, 0x040E}}}},
    {"macintosh", "MACINTOSH", false, {{{0xC6, 0x2206}, {0xF0, 0xF8FF}}}},
    {"windows-874", "CP874", true, {}},
    {"windows-1250", "CP1250", true, {}},
    {"windows-1251", "CP1251", true, {}},
    {"windows-1253", "CP1253", true, {}},
    {"windows-1254", "CP1254", true, {}},
    {"windows-1255", "CP1255", true, {{{0xCA, 0x05BA}, {0, 0}}}},
    {"windows-1256", "CP1256", true, {}},
    {"windows-1257", "CP1257", true, {}},
    {"windows-1258", "CP1258", true, {}},
    {"x-mac-cyrillic", "MAC-CYRILLIC", false, {{{0xFF, 0x20AC}, {0, 0}}}},
}};

// Bytes 0x80-0xFF of one single-byte encoding, as UTF-8 (1 to 3 bytes each).
struct HighHalf {
  std::array<std::array<char, 4>, 128> utf8{};  // [0] is the length
};

HighHalf build_high_half(const SingleByte& e) {
  HighHalf t;
  iconv_t cd = iconv_open("UTF-8", e.iconv_name);
  for (unsigned b = 0x80; b <= 0xFF; ++b) {
    char32_t cp = kReplacement;
    if (cd != reinterpret_cast<iconv_t>(-1)) {
      iconv(cd, nullptr, nullptr, nullptr, nullptr);  // initial state
      std::string out;
      const char in = static_cast<char>(b);
      run_iconv(cd, std::string_view(&in, 1), out);
      cp = first_code_point(out);
    }
    if (cp == kReplacement && e.windows_c1 && b <= 0x9F) cp = b;
    for (const auto& [byte, patched] : e.patches) {
      if (byte == b) cp = patched;
    }
    std::string utf8;
    append_utf8(utf8, cp);
    auto& slot = t.utf8[b - 0x80];
    slot[0] = static_cast<char>(utf8.size());
    std::copy(utf8.begin(), utf8.end(), slot.begin() + 1);
  }
  if (cd != reinterpret_cast<iconv_t>(-1)) iconv_close(cd);
  return t;
}

const HighHalf* single_byte_table(std::string_view encoding) {
  static const std::array<HighHalf, kSingleByte.size()> tables = [] {
    std::array<HighHalf, kSingleByte.size()> t;
    for (std::size_t i = 0; i < kSingleByte.size(); ++i) t[i] = build_high_half(kSingleByte[i]);
    return t;
  }();
  for (std::size_t i = 0; i < kSingleByte.size(); ++i) {
    if (kSingleByte[i].name == encoding) return &tables[i];
  }
  return nullptr;
}

std::string decode_single_byte(std::string_view bytes, const HighHalf& table) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out += c;
    } else {
      const auto& slot = table.utf8[b - 0x80];
      out.append(slot.data() + 1, static_cast<std::size_t>(slot[0]));
    }
  }
  return out;
}

std::string decode_utf16(std::string_view bytes, bool little_endian) {
  std::string out;
  out.reserve(bytes.size() * 3 / 2);
  std::optional<char32_t> lead;
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) {
    const auto b0 = static_cast<unsigned char>(bytes[i]);
    const auto b1 = static_cast<unsigned char>(bytes[i + 1]);
    const char32_t unit = little_endian ? (b1 << 8 | b0) : (b0 << 8 | b1);
    if (lead) {
      if (unit >= 0xDC00 && unit <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((*lead - 0xD800) << 10) + (unit - 0xDC00));
        lead.reset();
        continue;
      }
      append_utf8(out, kReplacement);  // a lead surrogate without its trail
      lead.reset();
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      lead = unit;
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      append_utf8(out, kReplacement);
    } else {
      append_utf8(out, unit);
    }
  }
  if (lead || i < bytes.size()) append_utf8(out, kReplacement);  // one error at the end
  return out;
}

std::string decode_x_user_defined(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out += c;
    } else {
      append_utf8(out, 0xF780 + b - 0x80);
    }
  }
  return out;
}

bool sjis_lead(unsigned char b) { return in_range(b, 0x81, 0x9F) || in_range(b, 0xE0, 0xFC); }
bool high_lead(unsigned char b) { return in_range(b, 0x81, 0xFE); }
bool eucjp_lead(unsigned char b) { return b == 0x8E || b == 0x8F || in_range(b, 0xA1, 0xFE); }
// Single bytes the standard maps where glibc sees an error.
char32_t sjis_lone(unsigned char b) { return b == 0x80 ? 0x80 : kReplacement; }
char32_t gb18030_lone(unsigned char b) { return b == 0x80 ? 0x20AC : kReplacement; }

// `bytes` with the bytes glibc would mis-convert replaced by 0xFF (an error
// to glibc and to the standard alike), or nullopt when there are none (the
// common case: no copy).
template <class Pred>
std::optional<std::string> rewrite_bytes(std::string_view bytes, Pred bad) {
  std::optional<std::string> out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (!bad(bytes, i)) continue;
    if (!out) out.emplace(bytes);
    (*out)[i] = '\xFF';
  }
  return out;
}

// EUC-JP and Big5: glibc passes C1 bytes the standard never accepts (EUC-JP
// 0x80-0x8D and 0x90-0xA0, Big5 0x80) through as C1 controls.
std::optional<std::string> euc_jp_input(std::string_view bytes) {
  return rewrite_bytes(bytes, [](std::string_view s, std::size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    return in_range(b, 0x80, 0x8D) || in_range(b, 0x90, 0xA0);
  });
}
std::optional<std::string> big5_input(std::string_view bytes) {
  return rewrite_bytes(bytes, [](std::string_view s, std::size_t i) { return s[i] == '\x80'; });
}

// EUC-KR: glibc's CP949 turns the unmapped pair A2 E8 into kilobytes of
// garbage; its second byte becomes 0xFF (one error, as the standard says).
// Pairs are found the way the standard's decoder walks the bytes.
std::optional<std::string> euc_kr_input(std::string_view bytes) {
  std::optional<std::string> out;
  for (std::size_t i = 0; i < bytes.size();) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (!high_lead(b) || i + 1 >= bytes.size()) {
      ++i;
      continue;
    }
    const auto t = static_cast<unsigned char>(bytes[i + 1]);
    if (b == 0xA2 && t == 0xE8) {
      if (!out) out.emplace(bytes);
      (*out)[i + 1] = '\xFF';
    }
    i += t < 0x80 && !in_range(t, 0x41, 0x5A) && !in_range(t, 0x61, 0x7A) ? 1 : 2;
  }
  return out;
}

// Rows 89-92 of JIS X 0208 (NEC-selected IBM kanji) as the standard's index
// has them, taken from CP932 where the same pointers are Shift_JIS bytes.
const std::array<char32_t, 4 * 94>& jis0208_ibm_rows() {
  static const std::array<char32_t, 4 * 94> table = [] {
    std::array<char32_t, 4 * 94> t{};
    iconv_t cd = iconv_open("UTF-8", "CP932");
    for (unsigned i = 0; i < t.size(); ++i) {
      const unsigned pointer = (89 - 1) * 94 + i;
      const unsigned lead = pointer / 188, trail = pointer % 188;
      const char sjis[2] = {static_cast<char>(lead + (lead < 0x1F ? 0x81 : 0xC1)),
                            static_cast<char>(trail + (trail < 0x3F ? 0x40 : 0x41))};
      std::string out;
      if (cd != reinterpret_cast<iconv_t>(-1)) {
        iconv(cd, nullptr, nullptr, nullptr, nullptr);
        run_iconv(cd, std::string_view(sjis, 2), out);
      }
      t[i] = first_code_point(out);
    }
    if (cd != reinterpret_cast<iconv_t>(-1)) iconv_close(cd);
    return t;
  }();
  return table;
}

// EUC-JP-MS gives the user-defined rows of JIS X 0208 and 0212 private-use
// code points (U+E000 + 94 x (row - 85) + cell - 1). The standard's index has
// the IBM kanji in rows 89-92 and nothing in the others: those become the
// kanji, the rest U+FFFD. Every such code point and its replacement take 3
// UTF-8 bytes, so this works in place.
void euc_jp_output(std::string& s) {
  for (std::size_t i = 0; i + 2 < s.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b0 != 0xEE && !(b0 == 0xEF && b1 <= 0xA3)) continue;
    const char32_t cp = first_code_point(std::string_view(s).substr(i, 3));
    char32_t fixed = kReplacement;
    if (cp >= 0xE178 && cp < 0xE178 + 4 * 94) fixed = jis0208_ibm_rows()[cp - 0xE178];
    std::string utf8;
    append_utf8(utf8, fixed);
    if (utf8.size() != 3) utf8 = kReplacementChar;
    s.replace(i, 3, utf8);
    i += 2;
  }
}

// GBK and gb18030: A3 A0 is U+3000 in the standard (GB18030-2022), private
// use U+E5E5 in glibc. Both take 3 UTF-8 bytes.
void gb18030_output(std::string& s) {
  for (std::size_t pos = s.find("\xEE\x97\xA5"); pos != std::string::npos; pos = s.find("\xEE\x97\xA5", pos + 3)) {
    s.replace(pos, 3, "\xE3\x80\x80");
  }
}

// Big5: eleven symbols of row A1/A2 where glibc's BIG5-HKSCS follows the
// old Big5 tables and the standard follows the ones browsers use (A145 is
// U+2027, not U+2022; A244 is U+FFE5, not U+00A5). glibc gives each of these
// code points for that pair only, so they are mapped on the output.
void big5_output(std::string& s) {
  static constexpr std::array<std::pair<char32_t, char32_t>, 11> kRemap = {{
      {0x2022, 0x2027}, {0xFF64, 0xFE51}, {0x203E, 0x00AF}, {0x223C, 0xFF5E}, {0x2641, 0x2295}, {0x2609, 0x2299},
      {0xFF0F, 0x2215}, {0xFF3C, 0xFE68}, {0x00A5, 0xFFE5}, {0x00A2, 0xFFE0}, {0x00A3, 0xFFE1},
  }};
  const auto remapped = [](char32_t cp) {
    for (const auto& [from, to] : kRemap) {
      if (cp == from) return to;
    }
    return cp;
  };
  // Read-only first: most pages have none of them.
  std::size_t first = std::string::npos;
  for (std::size_t i = 0; i < s.size(); i += std::max<std::size_t>(1, utf8_length(s, i))) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b == 0xC2 || b == 0xE2 || b == 0xEF) && remapped(first_code_point(std::string_view(s).substr(i, 3))) !=
                                                     first_code_point(std::string_view(s).substr(i, 3))) {
      first = i;
      break;
    }
  }
  if (first == std::string::npos) return;
  std::string out = s.substr(0, first);
  for (std::size_t i = first; i < s.size();) {
    const std::size_t n = std::max<std::size_t>(1, utf8_length(s, i));
    append_utf8(out, remapped(first_code_point(std::string_view(s).substr(i, n))));
    i += n;
  }
  s = std::move(out);
}

// ISO-2022-JP: glibc passes SO, SI and a stray ESC through as control
// characters; the standard makes each an error.
void iso_2022_jp_output(std::string& s) {
  if (s.find_first_of("\x0E\x0F\x1B") == std::string::npos) return;
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    if (c == '\x0E' || c == '\x0F' || c == '\x1B') {
      out += kReplacementChar;
    } else {
      out += c;
    }
  }
  s = std::move(out);
}

// The multi-byte encodings decoded through glibc iconv, with the fixes
// before (input) and after (output) that bring glibc to the standard.
struct MultiByte {
  std::string_view name;
  const char* iconv_name;
  ErrorRules rules;
  std::optional<std::string> (*input)(std::string_view);
  void (*output)(std::string&);
};
constexpr std::array<MultiByte, 7> kMultiByte = {{
    {"Shift_JIS", "CP932", {sjis_lead, sjis_lone, false}, nullptr, nullptr},
    {"EUC-JP", "EUC-JP-MS", {eucjp_lead, nullptr, false}, euc_jp_input, euc_jp_output},
    {"GBK", "GB18030", {high_lead, gb18030_lone, true}, nullptr, gb18030_output},
    {"gb18030", "GB18030", {high_lead, gb18030_lone, true}, nullptr, gb18030_output},
    {"Big5", "BIG5-HKSCS", {high_lead, nullptr, false}, big5_input, big5_output},
    {"EUC-KR", "CP949", {high_lead, nullptr, false}, euc_kr_input, nullptr},
    {"ISO-2022-JP", "ISO-2022-JP", {}, nullptr, iso_2022_jp_output},
}};

}  // namespace

std::size_t first_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    // Many ASCII bytes without a NUL at a time: most of a page is ASCII.
#ifdef __SSE2__
    while (i + 16 <= s.size()) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
      if ((_mm_movemask_epi8(v) | _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()))) != 0) break;
      i += 16;
    }
#endif
    // (Eight at a time: no high bit set and no zero byte in the word.)
    while (i + 8 <= s.size()) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
      if (((w | ((w - kOnes) & ~w)) & kHighs) != 0) break;
      i += 8;
    }
    if (i >= s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    // The common well-formed two- and three-byte sequences inline (the
    // general check is a call).
    const auto cont = [&](std::size_t k, unsigned char lo, unsigned char hi) {
      if (k >= s.size()) return false;
      const auto b = static_cast<unsigned char>(s[k]);
      return b >= lo && b <= hi;
    };
    if (c >= 0xC2 && c <= 0xDF && cont(i + 1, 0x80, 0xBF)) {
      i += 2;
      continue;
    }
    if (c >= 0xE1 && c <= 0xEC && cont(i + 1, 0x80, 0xBF) && cont(i + 2, 0x80, 0xBF)) {
      i += 3;
      continue;
    }
    if (c != 0 && c < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = c == 0 ? 0 : utf8_length(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

// The Encoding standard's UTF-8 decoder: a lead byte and the continuation
// bytes that may follow it form one maximal subpart; when the sequence
// breaks, that subpart is one U+FFFD and the breaking byte starts afresh.
std::string to_valid_utf8(std::string_view s, std::size_t from, bool replace_nul) {
  std::string out(s.substr(0, from));
  out.reserve(s.size() + 16);
  std::size_t i = from;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == 0 && replace_nul) {
        out += kReplacementChar;
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    std::size_t need = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      out += kReplacementChar;
      ++i;
      continue;
    }
    std::size_t j = i + 1, got = 0;
    for (; got < need && j < s.size(); ++got, ++j) {
      const auto d = static_cast<unsigned char>(s[j]);
      if (d < low || d > high) break;
      low = 0x80;
      high = 0xBF;
    }
    if (got == need) {
      out.append(s.data() + i, need + 1);
    } else {
      out += kReplacementChar;
    }
    i = j;
  }
  return out;
}

std::string decode_to_utf8(std::string_view bytes, std::string_view encoding) {
  if (encoding == "UTF-16LE" || encoding == "UTF-16BE") return decode_utf16(bytes, encoding == "UTF-16LE");
  if (encoding == "x-user-defined") return decode_x_user_defined(bytes);
  if (encoding == "replacement") return bytes.empty() ? std::string() : std::string(kReplacementChar);
  if (const HighHalf* table = single_byte_table(encoding)) return decode_single_byte(bytes, *table);
  for (const MultiByte& e : kMultiByte) {
    if (e.name != encoding) continue;
    iconv_t cd = iconv_open("UTF-8", e.iconv_name);
    if (cd == reinterpret_cast<iconv_t>(-1)) break;
    std::string out;
    const std::optional<std::string> rewritten = e.input != nullptr ? e.input(bytes) : std::nullopt;
    run_iconv(cd, rewritten ? std::string_view(*rewritten) : bytes, out, e.rules);
    iconv_close(cd);
    if (e.output != nullptr) e.output(out);
    return out;
  }
  const std::size_t bad = first_invalid_utf8(bytes);
  return bad == std::string_view::npos ? std::string(bytes) : to_valid_utf8(bytes, bad);
}

}  // namespace preheat::crawl
