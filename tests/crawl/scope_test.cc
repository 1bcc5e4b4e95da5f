#include "crawl/scope.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "base/url_normalizer.h"

namespace preheat::crawl {
namespace {

}  // namespace
// gtest prints verdicts by name.
void PrintTo(Verdict v, std::ostream* os) { *os << to_string(v); }
namespace {

struct Case {
  std::string_view url;  // written normalised, or normalised by the test when `normalize`
  Verdict want;
  int depth = 1;
  bool normalize = false;
};

Scope make_scope(ScopeOptions options, std::vector<std::string> seeds) {
  auto scope = Scope::make(options, seeds);
  EXPECT_TRUE(scope.ok()) << scope.status().message();
  return std::move(scope).value();
}

void expect_cases(const Scope& scope, std::initializer_list<Case> cases) {
  for (const Case& c : cases) {
    std::string url(c.url);
    if (c.normalize) {
      auto n = normalize_url(c.url);
      ASSERT_TRUE(n.ok()) << c.url << ": " << n.status().message();
      url = *n;
    }
    EXPECT_STREQ(to_string(scope.check(url, c.depth)), to_string(c.want)) << url << " at depth " << c.depth;
  }
}

ScopeOptions with_kind(ScopeKind kind) {
  ScopeOptions o;
  o.kind = kind;
  return o;
}

TEST(ScopeKindTest, ParsesTheThreeNames) {
  EXPECT_EQ(*parse_scope_kind("host"), ScopeKind::kHost);
  EXPECT_EQ(*parse_scope_kind("domain"), ScopeKind::kDomain);
  EXPECT_EQ(*parse_scope_kind("prefix"), ScopeKind::kPrefix);
  for (std::string_view bad : {"", "Host", "site", "domain "}) {
    auto k = parse_scope_kind(bad);
    ASSERT_FALSE(k.ok()) << bad;
    EXPECT_EQ(k.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(k.status().message().find("host, domain or prefix"), std::string::npos);
  }
  for (ScopeKind k : {ScopeKind::kHost, ScopeKind::kDomain, ScopeKind::kPrefix}) {
    EXPECT_EQ(*parse_scope_kind(to_string(k)), k);
  }
}

TEST(VerdictTest, EveryVerdictHasAName) {
  EXPECT_STREQ(to_string(Verdict::kIn), "in");
  EXPECT_STREQ(to_string(Verdict::kNotFetchable), "not-fetchable");
  EXPECT_STREQ(to_string(Verdict::kOtherHost), "other-host");
  EXPECT_STREQ(to_string(Verdict::kOtherDomain), "other-domain");
  EXPECT_STREQ(to_string(Verdict::kOutsidePrefix), "outside-prefix");
  EXPECT_STREQ(to_string(Verdict::kExcluded), "excluded");
  EXPECT_STREQ(to_string(Verdict::kNotIncluded), "not-included");
  EXPECT_STREQ(to_string(Verdict::kTooDeep), "too-deep");
}

TEST(HostScopeTest, SameHostAnySchemeNoOtherHosts) {
  Scope scope = make_scope(with_kind(ScopeKind::kHost), {"http://example.com/docs/index.html"});
  expect_cases(scope, {
      {"http://example.com/", Verdict::kIn},
      {"http://example.com/other/page?q=1", Verdict::kIn},
      {"https://example.com/secure", Verdict::kIn},           // http and https: one site
      {"http://user:pw@example.com/a", Verdict::kIn},          // userinfo ignored
      {"http://EXAMPLE.com:80/a", Verdict::kIn, 1, true},      // normalised: default port gone
      {"https://example.com:443/a", Verdict::kIn, 1, true},
      {"http://example.com:8080/", Verdict::kOtherHost},       // another server
      {"http://example.com:443/", Verdict::kOtherHost},        // port written: not https's default
      {"http://www.example.com/", Verdict::kOtherHost},
      {"http://sub.example.com/", Verdict::kOtherHost},
      {"http://example.org/", Verdict::kOtherHost},
      {"http://example.com./", Verdict::kOtherHost},           // trailing dot: another Host header
      {"mailto:someone@example.com", Verdict::kNotFetchable},
      {"ftp://example.com/file", Verdict::kNotFetchable},
      {"javascript:void(0)", Verdict::kNotFetchable},
      {"data:text/html,hi", Verdict::kNotFetchable},
      {"file:///etc/passwd", Verdict::kNotFetchable},
      {"not a url", Verdict::kNotFetchable},
  });
}

TEST(HostScopeTest, NotFetchableIsBaseIsFetchable) {
  // check() splits normalised URLs by hand; it must agree with base.
  Scope scope = make_scope(with_kind(ScopeKind::kHost), {"http://h.example/"});
  std::vector<std::string> urls = {
      "", "http://", "https://", "http:", "http:h", "http:/h", "http:///x", "http://@/x", "http://u@/x",
      "HTTP://h/", "httpx://h/", "ftp://h/", "ws://h/", "mailto:x@h", "javascript:x", "data:,x", "h/x",
      "//h/x", "http://h", "http://h?x", "http://h#f", "https://h:8443/a?b", "http://u:p@h/", "http://[::1]/",
      "http://[::1]:81/x", "http://h:/x"};
  for (std::string_view raw : {"http://a@b@h/", "HTTP://User@H.example:80/A?b#c", "http://[0::1]:0081/",
                               "https://xn--bcher-kva.example/", "http://h/%7e", "http://1.2.3.4./x"}) {
    auto n = normalize_url(raw);
    ASSERT_TRUE(n.ok()) << raw << ": " << n.status().message();
    urls.push_back(*n);
  }
  for (const std::string& url : urls) {
    EXPECT_EQ(scope.check(url, 1) == Verdict::kNotFetchable, !is_fetchable(url)) << "'" << url << "'";
  }
}

TEST(HostScopeTest, LoopbackPortsAreDifferentSites) {
  // Two testsites on random loopback ports must not bleed into each other.
  Scope scope = make_scope(with_kind(ScopeKind::kHost), {"http://127.0.0.1:8080/"});
  expect_cases(scope, {
      {"http://127.0.0.1:8080/p/1", Verdict::kIn},
      {"https://127.0.0.1:8080/p/1", Verdict::kIn},
      {"http://127.0.0.1:9090/p/1", Verdict::kOtherHost},
      {"http://127.0.0.1/p/1", Verdict::kOtherHost},
      {"http://127.0.0.2:8080/", Verdict::kOtherHost},
      {"http://localhost:8080/", Verdict::kOtherHost},          // a name is not its address
      {"http://127.1:8080/x", Verdict::kIn, 1, true},           // WHATWG IPv4 forms are one host
      {"http://0x7f.0.0.1:8080/x", Verdict::kIn, 1, true},
      {"http://2130706433:8080/x", Verdict::kIn, 1, true},
  });
}

TEST(HostScopeTest, Ipv6LocalhostAndIdn) {
  Scope v6 = make_scope(with_kind(ScopeKind::kHost), {"http://[::1]:8080/"});
  expect_cases(v6, {
      {"http://[::1]:8080/a", Verdict::kIn},
      {"http://[0:0:0:0:0:0:0:1]:8080/a", Verdict::kIn, 1, true},
      {"http://[::1]/a", Verdict::kOtherHost},
      {"http://[::2]:8080/a", Verdict::kOtherHost},
      {"http://127.0.0.1:8080/a", Verdict::kOtherHost},
  });
  Scope local = make_scope(with_kind(ScopeKind::kHost), {"http://localhost/"});
  expect_cases(local, {
      {"http://localhost/a", Verdict::kIn},
      {"http://LocalHost/a", Verdict::kIn, 1, true},
      {"http://a.localhost/", Verdict::kOtherHost},
  });
  // IDN hosts are compared in punycode, however the link spelt them.
  Scope idn = make_scope(with_kind(ScopeKind::kHost), {*normalize_url("http://Bücher.example/")});
  expect_cases(idn, {
      {"http://xn--bcher-kva.example/a", Verdict::kIn},
      {"http://bücher.example/a", Verdict::kIn, 1, true},
      {"http://B%C3%BCcher.example/a", Verdict::kIn, 1, true},
      {"http://bucher.example/a", Verdict::kOtherHost},
  });
}

TEST(HostScopeTest, SeveralSeedsGiveSeveralSites) {
  Scope scope = make_scope(with_kind(ScopeKind::kHost), {"http://a.example/", "https://b.example:8443/x"});
  expect_cases(scope, {
      {"http://a.example/1", Verdict::kIn},
      {"http://b.example:8443/2", Verdict::kIn},
      {"https://b.example:8443/2", Verdict::kIn},
      {"https://b.example/2", Verdict::kOtherHost},
      {"http://c.example/", Verdict::kOtherHost},
  });
}

TEST(DomainScopeTest, RegistrableDomainFromThePublicSuffixList) {
  // Expectations that every published list since 2015 agrees on.
  struct D {
    std::string_view host, want;
  };
  for (const D& d : std::initializer_list<D>{
           {"example.com", "example.com"},
           {"www.example.com", "example.com"},
           {"a.b.c.example.com", "example.com"},
           {"a.example.co.uk", "example.co.uk"},
           {"example.co.uk", "example.co.uk"},
           {"co.uk", ""},                        // a public suffix has none
           {"com", ""},
           {"a.example.co.uk.", "example.co.uk"},  // one trailing dot ignored
           {"co.uk.", ""},
           {"foo.github.io", "foo.github.io"},   // private suffix
           {"a.foo.github.io", "foo.github.io"},
           {"github.io", ""},
           {"a.b.kyoto.jp", "b.kyoto.jp"},       // wildcard-free multi-level suffix
           {"x.y.z.d.ck", "z.d.ck"},             // wildcard rule *.ck
           {"foo.www.ck", "www.ck"},             // exception rule !www.ck
           {"www.xn--mgbh0fb.xn--kgbechtv", "xn--mgbh0fb.xn--kgbechtv"},  // IDN TLD in punycode
           {"a.b.xn--p1ai", "b.xn--p1ai"},       // .рф
           {"intranet", ""},                     // a single label
           {"localhost", ""},
           {"127.0.0.1", ""},                    // addresses have none (libpsl would say "0.1")
           {"10.0.0.255", ""},
           {"[::1]", ""},
           {"", ""},
       }) {
    EXPECT_EQ(registrable_domain(d.host), d.want) << d.host;
  }
  // Hosts longer than the stack buffer take the other path.
  std::string long_host;
  for (int i = 0; i < 60; ++i) long_host += "abcde.";
  EXPECT_EQ(registrable_domain(long_host + "example.co.uk"), "example.co.uk");
}

TEST(DomainScopeTest, SubdomainsOfTheSeedsDomainAreIn) {
  Scope scope = make_scope(with_kind(ScopeKind::kDomain), {"http://a.example.co.uk/start"});
  expect_cases(scope, {
      {"http://a.example.co.uk/x", Verdict::kIn},
      {"http://b.example.co.uk/x", Verdict::kIn},
      {"https://example.co.uk/x", Verdict::kIn},
      {"http://deep.sub.example.co.uk:8080/x", Verdict::kIn},  // ports do not count for a domain
      {"http://example.co.uk./x", Verdict::kIn},
      {"http://other.co.uk/x", Verdict::kOtherDomain},
      {"http://co.uk/x", Verdict::kOtherDomain},
      {"http://example.com/x", Verdict::kOtherDomain},
      {"http://example.co.uk.evil.com/x", Verdict::kOtherDomain},
      {"http://127.0.0.1/x", Verdict::kOtherDomain},
      {"mailto:x@example.co.uk", Verdict::kNotFetchable},
  });
}

TEST(DomainScopeTest, PrivateSuffixSeparatesItsCustomers) {
  Scope scope = make_scope(with_kind(ScopeKind::kDomain), {"https://foo.github.io/"});
  expect_cases(scope, {
      {"https://foo.github.io/repo/", Verdict::kIn},
      {"https://www.foo.github.io/", Verdict::kIn},
      {"https://bar.github.io/", Verdict::kOtherDomain},
      {"https://github.io/", Verdict::kOtherDomain},
      {"https://github.com/foo", Verdict::kOtherDomain},
  });
}

TEST(DomainScopeTest, HostsWithoutADomainFallBackToTheHostRule) {
  Scope scope = make_scope(with_kind(ScopeKind::kDomain), {"http://127.0.0.1:8080/", "http://localhost/", "http://example.com/"});
  expect_cases(scope, {
      {"http://127.0.0.1:8080/a", Verdict::kIn},
      {"https://127.0.0.1:8080/a", Verdict::kIn},
      {"http://127.0.0.1:9090/a", Verdict::kOtherDomain},  // two local testsites stay apart
      {"http://127.0.0.1/a", Verdict::kOtherDomain},
      {"http://localhost/a", Verdict::kIn},
      {"http://localhost:8080/a", Verdict::kOtherDomain},
      {"http://a.localhost/a", Verdict::kOtherDomain},
      {"http://www.example.com/a", Verdict::kIn},
  });
  Scope suffix = make_scope(with_kind(ScopeKind::kDomain), {"https://github.io/"});
  expect_cases(suffix, {
      {"https://github.io/a", Verdict::kIn},
      {"https://foo.github.io/a", Verdict::kOtherDomain},
  });
}

TEST(PrefixScopeTest, BelowTheSeedsDirectoryLikeNoParent) {
  Scope scope = make_scope(with_kind(ScopeKind::kPrefix), {"http://h.example/docs/3/index.html?x=1"});
  expect_cases(scope, {
      {"http://h.example/docs/3/", Verdict::kIn},
      {"http://h.example/docs/3/library/os.html", Verdict::kIn},
      {"http://h.example/docs/3/a.html?q=1", Verdict::kIn},
      {"https://h.example/docs/3/b.html", Verdict::kIn},             // scheme as for host
      {"http://h.example/docs/3", Verdict::kOutsidePrefix},          // no slash: the parent's entry
      {"http://h.example/docs/", Verdict::kOutsidePrefix},
      {"http://h.example/docs/30/", Verdict::kOutsidePrefix},
      {"http://h.example/", Verdict::kOutsidePrefix},
      {"http://h.example/docs/3/../x.html", Verdict::kOutsidePrefix, 1, true},
      {"http://h.example/docs/%33/x.html", Verdict::kIn, 1, true},   // %33 is '3', decoded
      {"http://h.example:8080/docs/3/", Verdict::kOutsidePrefix},
      {"http://other.example/docs/3/", Verdict::kOutsidePrefix},
      {"ftp://h.example/docs/3/", Verdict::kNotFetchable},
  });
}

TEST(PrefixScopeTest, SeedsAtTheRootOrWithoutSlashAndSeveralSeeds) {
  Scope root = make_scope(with_kind(ScopeKind::kPrefix), {"http://h.example/"});
  expect_cases(root, {{"http://h.example/anything/at/all", Verdict::kIn},
                      {"http://g.example/", Verdict::kOutsidePrefix}});
  Scope dir = make_scope(with_kind(ScopeKind::kPrefix), {"http://h.example/docs"});  // its directory is "/"
  expect_cases(dir, {{"http://h.example/other", Verdict::kIn}});
  Scope two = make_scope(with_kind(ScopeKind::kPrefix), {"http://h.example/a/", "http://h.example/b/x.html",
                                                         "http://127.0.0.1:8080/c/"});
  expect_cases(two, {
      {"http://h.example/a/1", Verdict::kIn},
      {"http://h.example/b/2", Verdict::kIn},
      {"http://h.example/c/3", Verdict::kOutsidePrefix},
      {"http://127.0.0.1:8080/c/3", Verdict::kIn},
      {"http://127.0.0.1:9090/c/3", Verdict::kOutsidePrefix},
  });
}

TEST(RegexScopeTest, ExcludeWinsOverIncludeAndMatchesAnywhere) {
  ScopeOptions o;
  o.include = {"/docs/", "\\.pdf$"};
  o.exclude = {"\\?", "(?i)/PRIVATE/"};
  Scope scope = make_scope(o, {"http://h.example/"});
  expect_cases(scope, {
      {"http://h.example/docs/a.html", Verdict::kIn},
      {"http://h.example/files/a.pdf", Verdict::kIn},
      {"http://h.example/files/a.pdf.html", Verdict::kNotIncluded},  // "$" anchors
      {"http://h.example/other.html", Verdict::kNotIncluded},
      {"http://h.example/docs/a.html?x=1", Verdict::kExcluded},      // matches both: exclude wins
      {"http://h.example/docs/private/a.html", Verdict::kExcluded},  // (?i)
      {"http://h.example/DOCS/a.html", Verdict::kNotIncluded},       // case-sensitive by default
  });
}

TEST(RegexScopeTest, ExcludeOnlyAndTheWholeUrlIsSearched) {
  ScopeOptions o;
  o.exclude = {"^https:", "logout"};
  Scope scope = make_scope(o, {"http://h.example/"});
  expect_cases(scope, {
      {"http://h.example/a", Verdict::kIn},
      {"https://h.example/a", Verdict::kExcluded},
      {"http://h.example/x?action=logout", Verdict::kExcluded},
  });
}

TEST(RegexScopeTest, BadRegexesAreNamedWithTheReason) {
  struct Bad {
    std::vector<std::string> include, exclude;
    std::string_view want;
  };
  for (const Bad& b : std::initializer_list<Bad>{
           {{"ok", "a("}, {}, "include regex 'a(' does not compile: missing )"},
           {{}, {"[z-a]"}, "exclude regex '[z-a]' does not compile: invalid character class range: z-a"},
           {{}, {"(a)\\1"}, "exclude regex '(a)\\1' does not compile: "},  // no backreferences in RE2
           {{"(?=x)"}, {}, "include regex '(?=x)' does not compile: "},      // no lookaround
       }) {
    ScopeOptions o;
    o.include = b.include;
    o.exclude = b.exclude;
    auto scope = Scope::make(o, {"http://h.example/"});
    ASSERT_FALSE(scope.ok()) << b.want;
    EXPECT_EQ(scope.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(scope.status().message().find(b.want), std::string::npos) << scope.status().message();
  }
}

TEST(DepthScopeTest, DepthLimitAndOrderOfChecks) {
  ScopeOptions o;
  o.max_depth = 2;
  o.exclude = {"skip"};
  o.include = {"keep"};
  Scope scope = make_scope(o, {"http://h.example/"});
  expect_cases(scope, {
      {"http://h.example/keep", Verdict::kIn, 0},
      {"http://h.example/keep", Verdict::kIn, 2},
      {"http://h.example/keep", Verdict::kTooDeep, 3},
      // the first failing check is the verdict:
      {"mailto:keep@h.example", Verdict::kNotFetchable, 9},
      {"http://other.example/skip", Verdict::kOtherHost, 9},
      {"http://h.example/skip", Verdict::kTooDeep, 3},
      {"http://h.example/skip-keep", Verdict::kExcluded, 1},
      {"http://h.example/other", Verdict::kNotIncluded, 1},
  });
  ScopeOptions unlimited;
  Scope deep = make_scope(unlimited, {"http://h.example/"});
  expect_cases(deep, {{"http://h.example/a", Verdict::kIn, 1000000}});
  ScopeOptions zero;
  zero.max_depth = 0;
  Scope seeds_only = make_scope(zero, {"http://h.example/"});
  expect_cases(seeds_only, {{"http://h.example/a", Verdict::kTooDeep, 1}});
}

TEST(SeedScopeTest, SeedsAreAlwaysIn) {
  ScopeOptions o;
  o.kind = ScopeKind::kPrefix;
  o.max_depth = 0;
  o.exclude = {"index"};
  o.include = {"nothing-matches-this"};
  Scope scope = make_scope(o, {"HTTP://H.example:80/docs/index.html"});  // normalised by make()
  expect_cases(scope, {
      {"http://h.example/docs/index.html", Verdict::kIn, 0},
      {"http://h.example/docs/index.html", Verdict::kIn, 5},
      {"http://h.example/docs/other.html", Verdict::kTooDeep, 1},
      {"http://h.example/docs/other.html", Verdict::kNotIncluded, 0},
  });
}

TEST(SeedScopeTest, BadSeedsAreErrors) {
  struct Bad {
    std::vector<std::string> seeds;
    std::string_view want;
  };
  for (const Bad& b : std::initializer_list<Bad>{
           {{}, "no seed URL given"},
           {{"ftp://h.example/"}, "seed 'ftp://h.example/' is not an http or https URL"},
           {{"http://h.example/", "mailto:a@h.example"}, "seed 'mailto:a@h.example' is not an http or https URL"},
           {{"http:///"}, "seed: empty host"},
           {{"http://h:70000/"}, "seed: port 70000 out of range"},
       }) {
    for (ScopeKind kind : {ScopeKind::kHost, ScopeKind::kDomain, ScopeKind::kPrefix}) {
      auto scope = Scope::make(with_kind(kind), b.seeds);
      ASSERT_FALSE(scope.ok()) << b.want;
      EXPECT_EQ(scope.status().code(), Status::Code::kInvalidArgument);
      EXPECT_NE(scope.status().message().find(b.want), std::string::npos) << scope.status().message();
    }
  }
}

TEST(ScopeTest, CopiesAndMovesKeepTheRules) {
  ScopeOptions o;
  o.exclude = {"/x$"};
  Scope original = make_scope(o, {"http://h.example/"});
  Scope copy = original;
  Scope moved = std::move(original);
  for (const Scope* s : {&copy, &moved}) {
    EXPECT_EQ(s->check("http://h.example/a", 1), Verdict::kIn);
    EXPECT_EQ(s->check("http://h.example/x", 1), Verdict::kExcluded);
    EXPECT_EQ(s->check("http://g.example/a", 1), Verdict::kOtherHost);
  }
  copy = make_scope(with_kind(ScopeKind::kDomain), {"http://a.example.com/"});
  EXPECT_EQ(copy.check("http://b.example.com/x", 1), Verdict::kIn);
  EXPECT_EQ(moved.check("http://b.example.com/x", 1), Verdict::kOtherHost);
}

TEST(ScopeTest, ConcurrentChecksAgree) {
  ScopeOptions o;
  o.kind = ScopeKind::kDomain;
  o.include = {"/[0-9]+$"};
  o.exclude = {"7$"};
  const Scope scope = make_scope(o, {"http://www.example.co.uk/"});
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&scope, &wrong, t] {
      for (int i = 0; i < 2000; ++i) {
        const int n = i * 4 + t;
        const std::string host = (n % 3 == 0) ? "other.co.uk" : "s" + std::to_string(n % 5) + ".example.co.uk";
        const std::string url = "http://" + host + "/" + std::to_string(n);
        const Verdict want = (n % 3 == 0) ? Verdict::kOtherDomain : (n % 10 == 7) ? Verdict::kExcluded : Verdict::kIn;
        if (scope.check(url, 1) != want) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace preheat::crawl
