#include "crawl/extract/text_decoder.h"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <optional>

#include "base/utf8.h"

namespace preheat::crawl {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

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

// Runs `cd` over `in` into `out`; what it cannot convert becomes U+FFFD.
// `lead` says which first bytes start a two-byte sequence: an invalid pair
// whose second byte is not ASCII is one error, as in the standard. `lone`
// gives the standard's code point for a byte iconv rejects where a sequence
// starts (gb18030's 0x80 is U+20AC), U+FFFD when it has none.
void run_iconv(iconv_t cd, std::string_view in, std::string& out, bool (*lead)(unsigned char),
               char32_t (*lone)(unsigned char) = nullptr) {
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
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
    if (errno == E2BIG) {
      grow(dst, dst_left);
    } else if (errno == EILSEQ) {
      const auto first = static_cast<unsigned char>(src[0]);
      const char32_t cp = lone != nullptr ? lone(first) : kReplacement;
      replacement(cp);
      if (cp != kReplacement) {
        ++src;
        --src_left;
        continue;
      }
      const bool pair = lead != nullptr && src_left >= 2 && lead(static_cast<unsigned char>(src[0])) &&
                        static_cast<unsigned char>(src[1]) >= 0x80;
      const std::size_t skip = pair ? 2 : 1;
      src += skip;
      src_left -= skip;
    } else {  // EINVAL: a sequence cut by the end of the input
      replacement(kReplacement);
      break;
    }
  }
  while (iconv(cd, nullptr, nullptr, &dst, &dst_left) == static_cast<std::size_t>(-1) && errno == E2BIG) {
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
      run_iconv(cd, std::string_view(&in, 1), out, nullptr);
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

bool sjis_lead(unsigned char b) { return (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC); }
bool high_lead(unsigned char b) { return b >= 0x81 && b <= 0xFE; }
bool eucjp_lead(unsigned char b) { return b == 0x8E || b == 0x8F || (b >= 0xA1 && b <= 0xFE); }
// Bytes the standard never accepts in EUC-JP (C1 controls) or Big5 (0x80),
// which glibc passes through as C1 controls.
bool eucjp_never(unsigned char b) { return (b >= 0x80 && b <= 0x8D) || (b >= 0x90 && b <= 0xA0); }
bool big5_never(unsigned char b) { return b == 0x80; }
// Single bytes the standard maps where glibc sees an error.
char32_t sjis_lone(unsigned char b) { return b == 0x80 ? 0x80 : kReplacement; }
char32_t gb18030_lone(unsigned char b) { return b == 0x80 ? 0x20AC : kReplacement; }

// The multi-byte encodings decoded through glibc iconv.
struct MultiByte {
  std::string_view name;
  const char* iconv_name;
  bool (*lead)(unsigned char);
  char32_t (*lone)(unsigned char);
  bool (*never)(unsigned char);  // rewritten to 0xFF (an error to glibc too) before conversion
};
constexpr std::array<MultiByte, 7> kMultiByte = {{
    {"Shift_JIS", "CP932", sjis_lead, sjis_lone, nullptr},
    {"EUC-JP", "EUC-JP-MS", eucjp_lead, nullptr, eucjp_never},
    {"GBK", "GB18030", high_lead, gb18030_lone, nullptr},
    {"gb18030", "GB18030", high_lead, gb18030_lone, nullptr},
    {"Big5", "BIG5-HKSCS", high_lead, nullptr, big5_never},
    {"EUC-KR", "CP949", high_lead, nullptr, nullptr},
    {"ISO-2022-JP", "ISO-2022-JP", nullptr, nullptr, nullptr},
}};

// `bytes` with every byte `never` accepts replaced by 0xFF, or nullopt when
// there is none (the common case: no copy).
std::optional<std::string> without_never_valid(std::string_view bytes, bool (*never)(unsigned char)) {
  if (never == nullptr) return std::nullopt;
  std::optional<std::string> out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (!never(static_cast<unsigned char>(bytes[i]))) continue;
    if (!out) out.emplace(bytes);
    (*out)[i] = '\xFF';
  }
  return out;
}

// EUC-JP-MS gives the user-defined rows of JIS X 0208/0212 private-use code
// points; the standard's EUC-JP has no such entries: they are errors. Each
// U+E000-U+F8FF (3 UTF-8 bytes) becomes U+FFFD (3 bytes too), in place.
void private_use_to_replacement(std::string& s) {
  for (std::size_t i = 0; i + 2 < s.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b0 == 0xEE || (b0 == 0xEF && b1 >= 0x80 && b1 <= 0xA3)) s.replace(i, 3, kReplacementChar);
  }
}

}  // namespace

std::size_t first_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
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
    const std::optional<std::string> rewritten = without_never_valid(bytes, e.never);
    run_iconv(cd, rewritten ? std::string_view(*rewritten) : bytes, out, e.lead, e.lone);
    iconv_close(cd);
    if (e.name == "EUC-JP") private_use_to_replacement(out);
    return out;
  }
  const std::size_t bad = first_invalid_utf8(bytes);
  return bad == std::string_view::npos ? std::string(bytes) : to_valid_utf8(bytes, bad);
}

}  // namespace preheat::crawl
