#include "testsite/page_writer.h"

#include "base/markup_escape.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "testsite/site.h"

namespace preheat::testsite {

namespace {

constexpr std::array<std::string_view, 64> kWords = {
    "amber",   "harbour", "quiet",  "lantern", "meadow",  "copper", "river",   "signal", "orchard", "velvet", "granite",
    "whisper", "ember",   "falcon", "tundra",  "saffron", "bridge", "cinder",  "marble", "thistle", "canyon", "drift",
    "beacon",  "willow",  "quartz", "ripple",  "summit",  "hollow", "prairie", "lichen", "comet",   "fable",  "garnet",
    "island",  "juniper", "kettle", "lagoon",  "mosaic",  "nectar", "oasis",   "pepper", "quill",   "raven",  "sierra",
    "tangle",  "umber",   "valley", "wander",  "yarrow",  "zephyr", "anchor",  "basalt", "cobalt",  "dune",   "estuary",
    "fjord",   "glacier", "heron",  "indigo",  "jasper",  "kelp",   "loom",    "minnow", "nimbus",
};

std::string_view word(Rng& rng) {
  return kWords[rng.below(kWords.size())];
}

// 64 KiB of words drawn once from a fixed seed: paragraphs are slices of it,
// which costs a copy instead of a draw per word.
std::string_view word_text() {
  // Never destroyed (a server thread may still be writing a page while the
  // process exits and runs static destructors).
  static const std::string& text = *new std::string([] {
    Rng rng(0x5EED5EED);
    std::string t;
    while (t.size() < 65536) {
      if (!t.empty()) t += ' ';
      t += word(rng);
    }
    return t;
  }());
  return text;
}

// About `bytes` bytes of whole words from word_text(), starting where `rng` says.
std::string_view words_about(std::size_t bytes, Rng& rng) {
  const std::string_view text = word_text();
  bytes = std::min<std::size_t>(bytes, 4096);
  std::size_t start = rng.below(text.size() - bytes - 16);
  start = text.find(' ', start) + 1;
  std::size_t end = start + bytes;
  while (end > start && text[end] != ' ') --end;
  return text.substr(start, end - start);
}

// True when the host part of a Host header is a name (not an IP literal).
bool host_is_name(std::string_view host) {
  if (host.empty() || host.front() == '[') return false;
  const std::string_view name = host.substr(0, host.find(':'));
  for (char c : name) {
    if (std::isalpha(static_cast<unsigned char>(c)) != 0) return true;
  }
  return false;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Splits "/a/b/c" into {"a", "b", "c"} (the last one may be empty: "/a/" -> {"a", ""}).
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  for (;;) {
    const std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// Writes ` name=VALUE` with double, single or no quotes.
void append_attribute(std::string& out, std::string_view name, std::string_view value, Rng& rng) {
  out += ' ';
  out += name;
  out += '=';
  const std::uint64_t pick = rng.below(8);
  const bool can_unquote = !value.empty() && value.find_first_of(" \t\n\r\f\"'=<>`") == std::string_view::npos;
  const char* quote = pick < 5 ? "\"" : pick < 7 ? "'" : can_unquote ? "" : "\"";
  out += quote;
  out += value;
  out += quote;
}

void append_words(std::string& out, std::size_t count, Rng& rng) {
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ' ';
    out += word(rng);
  }
}

}  // namespace

std::string filler_words(std::size_t count, Rng& rng) {
  std::string out;
  append_words(out, count, rng);
  return out;
}

std::string_view directory_of(std::string_view target) {
  const std::string_view path = target.substr(0, target.find_first_of("?#"));
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view("/") : path.substr(0, slash + 1);
}

std::string relative_reference(std::string_view from_dir, std::string_view target) {
  const std::size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q);
  std::vector<std::string_view> from = segments(from_dir);
  from.pop_back();  // from_dir ends with '/': its last segment is empty
  std::vector<std::string_view> to = segments(path);
  const std::string_view last = to.back();
  to.pop_back();
  std::size_t common = 0;
  while (common < from.size() && common < to.size() && from[common] == to[common]) ++common;
  std::string out;
  for (std::size_t i = common; i < from.size(); ++i) out += "../";
  for (std::size_t i = common; i < to.size(); ++i) {
    out += to[i];
    out += '/';
  }
  out += last;
  out += query;
  if (out.empty() || out.front() == '?') out.insert(0, "./");
  return out;
}

std::string spell_href(std::string_view target, std::string_view from_dir, std::string_view host, Rng& rng) {
  const std::size_t hash = target.find('#');
  const std::string_view path = target.substr(0, hash);
  std::string fragment(hash == std::string_view::npos ? std::string_view() : target.substr(hash));

  std::string url;
  switch (rng.below(10)) {
    case 0:
    case 1:
    case 2:
      url = path;
      break;
    case 3:
    case 4:
      url = relative_reference(from_dir, path);
      break;
    case 5:
      url = relative_reference(from_dir, path);
      if (url.front() != '.') url.insert(0, "./");
      break;
    case 6:
    case 7:
      url = "http://" + std::string(host) + std::string(path);
      break;
    case 8:
      url = "HTTP://" + (host_is_name(host) ? upper(host) : std::string(host)) + std::string(path);
      break;
    default:
      url = "//" + std::string(host) + std::string(path);  // scheme-relative
      break;
  }
  const std::uint64_t decoration = rng.below(12);
  if (decoration == 0 && fragment.empty()) fragment = "#" + std::string(word(rng));
  url += fragment;

  // The HTML layer: '&' as "&amp;" (usually) or bare (legal here: "&page" is
  // no character reference), then the decorations.
  std::string out;
  const bool bare_ampersand = rng.one_in(3);
  for (char c : url) {
    if (c == '&' && !bare_ampersand) {
      out += "&amp;";
    } else {
      out += c;
    }
  }
  const std::size_t last_slash = out.rfind('/');
  switch (decoration) {
    case 1:
      out = "  " + out + "\n";
      break;
    case 2:
      out = "\n\t" + out + " ";
      break;
    case 3:  // the URL parser removes every tab and newline, even inside
      out.insert(last_slash == std::string::npos ? 0 : last_slash + 1, "\n");
      break;
    case 4:
      if (last_slash != std::string::npos) out.replace(last_slash, 1, rng.one_in(2) ? "&#47;" : "&#x2F;");
      break;
    default:
      break;
  }
  return out;
}

std::string write_page(const PageSpec& spec, std::string_view host, Rng& rng) {
  std::string out;
  out.reserve(spec.page_bytes + 2048);
  const std::string_view from_dir = spec.base_dir.empty() ? directory_of(spec.path) : std::string_view(spec.base_dir);

  out += "<!DOCTYPE html>\n<html";
  append_attribute(out, "lang", spec.lang, rng);
  out += ">\n<head>\n<meta charset=\"utf-8\">\n";
  if (!spec.base_dir.empty()) {
    std::string base;
    switch (rng.below(3)) {
      case 0:
        base = spec.base_dir;
        break;
      case 1:
        base = "http://" + std::string(host) + spec.base_dir;
        break;
      default:
        base = relative_reference(directory_of(spec.path), spec.base_dir);
        break;
    }
    out += "<base";
    append_attribute(out, "href", base, rng);
    out += ">\n";
  }
  out += "<title>" + markup_escape(spec.title) + "</title>\n<meta name=\"description\" content=\"" +
         markup_escape(spec.description) + "\">\n";
  if (spec.canonical) {
    out += "<link rel=\"canonical\" href=\"http://" + std::string(host) + markup_escape(spec.path) + "\">\n";
  }
  if (!spec.next.empty()) {
    out += "<link rel=next";
    append_attribute(out, "href", spell_href(spec.next, from_dir, host, rng), rng);
    out += ">\n";
  }
  out += "</head>\n<body>\n<header><a";
  // A pure fragment would resolve against <base href>, not this page.
  const std::string skip = spec.base_dir.empty() ? "#content" : spell_href(spec.path + "#content", from_dir, host, rng);
  append_attribute(out, "href", skip, rng);
  out += ">Skip to content</a></header>\n<h1>" + markup_escape(spec.title) + "</h1>\n<nav>\n<ul>\n";

  std::string map;
  std::string frames;
  for (const std::string& target : spec.links) {
    const std::string href = spell_href(target, from_dir, host, rng);
    switch (rng.below(16)) {
      case 0:
        map += "<area shape=\"rect\" coords=\"0,0,16,16\"";
        append_attribute(map, "href", href, rng);
        map += " alt=\"" + filler_words(2, rng) + "\">\n";
        break;
      case 1:
        frames += "<iframe";
        append_attribute(frames, "src", href, rng);
        frames += " title=\"" + filler_words(2, rng) + "\"></iframe>\n";
        break;
      default:
        out += "<li><a";
        append_attribute(out, "href", href, rng);
        out += ">" + filler_words(1 + rng.below(3), rng) + "</a></li>\n";
        break;
    }
  }
  for (const std::string& href : spec.raw_hrefs) out += "<li><a href=\"" + href + "\">" + href + "</a></li>\n";
  out += "</ul>\n</nav>\n";
  if (!map.empty()) out += "<map name=\"shortcuts\">\n" + map + "</map>\n";
  out += frames;
  out += "<main id=\"content\">\n";
  out += spec.extra_html;

  static constexpr std::string_view kTail = "</main>\n</body>\n</html>\n";
  while (out.size() + kTail.size() + 16 < spec.page_bytes) {
    const std::size_t left = spec.page_bytes - out.size() - kTail.size() - 8;
    out += "<p>";
    out += words_about(std::min<std::size_t>(left, 200 + rng.below(400)), rng);
    out += "</p>\n";
  }
  out += kTail;
  return out;
}

}  // namespace preheat::testsite
