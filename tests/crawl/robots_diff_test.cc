// Differential test: crawl/robots_txt against npm robots-parser (a widely used
// independent implementation) over (robots.txt, URL, agent) triples: files made
// by a seeded generator of tricky cases plus a hand-written corpus of realistic
// files (tests/crawl/robots_corpus/), each probed with URLs derived from its
// own rules. Compared: allowed or not, the Crawl-delay, the Sitemap lines.
//
// robots-parser is not exactly RFC 9309. Every disagreement must carry one of
// the known differences below (kDifferences), each checked on the triple; a
// disagreement with none of them fails the test. The figures are printed.
//
// Our side sees what the crawler sees: the URL normalised by
// base/url_normalizer, then its path and query. robots-parser gets the same
// URL string and parses it with the WHATWG URL parser.
//
// Skips when node or tests/crawl/robots_parser/node_modules is missing
// (scripts/setup installs it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/url_normalizer.h"
#include "crawl/robots_txt.h"
#include "tests/support/support.h"

namespace preheat::crawl {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::size_t file;
  std::string url;
  std::string agent;
};

struct Corpus {
  std::vector<std::string> names;
  std::vector<std::string> bodies;
  std::vector<Case> cases;
};

// ---- the known differences ------------------------------------------------

bool contains_ci(std::string_view hay, std::string_view needle) {
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != hay.end();
}

bool unreserved_escape(std::string_view s) {
  for (std::size_t i = 0; i + 2 < s.size(); ++i) {
    if (s[i] != '%' || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      continue;
    }
    const int c = std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') return true;
  }
  return false;
}

// The "key: value" lines of a file (key lower-cased, both trimmed), in order.
std::vector<std::pair<std::string, std::string>> records(const std::string& body) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t end = body.find_first_of("\r\n", pos);
    if (end == std::string::npos) end = body.size();
    std::string line = body.substr(pos, end - pos);
    pos = end + 1;
    line = line.substr(0, line.find('#'));
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto trim = [](std::string v) {
      v.erase(0, v.find_first_not_of(" \t\xEF\xBB\xBF"));
      v.erase(v.find_last_not_of(" \t") + 1);
      return v;
    };
    std::string k = trim(line.substr(0, colon));
    for (char& ch : k) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out.emplace_back(std::move(k), trim(line.substr(colon + 1)));
  }
  return out;
}

std::vector<std::string> values(const std::string& body, std::string_view key) {
  std::vector<std::string> out;
  for (auto& [k, v] : records(body)) {
    if (k == key) out.push_back(v);
  }
  return out;
}

bool group_member(const std::string& k) { return k == "allow" || k == "disallow" || k == "crawl-delay"; }

bool any_value(const std::string& body, std::string_view key, bool (*pred)(std::string_view)) {
  for (const std::string& v : values(body, key)) {
    if (pred(v)) return true;
  }
  return false;
}

bool rule_value(const std::string& body, bool (*pred)(std::string_view)) {
  return any_value(body, "allow", pred) || any_value(body, "disallow", pred);
}

struct Difference {
  const char* name;
  const char* reason;
  // Whether the difference can be at play for this triple.
  bool (*applies)(const std::string& body, const Case& c, bool delay_only);
};

const Difference kDifferences[] = {
    {"unreserved-escape",
     "RFC 9309 2.2.2: a percent-encoded unreserved character equals the character (\"/%62az\" = \"/baz\"); "
     "robots-parser compares escapes literally (and counts them as 3 octets for the longest match)",
     [](const std::string& body, const Case& c, bool) {
       return rule_value(body, unreserved_escape) || unreserved_escape(c.url);
     }},
    {"escaped-star-dollar",
     "RFC 9309 2.2.3: %2A and %24 in a pattern match a literal '*' and '$' in the URL; robots-parser "
     "compares them with the raw characters",
     [](const std::string& body, const Case&, bool) {
       return rule_value(body, [](std::string_view v) { return contains_ci(v, "%2A") || contains_ci(v, "%24"); });
     }},
    {"encode-set",
     "RFC 9309 2.2.2 compares percent-encoded forms: preheat encodes `|[]^\\{}'\"` alike in patterns and URLs; "
     "robots-parser encodes patterns with encodeURI but takes the path as the WHATWG URL parser leaves it "
     "(raw `|[]^` in paths, raw `'` in patterns, encoded `'` in special-scheme queries)",
     [](const std::string& body, const Case& c, bool) {
       auto odd = [](std::string_view v) { return v.find_first_of("|[]^\\`{}'\"<> ") != std::string_view::npos; };
       return rule_value(body, odd) || c.url.find_first_of("|[]^\\`{}'\"<> ", 7) != std::string::npos;
     }},
    {"empty-query",
     "RFC 3986 3.4: \"/p?\" has an empty query and is the request target the crawler sends; robots-parser reads "
     "URL.search, which is \"\" for an empty query, and so matches \"/p\" (Disallow: /p? does not apply)",
     [](const std::string&, const Case& c, bool) { return c.url.ends_with("?"); }},
    {"size-limit",
     "RFC 9309 2.5: preheat parses the first 500 KiB only; robots-parser reads the whole file",
     [](const std::string& body, const Case&, bool) { return body.size() > RobotsTxt::kMaxBytes; }},
    {"robots-txt-path",
     "RFC 9309 2.2.2: \"/robots.txt\" is implicitly allowed; robots-parser applies the rules to it",
     [](const std::string&, const Case& c, bool) { return c.url.ends_with("/robots.txt"); }},
    {"agent-token",
     "RFC 9309 2.2.1: a user-agent line names a product token (letters, '-', '_'); preheat reads the "
     "token at the start of the value (\"Foo Bot\" and \"Foo*\" name \"foo\"), robots-parser takes the whole "
     "value up to a '/' (\"foo bot\", \"foo*\")",
     [](const std::string& body, const Case& c, bool) {
       auto odd = [](std::string_view v) {
         v = v.substr(0, v.find('/'));
         if (v == "*") return false;
         return v.empty() || v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_") !=
                                 std::string_view::npos;
       };
       return any_value(body, "user-agent", odd) || odd(c.agent.substr(0, c.agent.find('/')));
     }},
    {"crawl-delay-value",
     "Crawl-delay is not in RFC 9309; preheat takes a plain non-negative decimal (the largest when several "
     "apply), robots-parser JavaScript's Number() (\"\" -> 0, \"0x10\" -> 16, \"-1\" -> -1, the last one wins)",
     [](const std::string& body, const Case&, bool delay_only) {
       if (!delay_only) return false;
       const std::vector<std::string> v = values(body, "crawl-delay");
       return std::any_of(v.begin(), v.end(), [](const std::string& s) {
                return s.empty() || s.find_first_not_of("0123456789.") != std::string::npos;
              }) ||
              v.size() > 1;
     }},
    {"group-boundary",
     "RFC 9309 2.1: only rules end a group's user-agent lines; preheat lets Sitemap and unknown lines sit "
     "between user-agent lines (like Google's parser), robots-parser starts a new group after any other line",
     [](const std::string& body, const Case&, bool) {
       // A line other than a rule between two user-agent lines.
       bool after_agent = false, other = false;
       for (const auto& [k, v] : records(body)) {
         if (k == "user-agent") {
           if (after_agent && other) return true;
           after_agent = true;
           other = false;
         } else if (group_member(k)) {
           after_agent = false;
         } else {
           other = true;
         }
       }
       return false;
     }},
    {"empty-group",
     "RFC 9309 2.1: a group may have no rules; its crawler may fetch everything (as Google's parser does). "
     "robots-parser forgets a group without allow/disallow/crawl-delay lines and uses the '*' group",
     [](const std::string& body, const Case&, bool) {
       // The file ends with user-agent lines and no rule after them.
       std::string last;
       for (const auto& [k, v] : records(body)) {
         if (k == "user-agent" || group_member(k)) last = k;
       }
       return last == "user-agent";
     }},
};

// ---- the generator -----------------------------------------------------------

class Gen {
 public:
  explicit Gen(std::uint32_t seed) : rng_(seed) {}
  std::size_t below(std::size_t n) { return rng_() % n; }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
  template <class T, std::size_t N>
  const T& pick(const T (&a)[N]) {
    return a[below(N)];
  }

 private:
  std::mt19937 rng_;
};

const char* const kSegments[] = {"a",    "b",       "fish",      "private", "img",   "x.php",     "index.html",
                                 "Fish", "cat",     "ab",        "aa",      "page",  "caf\xC3\xA9", "%E3%83%84",
                                 "docs", "q",       "search",    "tmp",     "a-b_c", "x.gif"};
const char* const kRareSegments[] = {"%7Euser", "%2A", "%24", "a%2fb", "%41", "~user", "a|b", "x$y"};
const char* const kAgents[] = {"preheat", "FooBot", "foo-bot", "googlebot", "Googlebot-News", "bingbot", "*"};
const char* const kEol[] = {"\n", "\r\n", "\r"};

std::string segment(Gen& g) { return g.chance(6) ? g.pick(kRareSegments) : g.pick(kSegments); }

std::string random_path(Gen& g) {
  std::string p;
  const std::size_t n = 1 + g.below(3);
  for (std::size_t i = 0; i < n; ++i) p += "/" + segment(g);
  if (g.chance(20)) p += "/";
  if (g.chance(20)) p += "?" + std::string(g.pick(kSegments)) + "=" + segment(g);
  return p;
}

std::string random_pattern(Gen& g) {
  std::string p = g.chance(10) ? "*" : "";
  const std::size_t n = 1 + g.below(3);
  for (std::size_t i = 0; i < n; ++i) {
    p += "/" + segment(g);
    if (g.chance(25)) p += "*";
    if (g.chance(10)) p += "*" + std::string(g.pick(kSegments));
  }
  if (g.chance(15)) p = p.substr(0, 1 + g.below(p.size()));  // a prefix, also "/" alone
  if (g.chance(10)) p += "?";
  if (g.chance(20)) p += "$";
  return p;
}

std::string agent_value(Gen& g) {
  std::string a = g.pick(kAgents);
  if (g.chance(20)) {
    for (char& c : a) c = static_cast<char>(g.chance(50) ? std::toupper(c) : std::tolower(c));
  }
  if (g.chance(10) && a != "*") a += "/1.2";
  return a;
}

std::string key(Gen& g, std::string k) {
  if (g.chance(15)) {
    for (char& c : k) c = static_cast<char>(std::toupper(c));
  }
  return k;
}

// One generated file and the patterns it uses (for probing).
std::string generate_file(Gen& g, std::vector<std::string>& patterns) {
  const std::string eol = g.pick(kEol);
  std::string f;
  if (g.chance(5)) f += "\xEF\xBB\xBF";
  if (g.chance(10)) f += "Disallow: /before-any-agent" + eol;
  const std::size_t groups = 1 + g.below(4);
  for (std::size_t gi = 0; gi < groups; ++gi) {
    const std::size_t agents = 1 + g.below(2);
    for (std::size_t a = 0; a < agents; ++a) f += key(g, "User-agent") + ": " + agent_value(g) + eol;
    if (g.chance(15)) f += "Crawl-delay: " + std::string(g.pick({"1", "2.5", "0", "10", "0.25"})) + eol;
    const std::size_t rules = g.below(6);
    for (std::size_t r = 0; r < rules; ++r) {
      std::string pattern = g.chance(5) ? "" : random_pattern(g);
      if (g.chance(3)) pattern = "/" + std::string(3000 + g.below(3000), 'a') + "*b";  // a long line
      const bool allow = g.chance(40);
      f += key(g, allow ? "Allow" : "Disallow") + ":" + (g.chance(80) ? " " : "") + pattern;
      if (g.chance(10)) f += " # comment";
      f += eol;
      if (!pattern.empty()) patterns.push_back(pattern);
      if (g.chance(10) && !pattern.empty()) {  // the same pattern the other way: a tie
        f += key(g, allow ? "Disallow" : "Allow") + ": " + pattern + eol;
      }
    }
    if (g.chance(20)) f += eol;
    if (g.chance(5)) f += "this line is garbage" + eol;
    if (g.chance(10)) f += "Sitemap: http://example.com/sitemap-" + std::to_string(gi) + ".xml" + eol;
  }
  return f;
}

// URLs that land on, around and beside a pattern.
std::vector<std::string> probe_paths(Gen& g, const std::string& pattern) {
  std::string base = pattern;
  if (!base.empty() && base.back() == '$') base.pop_back();
  std::string filled;
  for (char c : base) filled += c == '*' ? std::string(g.pick(kSegments)) : std::string(1, c);
  if (filled.empty() || filled[0] != '/') filled = "/" + filled;
  std::vector<std::string> out = {filled, filled + "/" + g.pick(kSegments)};
  if (filled.size() > 2) out.push_back(filled.substr(0, filled.size() - 1));
  return out;
}

std::string url_of(const std::string& path) { return "http://example.com" + path; }

void add_cases(Gen& g, Corpus& corpus, std::size_t file, const std::vector<std::string>& patterns, std::size_t n) {
  std::vector<std::string> paths;
  for (const std::string& p : patterns) {
    for (std::string& u : probe_paths(g, p)) paths.push_back(std::move(u));
  }
  for (std::size_t i = 0; i < 3; ++i) paths.push_back(random_path(g));
  paths.push_back("/robots.txt");
  for (std::size_t i = 0; i < n && !paths.empty(); ++i) {
    std::string agent = g.chance(20) ? "preheat/0.1 (+http://example.com/bot)" : g.pick(kAgents);
    if (agent == "*") agent = "otherbot";
    corpus.cases.push_back({file, url_of(paths[g.below(paths.size())]), agent});
  }
}

struct Tricky {
  const char* name;
  const char* body;
  const char* path;
  const char* agent;
};
constexpr Tricky kTricky[] = {
    {"unreserved-escape", "User-agent: *\nDisallow: /%7Euser\n", "/~user/page", "preheat"},
    {"escaped-star", "User-agent: *\nDisallow: /file-%2A.html\n", "/file-*.html", "preheat"},
    {"escaped-dollar", "User-agent: *\nDisallow: /price-%24\n", "/price-$", "preheat"},
    {"encode-set", "User-agent: *\nDisallow: /a|b\n", "/a|b", "preheat"},
    {"robots-txt-path", "User-agent: *\nDisallow: /\n", "/robots.txt", "preheat"},
    {"agent-token", "User-agent: preheat crawler\nDisallow: /\n", "/x", "preheat"},
    {"crawl-delay-value", "User-agent: *\nCrawl-delay: 0x10\nDisallow: /x\n", "/y", "preheat"},
    {"crawl-delay-twice", "User-agent: *\nCrawl-delay: 9\nCrawl-delay: 3\n", "/y", "preheat"},
    {"group-boundary", "User-agent: preheat\nSitemap: http://example.com/s.xml\nUser-agent: other\nDisallow: /\n",
     "/x", "preheat"},
    {"empty-group", "User-agent: *\nDisallow: /\n\nUser-agent: preheat\n", "/x", "preheat"},
    {"empty-query", "User-agent: *\nDisallow: /p?\n", "/p?", "preheat"},
    {"bom", "\xEF\xBB\xBFUser-agent: *\nDisallow: /x\n", "/x", "preheat"},
};

Corpus build_corpus() {
  Corpus c;
  Gen g(20261127);
  for (int i = 0; i < 80; ++i) {
    std::vector<std::string> patterns;
    c.names.push_back("generated-" + std::to_string(i));
    c.bodies.push_back(generate_file(g, patterns));
    add_cases(g, c, c.bodies.size() - 1, patterns, 6);
  }
  // Past the 500 KiB limit: the rule after it counts for robots-parser only.
  {
    std::string big = "User-agent: *\nDisallow: /early\n";
    while (big.size() < RobotsTxt::kMaxBytes + 1000) big += "# " + std::string(60, 'p') + "\n";
    big += "Disallow: /late\n";
    c.names.push_back("oversized");
    c.bodies.push_back(big);
    c.cases.push_back({c.bodies.size() - 1, url_of("/early/x"), "preheat"});
    c.cases.push_back({c.bodies.size() - 1, url_of("/late"), "preheat"});
  }
  // One file per known difference, so that each one is seen to be real.
  for (const Tricky& t : kTricky) {
    c.names.push_back(std::string("tricky-") + t.name);
    c.bodies.push_back(t.body);
    c.cases.push_back({c.bodies.size() - 1, url_of(t.path), t.agent});
  }
  const fs::path dir = fs::path(PREHEAT_SOURCE_DIR) / "tests/crawl/robots_corpus";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    c.names.push_back(f.filename().string());
    c.bodies.push_back(testing::read_file(f));
    std::vector<std::string> patterns = values(c.bodies.back(), "disallow");
    for (std::string& p : values(c.bodies.back(), "allow")) patterns.push_back(std::move(p));
    std::erase(patterns, "");
    add_cases(g, c, c.bodies.size() - 1, patterns, 3 * patterns.size() / 2 + 10);
    for (const std::string& a : values(c.bodies.back(), "user-agent")) {
      c.cases.push_back({c.bodies.size() - 1, url_of(random_path(g)), a.empty() ? "x" : a});
    }
  }
  return c;
}

// ---- running both -----------------------------------------------------------

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

struct Theirs {
  std::vector<int> allowed;  // 1, 0, or -1 when robots-parser said nothing
  std::vector<std::optional<double>> delay;
  std::vector<std::string> sitemaps;  // per file, joined by \x01
};

Theirs run_robots_parser(const Corpus& c, const testing::TempDir& tmp) {
  std::string json = "{\"files\":[";
  for (std::size_t i = 0; i < c.bodies.size(); ++i) {
    const fs::path f = tmp / (std::to_string(i) + ".txt");
    testing::write_file(f, c.bodies[i]);
    json += (i ? "," : "") + json_string(f.string());
  }
  json += "],\"cases\":[";
  for (std::size_t i = 0; i < c.cases.size(); ++i) {
    json += (i ? ",[" : "[") + std::to_string(c.cases[i].file) + "," + json_string(c.cases[i].url) + "," +
            json_string(c.cases[i].agent) + "]";
  }
  json += "]}";
  testing::write_file(tmp / "cases.json", json);
  const fs::path script = fs::path(PREHEAT_SOURCE_DIR) / "tests/crawl/robots_parser/verdicts.mjs";
  const std::string cmd = std::string("'") + PREHEAT_NODE + "' '" + script.string() + "' '" +
                          (tmp / "cases.json").string() + "'";
  Theirs t;
  t.allowed.assign(c.cases.size(), -2);
  t.delay.resize(c.cases.size());
  t.sitemaps.resize(c.bodies.size());
  const std::string all = testing::command_output(cmd);
  std::size_t pos = 0;
  while (pos < all.size()) {
    const std::size_t end = all.find('\n', pos);
    const std::string line = all.substr(pos, end - pos);
    pos = end == std::string::npos ? all.size() : end + 1;
    std::vector<std::string> cols;
    for (std::size_t a = 0, b; a <= line.size(); a = b + 1) {
      b = line.find('\t', a);
      if (b == std::string::npos) b = line.size();
      cols.push_back(line.substr(a, b - a));
    }
    if (cols.size() == 3 && cols[0] == "s") t.sitemaps.at(std::stoul(cols[1])) = cols[2];
    if (cols.size() == 4 && cols[0] == "c") {
      const std::size_t i = std::stoul(cols[1]);
      t.allowed.at(i) = cols[2] == "1" ? 1 : cols[2] == "0" ? 0 : -1;
      if (cols[3] != "-") t.delay.at(i) = std::stod(cols[3]);
    }
  }
  return t;
}

std::string path_of(const std::string& url) {
  const Result<std::string> n = normalize_url(url);
  const std::string u = n.ok() ? n.value() : url;
  const std::size_t slash = u.find('/', u.find("//") + 2);
  return slash == std::string::npos ? "/" : u.substr(slash);
}

const Difference* explain(const std::string& body, const Case& c, bool delay_only) {
  for (const Difference& d : kDifferences) {
    if (d.applies(body, c, delay_only)) return &d;
  }
  return nullptr;
}

TEST(RobotsDiffTest, SameVerdictsAsRobotsParser) {
#ifndef PREHEAT_NODE
  GTEST_SKIP() << "node not found at configure time";
#else
  const fs::path dir = fs::path(PREHEAT_SOURCE_DIR) / "tests/crawl/robots_parser";
  if (!fs::exists(dir / "node_modules/robots-parser")) GTEST_SKIP() << "run scripts/setup (npm ci robots-parser)";
  const Corpus corpus = build_corpus();
  ASSERT_GE(corpus.cases.size(), 300u);
  testing::TempDir tmp;
  const Theirs theirs = run_robots_parser(corpus, tmp);

  std::vector<RobotsTxt> parsed;
  for (const std::string& b : corpus.bodies) parsed.push_back(RobotsTxt::parse(b));

  std::size_t agree = 0, explained = 0, disallowed = 0;
  std::map<std::string, std::size_t> reasons;
  for (std::size_t i = 0; i < corpus.cases.size(); ++i) {
    const Case& c = corpus.cases[i];
    const std::string& body = corpus.bodies[c.file];
    ASSERT_NE(theirs.allowed[i], -2) << "node did not report case " << i;
    ASSERT_NE(theirs.allowed[i], -1) << "robots-parser found " << c.url << " not on its site";
    const RobotsRules rules = parsed[c.file].rules_for(c.agent);
    const bool mine = rules.allowed(path_of(c.url));
    disallowed += mine ? 0 : 1;
    const std::optional<double> my_delay = rules.crawl_delay();
    const bool same_verdict = mine == (theirs.allowed[i] == 1);
    const bool same_delay = my_delay.has_value() == theirs.delay[i].has_value() &&
                            (!my_delay || std::abs(*my_delay - *theirs.delay[i]) < 1e-9);
    if (same_verdict && same_delay) {
      ++agree;
      continue;
    }
    if (const Difference* d = explain(body, c, same_verdict)) {
      ++explained;
      ++reasons[d->name];
      continue;
    }
    ADD_FAILURE() << "unexplained disagreement on " << corpus.names[c.file] << " for " << c.url << " as "
                  << c.agent << ": preheat " << (mine ? "allows" : "disallows") << " (path "
                  << path_of(c.url) << ", delay " << (my_delay ? std::to_string(*my_delay) : "-")
                  << "), robots-parser " << (theirs.allowed[i] == 1 ? "allows" : "disallows") << " (delay "
                  << (theirs.delay[i] ? std::to_string(*theirs.delay[i]) : "-") << ")\n--- file ---\n"
                  << body.substr(0, 2000);
  }
  for (std::size_t f = 0; f < corpus.bodies.size(); ++f) {
    std::string mine;
    for (const std::string& s : parsed[f].sitemaps()) mine += (mine.empty() ? "" : "\x01") + s;
    EXPECT_EQ(mine, theirs.sitemaps[f]) << corpus.names[f];
  }
  std::cout << "robots-parser differential: " << corpus.bodies.size() << " files, " << corpus.cases.size()
            << " triples (" << disallowed << " disallowed by preheat), " << agree << " agree, " << explained
            << " explained\n";
  for (const auto& [name, n] : reasons) std::cout << "  " << n << " x " << name << "\n";
  // Every known difference is seen at least once (the tricky files), so none
  // of them is a stale excuse.
  for (const Difference& d : kDifferences) EXPECT_GT(reasons[d.name], 0u) << d.name << " never seen";
  // The comparison must mostly agree, or the explanations are hiding a bug.
  EXPECT_GE(agree * 10, corpus.cases.size() * 8);
  EXPECT_GE(disallowed * 5, corpus.cases.size());  // both verdicts well represented
#endif
}

}  // namespace
}  // namespace preheat::crawl
