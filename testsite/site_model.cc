#include "testsite/site_model.h"

#include "base/markup_escape.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include <boost/url/parse.hpp>

#include "testsite/civil_date.h"
#include "testsite/fault_pages.h"
#include "testsite/page_writer.h"
#include "testsite/rng.h"

namespace preheat::testsite {

namespace {

constexpr std::size_t kMaxPages = 100'000'000;
constexpr std::size_t kMaxFanout = 1000;
constexpr std::size_t kMaxPageBytes = std::size_t{16} << 20;
constexpr std::size_t kSitemapUrls = 50'000;               // the protocol's limit per file
constexpr std::int64_t kLastModifiedBase = 1'704'067'200;  // 2024-01-01T00:00:00Z

constexpr std::array<std::string_view, 6> kLangs = {"en", "en", "en", "en-GB", "fr", "de"};
constexpr std::array<std::string_view, 8> kBaseDirs = {"/",         "/p/",       "/d/s0/t0/", "/d/s0/t1/",
                                                       "/d/s1/t0/", "/d/s1/t1/", "/d/s2/t0/", "/d/s2/t1/"};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The number at the end of `s` (no sign, no leading zeros), if any.
std::optional<std::size_t> trailing_number(std::string_view s) {
  std::size_t begin = s.size();
  while (begin > 0 && is_digit(s[begin - 1])) --begin;
  if (begin == s.size() || s.size() - begin > 12) return std::nullopt;
  std::size_t n = 0;
  std::from_chars(s.data() + begin, s.data() + s.size(), n);
  return n;
}

bool is_port(std::string_view s) {
  return !s.empty() && s.size() <= 5 && std::all_of(s.begin(), s.end(), is_digit);
}

std::string hex(std::uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[i] = kDigits[v & 0xF];
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

SiteResponse text(std::string content_type, std::string body) {
  SiteResponse r;
  r.headers.emplace_back("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

}  // namespace

bool is_valid_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  std::string_view port;
  if (host.front() == '[') {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : host.substr(1, close - 1)) {
      if (std::isxdigit(static_cast<unsigned char>(c)) == 0 && c != ':' && c != '.') return false;
    }
    const std::string_view rest = host.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    port = rest.substr(1);
  } else {
    const std::size_t colon = host.find(':');
    const std::string_view name = host.substr(0, colon);
    if (name.empty()) return false;
    for (char c : name) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-' && c != '_') return false;
    }
    if (colon == std::string_view::npos) return true;
    port = host.substr(colon + 1);
  }
  return is_port(port);
}

namespace {

// "1", "0.2": the shortest text that reads back as the same double.
std::string shortest(double v) {
  std::array<char, 32> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return ec == std::errc() ? std::string(buf.data(), end) : "1";
}

}  // namespace

Status validate(const SiteOptions& o) {
  if (o.pages < 1 || o.pages > kMaxPages) return Status::invalid_argument("pages must be between 1 and 100000000");
  if (o.fanout < 1 || o.fanout > kMaxFanout) return Status::invalid_argument("fanout must be between 1 and 1000");
  if (o.page_bytes > kMaxPageBytes) return Status::invalid_argument("page bytes must be at most 16777216");
  if (!(o.crawl_delay_s >= 0 && o.crawl_delay_s <= 3600)) {
    return Status::invalid_argument("crawl delay must be between 0 and 3600 seconds");
  }
  return Status();
}

SiteModel::SiteModel(SiteOptions options) : options_(options) {}

std::string SiteModel::page_path(std::size_t id) const {
  if (id == 0) return "/";
  const std::string n = std::to_string(id);
  switch (id % 10) {
    case 3:
    case 7:
      return "/list?sort=asc&page=" + n;
    case 5:
      return "/d/s" + std::to_string(id / 10 % 3) + "/t" + std::to_string(id / 30 % 2) + "/" + n;
    default:
      return "/p/" + n;
  }
}

std::optional<std::size_t> SiteModel::page_at(std::string_view target) const {
  if (target == "/") return 0;
  const std::optional<std::size_t> n = trailing_number(target);
  if (!n || *n == 0 || *n >= options_.pages || page_path(*n) != target) return std::nullopt;
  return n;
}

std::vector<std::size_t> SiteModel::links_of(std::size_t id) const {
  std::vector<std::size_t> out;
  const std::size_t first_child = id * options_.fanout + 1;
  for (std::size_t c = first_child; c < first_child + options_.fanout && c < options_.pages; ++c) out.push_back(c);
  if (id > 0) out.push_back((id - 1) / options_.fanout);
  Rng rng(hash2(options_.seed, 2 * id));
  const std::size_t extras = std::max<std::size_t>(1, options_.fanout / 2);
  for (std::size_t i = 0; i < extras; ++i) out.push_back(rng.below(options_.pages));
  for (std::size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[rng.below(i)]);
  return out;
}

SiteResponse SiteModel::page(std::size_t id, std::string_view host) const {
  Rng rng(hash2(options_.seed, 2 * id + 1));
  PageSpec spec;
  spec.path = page_path(id);
  spec.lang = kLangs[rng.below(kLangs.size())];
  const std::string words = filler_words(3, rng);
  spec.title = id == 0 ? "Home: " + words : "Page " + std::to_string(id) + ": " + words;
  spec.description = filler_words(12, rng);
  if (id != 0 && rng.one_in(8)) spec.base_dir = kBaseDirs[rng.below(kBaseDirs.size())];
  spec.canonical = rng.one_in(3);
  for (std::size_t to : links_of(id)) spec.links.push_back(page_path(to));
  if (id * options_.fanout + 1 < options_.pages) spec.next = page_path(id * options_.fanout + 1);
  if (id == 0) spec.raw_hrefs = fault_entry_paths(options_.faults);
  spec.page_bytes = options_.page_bytes;

  SiteResponse r = text("text/html; charset=utf-8", write_page(spec, host, rng));
  // The body is a function of the options, the page and the host: so is its tag (cheaper than hashing the body).
  std::uint64_t tag = hash_bytes(hash2(options_.seed, id), host);
  tag = hash2(hash2(hash2(tag, options_.pages), options_.fanout), options_.page_bytes);
  if (id == 0) tag = hash_bytes(tag, options_.faults.to_string());  // only "/" links to the faults
  r.headers.emplace_back("ETag", "\"" + hex(tag) + "\"");
  r.headers.emplace_back("Last-Modified", http_date(kLastModifiedBase + static_cast<std::int64_t>(id % 100000) * 60));
  return r;
}

SiteResponse SiteModel::robots_txt(std::string_view host) const {
  return text("text/plain; charset=utf-8",
              "# preheat testsite\n"
              "User-agent: *\n"
              "Disallow: /fault/robots/\n"
              "Allow: /fault/robots/allowed\n"
              "Crawl-delay: " +
                  shortest(options_.crawl_delay_s) +
                  "\n"
                  "\n"
                  "Sitemap: http://" +
                  std::string(host) + "/sitemap.xml\n");
}

std::optional<SiteResponse> SiteModel::sitemap(std::string_view path, std::string_view host) const {
  // Entries 0..pages-1 are the pages, entry `pages` the orphan (a page no
  // link reaches: only a crawler that reads the sitemap finds it).
  const std::size_t entries = options_.pages + 1;
  const std::size_t files = (entries + kSitemapUrls - 1) / kSitemapUrls;
  const std::string origin = "http://" + std::string(host);
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  if (path == "/sitemap.xml" && files > 1) {
    xml += "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    for (std::size_t i = 1; i <= files; ++i) {
      xml += "<sitemap><loc>" + origin + "/sitemap-" + std::to_string(i) + ".xml</loc></sitemap>\n";
    }
    xml += "</sitemapindex>\n";
    return text("application/xml; charset=utf-8", std::move(xml));
  }
  std::size_t file = 1;
  if (path != "/sitemap.xml") {
    const std::optional<std::size_t> n = trailing_number(path.substr(0, path.size() - 4));
    if (files == 1 || !n || *n < 1 || *n > files || path != "/sitemap-" + std::to_string(*n) + ".xml") {
      return std::nullopt;
    }
    file = *n;
  }
  xml += "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  const std::size_t end = std::min(entries, file * kSitemapUrls);
  for (std::size_t id = (file - 1) * kSitemapUrls; id < end; ++id) {
    const std::string path = id < options_.pages ? page_path(id) : std::string(kSitemapOrphanPath);
    xml += "<url><loc>" + origin + markup_escape(path) + "</loc></url>\n";
  }
  xml += "</urlset>\n";
  return text("application/xml; charset=utf-8", std::move(xml));
}

SiteResponse SiteModel::respond(const SiteRequest& request) const {
  if (!is_valid_host(request.host)) return error_response(400, "missing or malformed Host header");
  const std::string_view target = request.target;
  if (target.empty() || target.front() != '/') return error_response(400, "the target must start with '/'");
  if (const std::optional<std::size_t> id = page_at(target)) return page(*id, request.host);

  const std::string_view path = target.substr(0, target.find('?'));
  const FaultSet& faults = options_.faults;
  if (path == "/robots.txt" && faults.has(Fault::kRobots)) return robots_txt(request.host);
  if (path.substr(0, 8) == "/sitemap" && faults.has(Fault::kSitemap)) {
    if (std::optional<SiteResponse> s = sitemap(path, request.host)) return std::move(*s);
  }
  const FaultRequest fault{path, request.host, request.now_unix, options_.seed, options_.page_bytes};
  if (std::optional<SiteResponse> f = fault_response(faults, fault)) return std::move(*f);
  return error_response(404);
}

Result<std::vector<std::string>> SiteModel::ground_truth(std::string_view base_url) const {
  auto parsed = boost::urls::parse_uri(base_url);
  const auto bad = [&](std::string_view why) {
    return Status::invalid_argument("base URL '" + std::string(base_url) + "': " + std::string(why));
  };
  if (!parsed) return bad("not an absolute URL like http://127.0.0.1:8080/");
  const boost::urls::url_view& u = *parsed;
  const std::string scheme = lower(u.scheme());
  if (scheme != "http" && scheme != "https") return bad("the scheme must be http or https");
  if (!u.has_authority() || u.encoded_host().empty()) return bad("no host");
  if (u.has_userinfo()) return bad("no user info allowed");
  if (!(u.encoded_path().empty() || u.encoded_path() == "/") || u.has_query() || u.has_fragment()) {
    return bad("only scheme, host and port allowed (no path, query or fragment)");
  }
  std::string origin = scheme + "://" + lower(u.encoded_host_address());
  if (u.host_type() == boost::urls::host_type::ipv6) origin = scheme + "://[" + lower(u.encoded_host_address()) + "]";
  const bool default_port = (scheme == "http" && u.port() == "80") || (scheme == "https" && u.port() == "443");
  if (u.has_port() && !u.port().empty() && !default_port) origin += ":" + std::string(u.port());

  std::vector<std::string> urls;
  urls.reserve(options_.pages);
  for (std::size_t id = 0; id < options_.pages; ++id) urls.push_back(origin + page_path(id));
  std::sort(urls.begin(), urls.end());
  return urls;
}

}  // namespace preheat::testsite
