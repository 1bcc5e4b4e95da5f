#include "crawl/scope.h"

#include <libpsl.h>
#include <re2/re2.h>

#include <array>

#include "base/url_normalizer.h"

namespace preheat::crawl {
namespace {

// The parts of a normalised URL that scope rules look at.
struct UrlParts {
  bool fetchable = false;
  std::string_view host;  // normalised: lower-case, punycode, [IPv6]
  std::string_view site;  // host, plus ":port" when a port is written
  std::string_view path;
};

// Split by hand: `url` is normalised (REQUIRES of check()), so its form is
// fixed: "scheme://[userinfo@]host[:port]path[?query]", lower-case scheme,
// no fragment. Boost.URL's full parse took ~10x the rest of check(), and
// check() runs on every link of every page. Anything else is not fetchable,
// the same rule as base is_fetchable() (tests/crawl/scope_test.cc compares).
UrlParts split(std::string_view url) {
  UrlParts parts;
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return parts;
  }
  // Plain loops: libstdc++'s find_first_of("...") calls memchr per byte of
  // the URL; on the python3-doc crawl (callgrind) split() took 200 M of 4.4 G
  // instructions with it, 83 M with these loops.
  size_t end = 0;
  while (end < rest.size() && rest[end] != '/' && rest[end] != '?' && rest[end] != '#') ++end;
  std::string_view authority = rest.substr(0, end);
  size_t path_end = end;
  while (path_end < rest.size() && rest[path_end] != '?' && rest[path_end] != '#') ++path_end;
  parts.path = rest.substr(end, path_end - end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  parts.site = authority;
  const size_t colon = authority.starts_with('[') ? authority.find(':', authority.find(']')) : authority.find(':');
  parts.host = authority.substr(0, colon);
  parts.fetchable = !parts.host.empty();
  return parts;
}

// The public suffix list, loaded once per process and never freed (read by
// any thread until exit). psl_latest(NULL) picks the newer of the
// distribution's file and the built-in data; null when neither exists.
const psl_ctx_t* suffix_list() {
  static const psl_ctx_t* const ctx = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);
    return latest != nullptr ? latest : psl_builtin();
  }();
  return ctx;
}

bool is_ip_literal(std::string_view host) {
  if (!host.empty() && host.front() == '[') return true;  // IPv6
  // Normalised IPv4 is dotted decimal; a host ending in a numeric label is
  // always parsed as IPv4 (WHATWG), so digits and dots mean an address.
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string_view::npos;
}

Status compile(const std::vector<std::string>& patterns, const char* what,
               std::vector<std::shared_ptr<const re2::RE2>>& out) {
  RE2::Options options;
  options.set_log_errors(false);  // the error goes into the Status instead
  for (const std::string& pattern : patterns) {
    auto re = std::make_shared<const re2::RE2>(pattern, options);
    if (!re->ok()) {
      return Status::invalid_argument(std::string(what) + " regex '" + pattern + "' does not compile: " +
                                      re->error());
    }
    out.push_back(std::move(re));
  }
  return {};
}

bool any_match(const std::vector<std::shared_ptr<const re2::RE2>>& regexes, std::string_view url) {
  const re2::StringPiece text(url.data(), url.size());
  for (const auto& re : regexes) {
    if (re2::RE2::PartialMatch(text, *re)) return true;
  }
  return false;
}

}  // namespace

Result<ScopeKind> parse_scope_kind(std::string_view name) {
  if (name == "host") return ScopeKind::kHost;
  if (name == "domain") return ScopeKind::kDomain;
  if (name == "prefix") return ScopeKind::kPrefix;
  return Status::invalid_argument("unknown scope '" + std::string(name) + "' (want host, domain or prefix)");
}

const char* to_string(ScopeKind kind) {
  switch (kind) {
    case ScopeKind::kHost: return "host";
    case ScopeKind::kDomain: return "domain";
    case ScopeKind::kPrefix: return "prefix";
  }
  return "?";
}

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kIn: return "in";
    case Verdict::kNotFetchable: return "not-fetchable";
    case Verdict::kOtherHost: return "other-host";
    case Verdict::kOtherDomain: return "other-domain";
    case Verdict::kOutsidePrefix: return "outside-prefix";
    case Verdict::kExcluded: return "excluded";
    case Verdict::kNotIncluded: return "not-included";
    case Verdict::kTooDeep: return "too-deep";
  }
  return "?";
}

std::string registrable_domain(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);  // "co.uk." is "co.uk"
  if (host.empty() || is_ip_literal(host)) return "";
  const psl_ctx_t* psl = suffix_list();
  if (psl == nullptr) return "";
  // libpsl wants a NUL-terminated, lower-case name (normalised hosts are);
  // most fit the stack buffer, which saves an allocation per check.
  std::array<char, 256> buffer;
  std::string long_host;
  const char* name = buffer.data();
  if (host.size() < buffer.size()) {
    host.copy(buffer.data(), host.size());
    buffer[host.size()] = '\0';
  } else {
    long_host = host;
    name = long_host.c_str();
  }
  const char* domain = psl_registrable_domain(psl, name);
  return domain != nullptr ? std::string(domain) : std::string();
}

Result<Scope> Scope::make(const ScopeOptions& options, const std::vector<std::string>& seeds) {
  if (seeds.empty()) return Status::invalid_argument("no seed URL given");
  if (options.kind == ScopeKind::kDomain && suffix_list() == nullptr) {
    return Status::invalid_argument(
        "domain scope needs the public suffix list, and libpsl found none (install Debian package publicsuffix)");
  }
  Scope scope;
  scope.kind_ = options.kind;
  scope.max_depth_ = options.max_depth;
  if (Status s = compile(options.include, "include", scope.include_); !s.ok()) return s;
  if (Status s = compile(options.exclude, "exclude", scope.exclude_); !s.ok()) return s;

  for (const std::string& raw : seeds) {
    Result<std::string> seed = normalize_url(raw);
    if (!seed.ok()) return Status::invalid_argument("seed: " + seed.status().message());
    const UrlParts parts = split(*seed);
    if (!parts.fetchable) return Status::invalid_argument("seed '" + raw + "' is not an http or https URL");
    switch (scope.kind_) {
      case ScopeKind::kHost:
        scope.sites_.emplace(parts.site);
        break;
      case ScopeKind::kDomain:
        if (std::string domain = registrable_domain(parts.host); !domain.empty()) {
          scope.domains_.insert(std::move(domain));
        } else {
          scope.sites_.emplace(parts.site);
        }
        break;
      case ScopeKind::kPrefix: {
        std::string_view dir = parts.path.substr(0, parts.path.rfind('/') + 1);
        if (dir.empty()) dir = "/";
        scope.prefixes_[std::string(parts.site)].emplace_back(dir);
        break;
      }
    }
    scope.seeds_.insert(std::move(*seed));
  }
  return scope;
}

Verdict Scope::check(std::string_view url, int depth) const {
  if (seeds_.contains(url)) return Verdict::kIn;
  const UrlParts parts = split(url);
  if (!parts.fetchable) return Verdict::kNotFetchable;
  if (Verdict v = check_site(parts.host, parts.site, parts.path); v != Verdict::kIn) return v;
  if (max_depth_ >= 0 && depth > max_depth_) return Verdict::kTooDeep;
  if (any_match(exclude_, url)) return Verdict::kExcluded;
  if (!include_.empty() && !any_match(include_, url)) return Verdict::kNotIncluded;
  return Verdict::kIn;
}

Verdict Scope::check_site(std::string_view host, std::string_view site, std::string_view path) const {
  switch (kind_) {
    case ScopeKind::kHost:
      return sites_.contains(site) ? Verdict::kIn : Verdict::kOtherHost;
    case ScopeKind::kDomain: {
      const std::string domain = registrable_domain(host);
      if (domain.empty()) return sites_.contains(site) ? Verdict::kIn : Verdict::kOtherDomain;
      return domains_.contains(domain) ? Verdict::kIn : Verdict::kOtherDomain;
    }
    case ScopeKind::kPrefix: {
      auto it = prefixes_.find(site);
      if (it == prefixes_.end()) return Verdict::kOutsidePrefix;
      for (const std::string& prefix : it->second) {
        if (path.starts_with(prefix)) return Verdict::kIn;
      }
      return Verdict::kOutsidePrefix;
    }
  }
  return Verdict::kOtherHost;
}

}  // namespace preheat::crawl
