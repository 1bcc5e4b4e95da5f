#include "testsite/fault_pages.h"

#include <charconv>

#include "testsite/civil_date.h"
#include "testsite/gzip_bomb.h"
#include "testsite/page_writer.h"
#include "testsite/rng.h"

namespace preheat::testsite {

namespace {

constexpr std::string_view kHtml = "text/html; charset=utf-8";

SiteResponse html(std::string body, unsigned status = 200) {
  SiteResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", kHtml);
  r.body = std::move(body);
  return r;
}

// A small page of the fault area: a title, some words and the given links.
std::string fault_page(const FaultRequest& rq, std::string title, std::vector<std::string> links) {
  Rng rng(hash_bytes(rq.seed, rq.path));
  PageSpec spec;
  spec.path = std::string(rq.path);
  spec.title = std::move(title);
  spec.description = filler_words(8, rng);
  spec.links = std::move(links);
  spec.page_bytes = 1024;
  return write_page(spec, rq.host, rng);
}

SiteResponse redirect(unsigned status, std::string location) {
  SiteResponse r = html("<!DOCTYPE html>\n<html><head><title>Moved</title></head><body><a href=\"" + location +
                            "\">moved here</a></body></html>\n",
                        status);
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

SiteResponse with_retry_after(SiteResponse r, std::string value) {
  r.headers.emplace_back("Retry-After", std::move(value));
  return r;
}

// The start of a 64 KiB page, for the responses that break off.
SiteResponse cut_short(const FaultRequest& rq, Delivery delivery) {
  Rng rng(hash_bytes(rq.seed, rq.path));
  PageSpec spec;
  spec.path = std::string(rq.path);
  spec.title = "This body never ends well";
  spec.links = {"/"};
  spec.page_bytes = kCutBodyBytes;
  SiteResponse r = html(write_page(spec, rq.host, rng).substr(0, kCutAfterBytes));
  r.delivery = delivery;
  r.content_length = kCutBodyBytes;
  r.stall = kStallTime;
  return r;
}

SiteResponse oversize() {
  // string_views of literals: nothing to destroy at exit while a server
  // thread may still be streaming this page.
  static constexpr std::string_view head =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Oversize</title></head>\n<body>\n";
  static constexpr std::string_view line = "<p>This page goes on and on and on, far beyond any sane size cap.</p>\n";
  SiteResponse r;
  r.headers.emplace_back("Content-Type", kHtml);
  r.delivery = Delivery::kStream;
  r.content_length = kOversizeBytes;
  r.stream = [](std::uint64_t offset, std::span<char> out) {
    std::size_t n = 0;
    for (; n < out.size() && offset + n < kOversizeBytes; ++n) {
      const std::uint64_t at = offset + n;
      out[n] = at < head.size() ? head[at] : line[(at - head.size()) % line.size()];
    }
    return n;
  };
  return r;
}

SiteResponse binary(const FaultRequest& rq) {
  Rng rng(hash_bytes(rq.seed, rq.path));
  std::string body(std::max<std::size_t>(rq.page_bytes, 1024) * 2, '\0');
  for (char& c : body) c = static_cast<char>(rng.next() & 0xFF);
  return html(std::move(body));
}

SiteResponse bad_utf8(const FaultRequest& rq) {
  Rng rng(hash_bytes(rq.seed, rq.path));
  PageSpec spec;
  spec.path = std::string(rq.path);
  spec.title = "Bad UTF-8 \xC3\x28 \xFF\xFE";
  spec.description = "overlong \xC0\xAF and a surrogate \xED\xA0\x80";
  spec.extra_html =
      "<p>A stray continuation byte \x80\xBF, an overlong slash \xC0\xAF, a surrogate \xED\xA0\x80, a code point above "
      "U+10FFFF \xF4\x90\x80\x80, a truncated sequence \xE2\x82 and a lone \xFF.</p>\n"
      "<p><img src=\"data:,\" alt=\"\xFE\xFF\xC3\"></p>\n";
  spec.raw_hrefs = {"/"};
  spec.page_bytes = rq.page_bytes;
  return html(write_page(spec, rq.host, rng));
}

// Pages in legacy encodings, written byte by byte (the comments give the
// text): a crawler must sniff and decode them to store the right UTF-8.
SiteResponse windows_1252_page() {
  SiteResponse r;
  r.headers.emplace_back("Content-Type", "text/html; charset=windows-1252");
  // "Café € 5 – l’été", "“Guillemets” et … points", "retour à l’accueil"
  r.body =
      "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"windows-1252\">"
      "<title>Caf\xE9 \x80 5 \x96 l\x92\xE9t\xE9</title></head>\n"
      "<body><p>\x93Guillemets\x94 et \x85 points</p>\n<p><a href=\"/\">retour \xE0 l\x92" "accueil</a></p></body></html>\n";
  return r;
}

SiteResponse shift_jis_page() {
  SiteResponse r;
  r.headers.emplace_back("Content-Type", "text/html");
  // "日本語のページ", "表示とソース" (表 is 95 5C, ソ is 83 5C), "トップへ"
  r.body =
      "<!DOCTYPE html>\n<html lang=\"ja\"><head>"
      "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">"
      "<title>\x93\xFA\x96\x7B\x8C\xEA\x82\xCC\x83\x79\x81\x5B\x83\x57</title></head>\n"
      "<body><p>\x95\x5C\x8E\xA6\x82\xC6\x83\x5C\x81\x5B\x83\x58</p>\n"
      "<p><a href=\"/\">\x83\x67\x83\x62\x83\x76\x82\xD6</a></p></body></html>\n";
  return r;
}

SiteResponse schemes(const FaultRequest& rq) {
  Rng rng(hash_bytes(rq.seed, rq.path));
  PageSpec spec;
  spec.path = std::string(rq.path);
  spec.title = "Links that are not http";
  spec.raw_hrefs = {
      "javascript:void(0)",
      "JavaScript:alert(&quot;hi&quot;)",
      " javascript:history.back()",
      "mailto:webmaster@example.com?subject=hello",
      "data:text/html,%3Ch1%3Ehello%3C%2Fh1%3E",
      "tel:+1-555-0100",
      "/",
  };
  spec.page_bytes = 1024;
  return html(write_page(spec, rq.host, rng));
}

// "/fault/redirect-chain/N" -> N, if it is a number without leading zeros.
std::optional<int> step_number(std::string_view text) {
  int n = 0;
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text.front() == '0')) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

std::optional<SiteResponse> redirect_chain(const FaultRequest& rq, std::string_view step) {
  const std::optional<int> n = step_number(step);
  if (!n || *n > kRedirectChainLength) return std::nullopt;
  if (*n == kRedirectChainLength) return html(fault_page(rq, "The end of the redirect chain", {"/"}));
  static constexpr unsigned kCodes[] = {301, 302, 303, 307, 308};
  const std::string next = std::to_string(*n + 1);
  std::string location;
  switch (*n % 3) {
    case 0:
      location = "/fault/redirect-chain/" + next;
      break;
    case 1:
      location = next;
      break;
    default:
      location = "http://" + std::string(rq.host) + "/fault/redirect-chain/" + next;
      break;
  }
  return redirect(kCodes[*n % 5], location);
}

std::optional<SiteResponse> calendar(const FaultRequest& rq, std::string_view day) {
  const std::optional<CivilDate> date = parse_civil_date(day);
  if (!date) return std::nullopt;
  std::vector<std::string> links = {"/"};
  if (date->year < 9999 || date->month < 12 || date->day < 31) {
    links.insert(links.begin(), "/calendar/" + date->next_day().to_string());
  }
  return html(fault_page(rq, "Calendar: " + date->to_string(), std::move(links)));
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

bool is_fault_path(std::string_view path) {
  if (starts_with(path, "/fault/") || starts_with(path, "/calendar/")) return true;
  if (path == "/robots.txt" || path == "/sitemap.xml") return true;
  return starts_with(path, "/sitemap-") && path.size() > 13 && path.substr(path.size() - 4) == ".xml";
}

std::vector<std::string> fault_entry_paths(const FaultSet& faults) {
  std::vector<std::string> out;
  auto add = [&](Fault f, std::initializer_list<std::string_view> paths) {
    if (!faults.has(f)) return;
    for (std::string_view p : paths) out.emplace_back(p);
  };
  add(Fault::kStatus500, {"/fault/500"});
  add(Fault::kStatus503, {"/fault/503"});
  add(Fault::kStatus429, {"/fault/429", "/fault/429-date"});
  add(Fault::kReset, {"/fault/reset"});
  add(Fault::kStall, {"/fault/stall"});
  add(Fault::kRedirectLoop, {"/fault/redirect-loop/a"});
  add(Fault::kRedirectChain, {"/fault/redirect-chain/0"});
  add(Fault::kGzipBomb, {"/fault/gzip-bomb"});
  add(Fault::kOversize, {"/fault/oversize"});
  add(Fault::kBinary, {"/fault/binary"});
  add(Fault::kBadUtf8, {"/fault/bad-utf8"});
  add(Fault::kCharsets, {"/fault/charsets/windows-1252", "/fault/charsets/shift-jis"});
  if (faults.has(Fault::kCalendar)) out.push_back("/calendar/" + std::string(kCalendarStart));
  add(Fault::kSchemes, {"/fault/schemes"});
  add(Fault::kRobots, {"/fault/robots/private", "/fault/robots/allowed", "/fault/robots-redirect"});
  add(Fault::kSitemap, {"/sitemap.xml"});
  return out;
}

std::optional<SiteResponse> fault_response(const FaultSet& faults, const FaultRequest& rq) {
  const std::string_view path = rq.path;
  auto on = [&](Fault f, std::string_view p) { return faults.has(f) && path == p; };
  if (on(Fault::kStatus500, "/fault/500")) return error_response(500, "This page always fails.");
  if (on(Fault::kStatus503, "/fault/503")) {
    return with_retry_after(error_response(503, "Come back in a second."), "1");
  }
  if (on(Fault::kStatus429, "/fault/429")) return with_retry_after(error_response(429, "Slow down."), "2");
  if (on(Fault::kStatus429, "/fault/429-date")) {
    return with_retry_after(error_response(429, "Slow down until the date."), http_date(rq.now_unix + 5));
  }
  if (on(Fault::kReset, "/fault/reset")) return cut_short(rq, Delivery::kResetAfter);
  if (on(Fault::kStall, "/fault/stall")) return cut_short(rq, Delivery::kStallAfter);
  if (on(Fault::kRedirectLoop, "/fault/redirect-loop/a")) return redirect(302, "/fault/redirect-loop/b");
  if (on(Fault::kRedirectLoop, "/fault/redirect-loop/b")) return redirect(302, "a");
  if (faults.has(Fault::kRedirectChain) && starts_with(path, "/fault/redirect-chain/")) {
    return redirect_chain(rq, path.substr(22));
  }
  if (on(Fault::kGzipBomb, "/fault/gzip-bomb")) {
    SiteResponse r;
    r.headers.emplace_back("Content-Type", kHtml);
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.shared_body = gzip_bomb();
    return r;
  }
  if (on(Fault::kOversize, "/fault/oversize")) return oversize();
  if (on(Fault::kBinary, "/fault/binary")) return binary(rq);
  if (on(Fault::kBadUtf8, "/fault/bad-utf8")) return bad_utf8(rq);
  if (on(Fault::kCharsets, "/fault/charsets/windows-1252")) return windows_1252_page();
  if (on(Fault::kCharsets, "/fault/charsets/shift-jis")) return shift_jis_page();
  if (faults.has(Fault::kCalendar) && starts_with(path, "/calendar/")) return calendar(rq, path.substr(10));
  if (on(Fault::kSchemes, "/fault/schemes")) return schemes(rq);
  if (on(Fault::kRobots, "/fault/robots/private")) {
    return html(fault_page(rq, "Disallowed by robots.txt", {"/"}));
  }
  if (on(Fault::kRobots, "/fault/robots/allowed")) {
    return html(fault_page(rq, "Allowed by robots.txt (the longer rule wins)", {"/"}));
  }
  if (on(Fault::kRobots, "/fault/robots-redirect")) return redirect(302, "/fault/robots/private");
  if (on(Fault::kSitemap, kSitemapOrphanPath)) {
    return html(fault_page(rq, "Listed only in the sitemap", {"/"}));
  }
  return std::nullopt;
}

}  // namespace preheat::testsite
