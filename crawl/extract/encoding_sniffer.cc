#include "crawl/extract/encoding_sniffer.h"

#include <array>
#include <string>

#include "base/utf8.h"

namespace preheat::crawl {
namespace {

// The Encoding standard's table of names and labels (section 4.2), one row
// per encoding: its name, then its labels separated by spaces.
struct EncodingLabels {
  std::string_view name;
  std::string_view labels;
};
constexpr std::array<EncodingLabels, 40> kEncodings = {{
    {"UTF-8", "utf-8 utf8 unicode-1-1-utf-8 unicode11utf8 unicode20utf8 x-unicode20utf8"},
    {"windows-1252",
     "windows-1252 iso-8859-1 latin1 ascii us-ascii ansi_x3.4-1968 cp1252 cp819 csisolatin1 ibm819 iso-ir-100 "
     "iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 x-cp1252"},
    {"IBM866", "ibm866 866 cp866 csibm866"},
    {"ISO-8859-2", "iso-8859-2 csisolatin2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2"},
    {"ISO-8859-3", "iso-8859-3 csisolatin3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3"},
    {"ISO-8859-4", "iso-8859-4 csisolatin4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4"},
    {"ISO-8859-5", "iso-8859-5 csisolatincyrillic cyrillic iso-ir-144 iso8859-5 iso88595 iso_8859-5 iso_8859-5:1988"},
    {"ISO-8859-6",
     "iso-8859-6 arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6-e iso-8859-6-i "
     "iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987"},
    {"ISO-8859-7",
     "iso-8859-7 csisolatingreek ecma-118 elot_928 greek greek8 iso-ir-126 iso8859-7 iso88597 iso_8859-7 "
     "iso_8859-7:1987 sun_eu_greek"},
    {"ISO-8859-8",
     "iso-8859-8 csiso88598e csisolatinhebrew hebrew iso-8859-8-e iso-ir-138 iso8859-8 iso88598 iso_8859-8 "
     "iso_8859-8:1988 visual"},
    {"ISO-8859-8-I", "iso-8859-8-i csiso88598i logical"},
    {"ISO-8859-10", "iso-8859-10 csisolatin6 iso-ir-157 iso8859-10 iso885910 l6 latin6"},
    {"ISO-8859-13", "iso-8859-13 iso8859-13 iso885913"},
    {"ISO-8859-14", "iso-8859-14 iso8859-14 iso885914"},
    {"ISO-8859-15", "iso-8859-15 csisolatin9 iso8859-15 iso885915 iso_8859-15 l9"},
    {"ISO-8859-16", "iso-8859-16"},
    {"KOI8-R", "koi8-r cskoi8r koi koi8 koi8_r"},
    {"KOI8-U", "koi8-u koi8-ru"},
    {"macintosh", "macintosh csmacintosh mac x-mac-roman"},
    {"windows-874", "windows-874 dos-874 iso-8859-11 iso8859-11 iso885911 tis-620"},
    {"windows-1250", "windows-1250 cp1250 x-cp1250"},
    {"windows-1251", "windows-1251 cp1251 x-cp1251"},
    {"windows-1253", "windows-1253 cp1253 x-cp1253"},
    {"windows-1254",
     "windows-1254 cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989 l5 latin5 "
     "x-cp1254"},
    {"windows-1255", "windows-1255 cp1255 x-cp1255"},
    {"windows-1256", "windows-1256 cp1256 x-cp1256"},
    {"windows-1257", "windows-1257 cp1257 x-cp1257"},
    {"windows-1258", "windows-1258 cp1258 x-cp1258"},
    {"x-mac-cyrillic", "x-mac-cyrillic x-mac-ukrainian"},
    {"GBK", "gbk chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 iso-ir-58 x-gbk"},
    {"gb18030", "gb18030"},
    {"Big5", "big5 big5-hkscs cn-big5 csbig5 x-x-big5"},
    {"EUC-JP", "euc-jp cseucpkdfmtjapanese x-euc-jp"},
    {"ISO-2022-JP", "iso-2022-jp csiso2022jp"},
    {"Shift_JIS", "shift_jis csshiftjis ms932 ms_kanji shift-jis sjis windows-31j x-sjis"},
    {"EUC-KR",
     "euc-kr cseuckr csksc56011987 iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601 windows-949"},
    {"replacement", "replacement csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr"},
    {"UTF-16BE", "utf-16be unicodefffe"},
    {"UTF-16LE", "utf-16le utf-16 csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff"},
    {"x-user-defined", "x-user-defined"},
}};

constexpr std::size_t kPrescanBytes = 1024;

bool is_space(unsigned char c) { return c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x20; }
bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
bool is_alpha(unsigned char c) { return is_upper(c) || (c >= 'a' && c <= 'z'); }
char lower(unsigned char c) { return static_cast<char>(is_upper(c) ? c + 0x20 : c); }

bool starts_with_nocase(std::string_view s, std::size_t at, std::string_view lower_word) {
  if (s.size() - at < lower_word.size()) return false;
  for (std::size_t i = 0; i < lower_word.size(); ++i) {
    if (lower(static_cast<unsigned char>(s[at + i])) != lower_word[i]) return false;
  }
  return true;
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && is_space(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && is_space(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A UTF-16 name becomes UTF-8 and x-user-defined windows-1252: the prescan
// read the declaration as ASCII, so the bytes are neither.
std::string_view meta_override(std::string_view name) {
  if (name == "UTF-16LE" || name == "UTF-16BE") return "UTF-8";
  if (name == "x-user-defined") return "windows-1252";
  return name;
}

// "algorithm for extracting a character encoding from a meta element", over
// a content value (already lower-cased by the prescan).
std::optional<std::string_view> encoding_from_content(std::string_view s) {
  std::size_t pos = 0;
  for (;;) {
    const std::size_t found = s.find("charset", pos);
    if (found == std::string_view::npos) return std::nullopt;
    pos = found + 7;
    while (pos < s.size() && is_space(static_cast<unsigned char>(s[pos]))) ++pos;
    if (pos < s.size() && s[pos] == '=') break;
    // Not "charset=": look again from just before the next character.
  }
  ++pos;
  while (pos < s.size() && is_space(static_cast<unsigned char>(s[pos]))) ++pos;
  if (pos >= s.size()) return std::nullopt;
  if (s[pos] == '"' || s[pos] == '\'') {
    const std::size_t close = s.find(s[pos], pos + 1);
    if (close == std::string_view::npos) return std::nullopt;  // an unmatched quote
    return encoding_for_label(s.substr(pos + 1, close - pos - 1));
  }
  std::size_t end = pos;
  while (end < s.size() && !is_space(static_cast<unsigned char>(s[end])) && s[end] != ';') ++end;
  return encoding_for_label(s.substr(pos, end - pos));
}

// The prescan's cursor over at most kPrescanBytes bytes. Running out of
// bytes anywhere, even inside a <meta> that already named a charset, ends
// the scan without an answer (the standard's "runs out of bytes").
class Prescan {
 public:
  explicit Prescan(std::string_view bytes) : b_(bytes.substr(0, kPrescanBytes)) {}

  std::optional<std::string_view> run() {
    while (pos_ < b_.size()) {
      if (b_[pos_] == '<') {
        if (auto found = at_tag_open()) return found;
        if (exhausted_) return std::nullopt;
      }
      ++pos_;  // "next byte"
    }
    return std::nullopt;
  }

 private:
  struct Attribute {
    std::string name;
    std::string value;
  };

  unsigned char at(std::size_t i) const { return i < b_.size() ? static_cast<unsigned char>(b_[i]) : 0; }

  // pos_ is at '<'. Leaves pos_ on the last byte consumed.
  std::optional<std::string_view> at_tag_open() {
    if (b_.compare(pos_, 4, "<!--") == 0) {
      // The first '>' preceded by "--", which may be those of "<!--".
      std::size_t end = b_.find("-->", pos_ + 2);
      pos_ = end == std::string_view::npos ? b_.size() : end + 2;
      return std::nullopt;
    }
    if (starts_with_nocase(b_, pos_ + 1, "meta") && (is_space(at(pos_ + 5)) || at(pos_ + 5) == '/')) {
      pos_ += 6;
      return meta();
    }
    const std::size_t letter = at(pos_ + 1) == '/' ? pos_ + 2 : pos_ + 1;
    if (is_alpha(at(letter))) {
      while (pos_ < b_.size() && !is_space(at(pos_)) && at(pos_) != '>') ++pos_;
      while (attribute()) {
      }
      return std::nullopt;
    }
    if (at(pos_ + 1) == '!' || at(pos_ + 1) == '/' || at(pos_ + 1) == '?') {
      const std::size_t end = b_.find('>', pos_ + 1);
      pos_ = end == std::string_view::npos ? b_.size() : end;
    }
    return std::nullopt;
  }

  // After "<meta" and its space or slash.
  std::optional<std::string_view> meta() {
    std::string seen[3];  // attribute names already processed (only three matter)
    bool got_pragma = false;
    std::optional<bool> need_pragma;
    std::optional<std::string_view> charset;
    bool charset_failed = false;
    while (std::optional<Attribute> a = attribute()) {
      if (a->name != "http-equiv" && a->name != "content" && a->name != "charset") continue;
      std::string& slot = seen[a->name == "http-equiv" ? 0 : a->name == "content" ? 1 : 2];
      if (!slot.empty()) continue;  // a repeated attribute is ignored
      slot = a->name;
      if (a->name == "http-equiv") {
        got_pragma = a->value == "content-type";
      } else if (a->name == "content") {
        if (!charset && !charset_failed) {
          if (auto e = encoding_from_content(a->value)) {
            charset = e;
            need_pragma = true;
          }
        }
      } else {
        charset = encoding_for_label(a->value);
        charset_failed = !charset;
        need_pragma = false;
      }
    }
    if (exhausted_ || !need_pragma || (*need_pragma && !got_pragma) || !charset) return std::nullopt;
    return meta_override(*charset);
  }

  // "get an attribute": nullopt when there is none (at '>' or out of bytes).
  std::optional<Attribute> attribute() {
    while (pos_ < b_.size() && (is_space(at(pos_)) || at(pos_) == '/')) ++pos_;
    if (pos_ >= b_.size()) return out_of_bytes();
    if (at(pos_) == '>') return std::nullopt;
    Attribute a;
    // The name.
    for (;; ++pos_) {
      if (pos_ >= b_.size()) return out_of_bytes();
      const unsigned char c = at(pos_);
      if (c == '=' && !a.name.empty()) {
        ++pos_;
        return value(std::move(a));
      }
      if (is_space(c)) break;
      if (c == '/' || c == '>') return a;
      a.name += lower(c);
    }
    // Spaces, then maybe "=".
    while (pos_ < b_.size() && is_space(at(pos_))) ++pos_;
    if (pos_ >= b_.size()) return out_of_bytes();
    if (at(pos_) != '=') return a;
    ++pos_;
    return value(std::move(a));
  }

  // The value after '='.
  std::optional<Attribute> value(Attribute a) {
    while (pos_ < b_.size() && is_space(at(pos_))) ++pos_;
    if (pos_ >= b_.size()) return out_of_bytes();
    const unsigned char first = at(pos_);
    if (first == '"' || first == '\'') {
      for (++pos_; pos_ < b_.size(); ++pos_) {
        if (at(pos_) == first) {
          ++pos_;
          return a;
        }
        a.value += lower(at(pos_));
      }
      return out_of_bytes();
    }
    if (first == '>') return a;
    a.value += lower(first);
    for (++pos_; pos_ < b_.size(); ++pos_) {
      if (is_space(at(pos_)) || at(pos_) == '>') return a;
      a.value += lower(at(pos_));
    }
    return out_of_bytes();
  }

  std::optional<Attribute> out_of_bytes() {
    exhausted_ = true;
    return std::nullopt;
  }

  std::string_view b_;
  std::size_t pos_ = 0;
  bool exhausted_ = false;
};

// "get an XML encoding": <?xml ... encoding="X" ...> at the very start.
std::optional<std::string_view> xml_declaration_encoding(std::string_view b) {
  b = b.substr(0, kPrescanBytes);
  if (b.substr(0, 5) != "<?xml") return std::nullopt;
  const std::size_t end = b.find('>');
  if (end == std::string_view::npos) return std::nullopt;
  std::size_t pos = b.find("encoding", 5);
  if (pos == std::string_view::npos || pos >= end) return std::nullopt;
  pos += 8;
  const auto skip_low = [&] {
    while (pos < end && static_cast<unsigned char>(b[pos]) <= 0x20) ++pos;
  };
  skip_low();
  if (pos >= end || b[pos] != '=') return std::nullopt;
  ++pos;
  skip_low();
  if (pos >= end || (b[pos] != '"' && b[pos] != '\'')) return std::nullopt;
  const char quote = b[pos++];
  const std::size_t close = b.find(quote, pos);
  if (close == std::string_view::npos) return std::nullopt;
  const std::string_view label = b.substr(pos, close - pos);
  for (char c : label) {
    if (static_cast<unsigned char>(c) <= 0x20) return std::nullopt;
  }
  const auto name = encoding_for_label(label);
  if (!name) return std::nullopt;
  return meta_override(*name);
}

}  // namespace

const char* encoding_source_name(EncodingSource source) {
  switch (source) {
    case EncodingSource::kBom: return "bom";
    case EncodingSource::kHeader: return "header";
    case EncodingSource::kMeta: return "meta";
    case EncodingSource::kDetected: return "detected";
    case EncodingSource::kDefault: return "default";
  }
  return "?";
}

std::optional<std::string_view> encoding_for_label(std::string_view label) {
  label = trim_spaces(label);
  if (label.empty() || label.size() > 20) return std::nullopt;  // the longest label has 19 bytes
  char buf[20];
  for (std::size_t i = 0; i < label.size(); ++i) buf[i] = lower(static_cast<unsigned char>(label[i]));
  const std::string_view key(buf, label.size());
  for (const EncodingLabels& e : kEncodings) {
    std::string_view rest = e.labels;
    while (!rest.empty()) {
      const std::size_t space = rest.find(' ');
      if (rest.substr(0, space) == key) return e.name;
      if (space == std::string_view::npos) break;
      rest.remove_prefix(space + 1);
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> prescan_encoding(std::string_view bytes) {
  // A BOM-less UTF-16 XML declaration ("<?x" in UTF-16).
  if (bytes.substr(0, 6) == std::string_view("<\0?\0x\0", 6)) return "UTF-16LE";
  if (bytes.substr(0, 6) == std::string_view("\0<\0?\0x", 6)) return "UTF-16BE";
  if (auto meta = Prescan(bytes).run()) return meta;
  return xml_declaration_encoding(bytes);
}

bool is_utf8_allowing_truncated_end(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    if (static_cast<unsigned char>(bytes[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(bytes, i);
    if (n == 0) {
      // Valid if what is left is the start of a sequence cut by the end:
      // complete it with continuation bytes and ask again.
      const std::size_t left = bytes.size() - i;
      if (left >= 4) return false;
      std::string padded(bytes.substr(i));
      padded.append(4 - left, '\x80');
      const std::size_t full = utf8_length(padded, 0);
      return full > left;
    }
    i += n;
  }
  return true;
}

SniffedEncoding sniff_html_encoding(std::string_view bytes, std::string_view transport_label) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") return {"UTF-8", EncodingSource::kBom, 3};
  if (bytes.substr(0, 2) == "\xFE\xFF") return {"UTF-16BE", EncodingSource::kBom, 2};
  if (bytes.substr(0, 2) == "\xFF\xFE") return {"UTF-16LE", EncodingSource::kBom, 2};
  if (auto name = encoding_for_label(transport_label)) return {*name, EncodingSource::kHeader, 0};
  if (auto name = prescan_encoding(bytes)) return {*name, EncodingSource::kMeta, 0};
  if (is_utf8_allowing_truncated_end(bytes)) return {"UTF-8", EncodingSource::kDetected, 0};
  return {"windows-1252", EncodingSource::kDefault, 0};
}

}  // namespace preheat::crawl
