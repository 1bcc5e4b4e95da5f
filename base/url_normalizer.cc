#include "base/url_normalizer.h"

#include <idn2.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include <boost/url/parse.hpp>
#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/url_view.hpp>

namespace preheat {
namespace {

namespace urls = boost::urls;

struct SpecialScheme {
  std::string_view name;
  int default_port;
};
constexpr std::array<SpecialScheme, 5> kSpecial{{{"http", 80}, {"https", 443}, {"ws", 80}, {"wss", 443}, {"ftp", 21}}};

const SpecialScheme* find_special(std::string_view scheme) {
  for (const auto& s : kSpecial) {
    if (s.name == scheme) return &s;
  }
  return nullptr;
}

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char to_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (to_lower(c) >= 'a' && to_lower(c) <= 'f'); }
int hex_value(char c) { return is_digit(c) ? c - '0' : to_lower(c) - 'a' + 10; }
bool is_unreserved(char c) { return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~'; }
bool is_sub_delim(char c) { return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos; }

// True if s[i] starts a "%XY" triplet; pct_value is its byte.
bool is_pct_triplet(std::string_view s, size_t i) {
  return s[i] == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2]);
}
char pct_value(std::string_view s, size_t i) { return static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])); }

void append_pct(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

Status invalid(std::string_view what, std::string_view input) {
  return Status::invalid_argument(std::string(what) + " in '" + std::string(input) + "'");
}

// Steps 1 and 2 of the header: trim C0 controls and spaces, drop tab/LF/CR,
// cut the fragment.
std::string strip(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= 0x20) s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= 0x20) s.remove_suffix(1);
  std::string out;
  for (char c : s) {
    if (c == '#') break;
    if (c != '\t' && c != '\n' && c != '\r') out += c;
  }
  return out;
}

// The lower-cased scheme if `s` starts with "scheme:", else "".
std::string scheme_of(std::string_view s) {
  if (s.empty() || !is_alpha(s[0])) return "";
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == ':') return lower(s.substr(0, i));
    if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '+' && s[i] != '-' && s[i] != '.') return "";
  }
  return "";
}

// Step 5: percent-encodes every byte RFC 3986 does not allow where it stands.
std::string encode_invalid(std::string_view s, bool special) {
  enum class Part { kAuthority, kPath, kQuery };
  std::string out;
  const std::string scheme = scheme_of(s);
  size_t i = scheme.empty() ? 0 : scheme.size() + 1;
  out.append(s.substr(0, i));
  Part part = Part::kPath;
  if (s.substr(i).starts_with("//")) {
    out += "//";
    i += 2;
    part = Part::kAuthority;
  }
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (part == Part::kAuthority && (c == '/' || c == '?')) part = Part::kPath;
    if (part == Part::kPath && c == '?') {
      part = Part::kQuery;
      out += c;
      continue;
    }
    bool ok = is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@';
    if (c == '%') ok = is_pct_triplet(s, i);
    if (c == '/') ok = true;
    if (c == '?') ok = part == Part::kQuery;
    if (c == '[' || c == ']') ok = part == Part::kAuthority;
    if (c == '\'' && part == Part::kQuery && special) ok = false;
    if (ok) {
      out += c;
    } else {
      append_pct(out, static_cast<unsigned char>(c));
    }
  }
  return out;
}

// Steps 1-5 of the header. `base_scheme` is the base's lower-cased scheme, or
// "" when there is no base.
std::string prepare(std::string_view input, std::string_view base_scheme) {
  std::string s = strip(input);
  const std::string scheme = scheme_of(s);
  const bool special = find_special(scheme.empty() ? base_scheme : scheme) != nullptr;
  if (special) {
    for (char& c : s) {
      if (c == '?') break;
      if (c == '\\') c = '/';
    }
  }
  bool relative = scheme.empty();
  if (special && !relative) {
    std::string_view rest = std::string_view(s).substr(scheme.size() + 1);
    if (scheme == base_scheme && !rest.starts_with("//")) {
      s = std::string(rest);  // "http:foo" on an http page is relative
      relative = true;
    } else {
      while (rest.starts_with('/')) rest.remove_prefix(1);
      s = scheme + "://" + std::string(rest);
    }
  }
  if (relative) {
    if (special && s.starts_with("//")) {
      s.erase(0, s.find_first_not_of('/'));
      s.insert(0, "//");
    } else if (!s.starts_with('/') && s.substr(0, s.find_first_of("/?")).find(':') != std::string::npos) {
      s.insert(0, "./");
    }
  }
  return encode_invalid(s, special);
}

// Upper-case hex, decode percent-encoded unreserved characters.
std::string normalize_percent(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (is_pct_triplet(s, i)) {
      const char decoded = pct_value(s, i);
      if (is_unreserved(decoded)) {
        out += decoded;
      } else {
        out += '%';
        out += to_upper(s[i + 1]);
        out += to_upper(s[i + 2]);
      }
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// RFC 3986 5.2.4 on a path that starts with '/'.
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> kept;
  bool trailing_slash = false;
  path.remove_prefix(1);
  for (;;) {
    const size_t slash = path.find('/');
    const std::string_view seg = path.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    trailing_slash = seg == "." || seg == "..";
    if (seg == "..") {
      if (!kept.empty()) kept.pop_back();
    } else if (seg != ".") {
      kept.push_back(seg);
    }
    if (last) break;
    path.remove_prefix(slash + 1);
  }
  std::string out;
  for (std::string_view seg : kept) {
    out += '/';
    out += seg;
  }
  if (trailing_slash || out.empty()) out += '/';
  return out;
}

// WHATWG "IPv4 number parser": decimal, 0x hex, leading-0 octal.
std::optional<uint64_t> parse_ipv4_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int radix = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    radix = 16;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0') {
    radix = 8;
    s.remove_prefix(1);
  }
  uint64_t n = 0;
  for (char c : s) {
    if (!is_hex(c) || hex_value(c) >= radix) return std::nullopt;
    n = std::min<uint64_t>(n * radix + hex_value(c), uint64_t{1} << 40);  // saturate: still "too big"
  }
  return n;
}

// WHATWG IPv4 parser. nullopt: the host is a domain, not an address.
Result<std::optional<uint32_t>> parse_ipv4(std::string_view host, std::string_view input) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t dot = host.find('.', start);
    parts.push_back(host.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() > 1 && parts.back().empty()) parts.pop_back();
  const std::string_view last = parts.back();
  const bool all_digits = !last.empty() && last.find_first_not_of("0123456789") == std::string_view::npos;
  if (!all_digits && !parse_ipv4_number(last)) return std::optional<uint32_t>{};
  const Status bad = invalid("invalid IPv4 address '" + std::string(host) + "'", input);
  if (parts.size() > 4) return bad;
  uint64_t address = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto n = parse_ipv4_number(parts[i]);
    if (!n) return bad;
    const bool is_last = i + 1 == parts.size();
    const uint64_t limit = is_last ? uint64_t{1} << (8 * (5 - parts.size())) : 256;
    if (*n >= limit) return bad;
    address += is_last ? *n : *n << (8 * (3 - i));
  }
  return std::optional<uint32_t>(static_cast<uint32_t>(address));
}

// WHATWG IPv6 serializer: lower-case hex, the first longest run (>= 2) of
// zero pieces compressed, no dotted IPv4 tail.
std::string serialize_ipv6(const urls::ipv6_address& address) {
  const auto bytes = address.to_bytes();
  std::array<unsigned, 8> pieces{};
  for (size_t i = 0; i < 8; ++i) pieces[i] = bytes[2 * i] << 8 | bytes[2 * i + 1];
  size_t best = 8, best_len = 1;
  for (size_t i = 0; i < 8;) {
    size_t j = i;
    while (j < 8 && pieces[j] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j == i ? i + 1 : j;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "[";
  for (size_t i = 0; i < 8; ++i) {
    if (i == best) {
      out += i == 0 ? "::" : ":";
      i += best_len - 1;
      continue;
    }
    std::string piece;
    for (unsigned v = pieces[i]; piece.empty() || v != 0; v >>= 4) piece.insert(piece.begin(), kHex[v & 15]);
    out += piece;
    if (i != 7) out += ':';
  }
  return out + "]";
}

// Domain to ASCII: UTS #46 non-transitional (as WHATWG) for non-ASCII hosts.
Result<std::string> domain_to_ascii(const std::string& host, std::string_view input) {
  bool ascii = true;
  for (char c : host) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return lower(host);
  char* out = nullptr;
  const int rc = idn2_to_ascii_8z(host.c_str(), &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
  if (rc != IDN2_OK) return invalid("invalid international host (" + std::string(idn2_strerror(rc)) + ")", input);
  std::string result = lower(out);
  idn2_free(out);
  return result;
}

// A URI reference taken apart (encoded components, no fragment): what RFC
// 3986 resolution works on. Boost.URL parses and validates; the resolution and
// serialisation are done here because Boost 1.81's resolve() and
// set_encoded_path() alter paths (resolve decodes "%2F" to '/',
// set_encoded_path("/") writes "/./").
struct Parts {
  std::string scheme;
  bool has_authority = false;
  std::string authority;
  std::string path;
  bool has_query = false;
  std::string query;
};

Parts parts_of(const urls::url_view& u) {
  Parts p{std::string(u.scheme()), u.has_authority(), std::string(u.encoded_authority()),
          std::string(u.encoded_path()), u.has_query(), std::string(u.encoded_query())};
  if (p.has_authority && !p.path.empty() && !p.path.starts_with('/')) {
    // Boost 1.81 ends a host that starts like an IPv4 address too early:
    // "http://1.2.3.4./" parses as host "1.2.3.4" and path "./".
    const size_t slash = p.path.find('/');
    p.authority += p.path.substr(0, slash);
    p.path = slash == std::string::npos ? "" : p.path.substr(slash);
  }
  return p;
}

// The base's components as Boost.URL gives them (no IPv4 fix-up: resolution
// has always used them raw), viewed in the url_view or a LinkResolver.
struct BaseView {
  std::string_view scheme;
  bool has_authority = false;
  std::string_view authority;
  std::string_view path;
  bool has_query = false;
  std::string_view query;
};

BaseView base_view(const urls::url_view& base) {
  return BaseView{base.scheme(), base.has_authority(), base.encoded_authority(), base.encoded_path(), base.has_query(),
                  base.encoded_query()};
}

// RFC 3986 5.2.2 (dot segments are removed later, after percent decoding).
// `from_base_authority` says whether the result's authority is the base's.
Parts resolve_parts(const BaseView& base, const urls::url_view& ref, bool& from_base_authority) {
  from_base_authority = false;
  if (ref.has_scheme()) return parts_of(ref);
  Parts t = parts_of(ref);
  t.scheme = std::string(base.scheme);
  if (ref.has_authority()) return t;
  from_base_authority = true;
  t.has_authority = base.has_authority;
  t.authority = std::string(base.authority);
  if (t.path.empty()) {
    t.path = std::string(base.path);
    if (!ref.has_query()) {
      t.has_query = base.has_query;
      t.query = std::string(base.query);
    }
  } else if (!t.path.starts_with('/')) {
    const std::string_view base_path = base.path;
    if (base.has_authority && base_path.empty()) {
      t.path.insert(0, "/");
    } else {
      const size_t slash = base_path.rfind('/');
      t.path.insert(0, slash == std::string_view::npos ? std::string_view() : base_path.substr(0, slash + 1));
    }
  }
  return t;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (is_pct_triplet(s, i)) {
      out += pct_value(s, i);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The host of a special URL, normalised (see the header).
Result<std::string> special_host(std::string_view encoded, std::string_view input) {
  if (encoded.starts_with('[')) {
    if (!encoded.ends_with(']')) return invalid("unterminated IPv6 address", input);
    auto v6 = urls::parse_ipv6_address(encoded.substr(1, encoded.size() - 2));
    if (!v6) return invalid("invalid IPv6 address '" + std::string(encoded) + "'", input);
    return serialize_ipv6(*v6);
  }
  auto host = domain_to_ascii(percent_decode(encoded), input);
  if (!host.ok()) return host;
  if (host->empty()) return invalid("empty host", input);
  std::string out;
  for (char c : *host) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || std::string_view("#%/:<>?@[\\]^|").find(c) != std::string_view::npos) {
      return invalid("forbidden host character '" + std::string(1, c) + "'", input);
    }
    if (is_unreserved(c) || is_sub_delim(c)) {
      out += c;
    } else {
      append_pct(out, static_cast<unsigned char>(c));
    }
  }
  auto v4 = parse_ipv4(*host, input);
  if (!v4.ok()) return v4.status();
  if (*v4) return urls::ipv4_address(**v4).to_string();
  return out;
}

// The port as it should be written ("" = none).
Result<std::string> special_port(std::string_view port, int default_port, std::string_view input) {
  if (port.find_first_not_of("0123456789") != std::string_view::npos) {
    return invalid("invalid port '" + std::string(port) + "'", input);
  }
  const std::string_view written = port;
  while (port.size() > 1 && port.front() == '0') port.remove_prefix(1);
  if (port.empty()) return std::string();
  if (port.size() > 5 || std::stoul(std::string(port)) > 65535) {
    return invalid("port " + std::string(written) + " out of range", input);
  }
  if (std::stoi(std::string(port)) == default_port) return std::string();
  return std::string(port);
}

// [user[:password]@]host[:port], split by hand: Boost 1.81's parse_authority
// rejects hosts like "1.2.3.4." that WHATWG accepts. '@' splits at the last
// one, as WHATWG does.
Result<std::string> special_authority(std::string_view authority, int default_port, std::string_view input) {
  std::string userinfo;
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string raw;
    for (char c : authority.substr(0, at)) raw += c == '@' ? std::string("%40") : std::string(1, c);
    const size_t colon = raw.find(':');
    userinfo = colon + 1 >= raw.size() ? raw.substr(0, colon) : raw;  // drops an empty password
    userinfo = normalize_percent(userinfo);
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority, port;
  if (const size_t colon = authority.rfind(':');
      colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  auto h = special_host(host, input);
  if (!h.ok()) return h;
  auto p = special_port(port, default_port, input);
  if (!p.ok()) return p;
  std::string out = userinfo.empty() ? "" : userinfo + "@";
  out += *h;
  if (!p->empty()) out += ":" + *p;
  return out;
}

// Everything after resolution (see the header). `known_authority`, when not
// null, is special_authority() of t.authority, computed before (LinkResolver).
Result<std::string> finish(Parts t, std::string_view input, const std::string* known_authority = nullptr) {
  t.scheme = lower(t.scheme);
  const SpecialScheme* special = find_special(t.scheme);
  if (special) {
    if (!t.has_authority) return invalid("missing host", input);
    if (known_authority != nullptr) {
      t.authority = *known_authority;
    } else {
      auto authority = special_authority(t.authority, special->default_port, input);
      if (!authority.ok()) return authority;
      t.authority = std::move(*authority);
    }
  } else {
    t.authority = normalize_percent(t.authority);
  }
  t.path = normalize_percent(t.path);
  if (t.path.starts_with('/')) t.path = remove_dot_segments(t.path);
  if (special && t.path.empty()) t.path = "/";
  if (!t.has_authority && t.path.starts_with("//")) t.path.insert(0, "/.");  // not an authority
  std::string out = t.scheme + ":";
  if (t.has_authority) out += "//" + t.authority;
  out += t.path;
  if (t.has_query) out += "?" + normalize_percent(t.query);
  return out;
}

}  // namespace

Result<std::string> resolve_link(std::string_view base, std::string_view href) {
  const std::string clean_base = prepare(base, "");
  auto parsed_base = urls::parse_uri(clean_base);
  if (!parsed_base) {
    return Status::invalid_argument("bad base URL '" + std::string(base) + "': " + parsed_base.error().message());
  }
  const std::string clean_href = prepare(href, lower(parsed_base->scheme()));
  auto ref = urls::parse_uri_reference(clean_href);
  if (!ref) return Status::invalid_argument("cannot parse href '" + std::string(href) + "': " + ref.error().message());
  bool from_base = false;
  return finish(resolve_parts(base_view(*parsed_base), *ref, from_base), href);
}

Result<LinkResolver> LinkResolver::make(std::string_view base) {
  const std::string clean_base = prepare(base, "");
  auto parsed_base = urls::parse_uri(clean_base);
  if (!parsed_base) {
    return Status::invalid_argument("bad base URL '" + std::string(base) + "': " + parsed_base.error().message());
  }
  LinkResolver r;
  const BaseView b = base_view(*parsed_base);
  r.scheme_ = b.scheme;
  r.lower_scheme_ = lower(r.scheme_);
  r.has_authority_ = b.has_authority;
  r.authority_ = b.authority;
  r.path_ = b.path;
  r.has_query_ = b.has_query;
  r.query_ = b.query;
  // The base's authority normalised once; a failure is left to resolve(),
  // which then reports it naming the href, as resolve_link does.
  if (const SpecialScheme* special = find_special(r.lower_scheme_); special && r.has_authority_) {
    auto authority = special_authority(r.authority_, special->default_port, base);
    if (authority.ok()) r.normalized_authority_ = std::move(*authority);
  }
  // The fast path (base/simple_href.h) needs a normalised origin and a
  // directory that normalisation leaves alone.
  if (r.normalized_authority_ && r.path_.starts_with('/')) {
    std::string dir = r.path_.substr(0, r.path_.rfind('/') + 1);
    Result<std::string> self = r.resolve_general("");
    if (self.ok() && dir.find('%') == std::string::npos) {
      r.simple_ = SimpleBase{true, r.lower_scheme_ + "://" + *r.normalized_authority_, std::move(dir), std::move(*self)};
    }
  }
  return r;
}

Result<std::string> LinkResolver::resolve(std::string_view href) const {
  if (std::optional<std::string> simple = resolve_simple_href(simple_, href)) return std::move(*simple);
  return resolve_general(href);
}

Result<std::string> LinkResolver::resolve_general(std::string_view href) const {
  const std::string clean_href = prepare(href, lower_scheme_);
  auto ref = urls::parse_uri_reference(clean_href);
  if (!ref) return Status::invalid_argument("cannot parse href '" + std::string(href) + "': " + ref.error().message());
  const BaseView base{scheme_, has_authority_, authority_, path_, has_query_, query_};
  bool from_base = false;
  Parts t = resolve_parts(base, *ref, from_base);
  const std::string* known = from_base && normalized_authority_ ? &*normalized_authority_ : nullptr;
  return finish(std::move(t), href, known);
}

Result<std::string> normalize_url(std::string_view absolute) {
  const std::string clean = prepare(absolute, "");
  auto parsed = urls::parse_uri(clean);
  if (!parsed) {
    return Status::invalid_argument("not an absolute URL '" + std::string(absolute) + "': " + parsed.error().message());
  }
  return finish(parts_of(*parsed), absolute);
}

bool is_fetchable(std::string_view normalized) {
  auto u = urls::parse_uri(normalized);
  return u && (u->scheme() == "http" || u->scheme() == "https") && u->has_authority() && !u->encoded_host().empty();
}

}  // namespace preheat
