// Crawl scope: which discovered links the crawler follows.
//
// A Scope is built once from the options and the seeds and then answers
// check(url, depth) with a Verdict: kIn, or the first rule the URL fails.
// Pure logic, no I/O. Thread safety: check() is const and touches no shared
// mutable state (the compiled regexes are immutable RE2 objects, which RE2
// documents as safe for concurrent matching; the public suffix list is loaded
// once per process and only read), so any number of threads may call it at
// once. Scope is copyable (copies share the immutable regexes) and movable.
//
// Sites. A URL's *site* is its host plus its port when the URL names one. URLs
// are normalised (base/url_normalizer.h), so a default port (http 80, https
// 443) is never written and the site of both "http://example.com/" and
// "https://example.com/" is "example.com": http and https of one host are one
// site (sites move to https and keep old http links). A non-default port is a
// different server: "http://127.0.0.1:8080/" and "http://127.0.0.1:9090/" are
// different sites (two local testsites must not bleed into each other). So
// "http://h:443/" (port written) and "https://h/" are different sites; so be
// it. Userinfo is ignored. Hosts compare as normalised: lower-case, IDN as
// punycode ("Bücher.example" = "xn--bcher-kva.example"), IPv4 in dotted
// decimal, IPv6 in brackets; a trailing dot is part of the host here.
//
// Kinds (the seeds' union: several seeds give several allowed sites):
//  - kHost: the URL's site equals a seed's site.
//  - kDomain: the URL's registrable domain equals a seed's: a.example.co.uk
//    and b.example.co.uk are one domain, example.co.uk and other.co.uk are
//    not; foo.github.io and bar.github.io are not (github.io is a private
//    suffix in the list). Ports and schemes do not count for a domain. A host
//    with no registrable domain (an IP address, "localhost", any single-label
//    or public-suffix host) falls back to the host rule: its site (host and
//    written port) must equal a seed's. The public suffix list is libpsl's
//    psl_latest(): the newer of the distribution's file
//    (/usr/share/publicsuffix, Debian package `publicsuffix`) and libpsl's
//    built-in copy. One trailing dot is ignored for the domain.
//  - kPrefix: the URL is on a seed's site and its path starts with the seed's
//    path up to and including its last '/' ("http://h/docs/index.html" ->
//    "/docs/"; the seed's query is ignored), like wget --no-parent. Scheme
//    and port as for kHost. "http://h/docs" (no slash) is outside "/docs/".
//
// Regexes (RE2 syntax: linear-time matching, so a hostile URL cannot make a
// pattern backtrack for ever; no backreferences or lookaround) are searched
// anywhere in the normalised URL, unanchored and case-sensitive ("(?i)" for
// case-insensitive; "^" and "$" to anchor), like wget's --accept-regex and
// --reject-regex. A URL that matches any exclude regex is out; when include
// regexes are given, a URL must match at least one. Exclude wins.
//
// Order of checks (the first failing one is the verdict): kNotFetchable (not
// http/https, base is_fetchable), kOtherHost / kOtherDomain / kOutsidePrefix,
// kTooDeep (depth > max_depth), kExcluded, kNotIncluded.
//
// Seeds are always in scope: check() answers kIn for a URL equal to a seed,
// whatever the depth and the regexes. The crawler does not call check() on
// seeds at all; this only keeps a seed met again as a link consistent.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/status.h"

namespace re2 {
class RE2;
}

namespace preheat::crawl {

enum class ScopeKind { kHost, kDomain, kPrefix };

// "host" | "domain" | "prefix"; anything else is invalid_argument.
Result<ScopeKind> parse_scope_kind(std::string_view name);
const char* to_string(ScopeKind kind);

struct ScopeOptions {
  ScopeKind kind = ScopeKind::kHost;
  std::vector<std::string> include;  // regexes; when any are given a URL must match one
  std::vector<std::string> exclude;  // regexes; a URL matching one is out
  int max_depth = -1;                // link hops from a seed; -1 (any negative) = unlimited
};

enum class Verdict {
  kIn,
  kNotFetchable,
  kOtherHost,
  kOtherDomain,
  kOutsidePrefix,
  kExcluded,
  kNotIncluded,
  kTooDeep,
};
// "in", "not-fetchable", "other-host", "other-domain", "outside-prefix",
// "excluded", "not-included", "too-deep".
const char* to_string(Verdict verdict);

class Scope {
 public:
  // `seeds`: normalised URLs (base/url_normalizer.h normalize_url); they are
  // normalised again here, which changes nothing for normalised input.
  // Errors (Status::invalid_argument): a regex that does not compile ("include
  // regex 'a(' does not compile: missing ): a("), no seeds, a seed that is not
  // http/https, no public suffix list for kDomain.
  static Result<Scope> make(const ScopeOptions& options, const std::vector<std::string>& seeds);

  // REQUIRES: `url` normalised. `depth`: the depth the URL would have (link
  // hops from a seed). Also meant for a redirect's target, with the depth of
  // the URL that redirected.
  Verdict check(std::string_view url, int depth) const;

  ScopeKind kind() const { return kind_; }

 private:
  using Regexes = std::vector<std::shared_ptr<const re2::RE2>>;
  // Heterogeneous lookup: check() looks up string_views without allocating.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using StringSet = std::unordered_set<std::string, Hash, std::equal_to<>>;

  Verdict check_site(std::string_view host, std::string_view site, std::string_view path) const;

  ScopeKind kind_ = ScopeKind::kHost;
  int max_depth_ = -1;
  Regexes include_;
  Regexes exclude_;
  StringSet seeds_;
  StringSet sites_;    // kHost; kDomain for hosts without a domain
  StringSet domains_;  // kDomain
  std::unordered_map<std::string, std::vector<std::string>, Hash, std::equal_to<>> prefixes_;  // kPrefix: site -> path prefixes
};

// The registrable domain of a normalised host ("a.example.co.uk" ->
// "example.co.uk"), or "" when it has none (IP addresses, "localhost",
// single labels, public suffixes) or no public suffix list could be loaded.
// Exposed for tests and for the crawler's per-domain figures.
std::string registrable_domain(std::string_view host);

}  // namespace preheat::crawl
