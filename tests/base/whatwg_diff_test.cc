// Differential test: resolve_link against npm whatwg-url (the WHATWG URL
// Standard's reference implementation) on tests/base/whatwg/corpus.tsv.
// diff.js prints whatwg-url's fragment-less href and the same href with our
// documented deliberate differences applied (percent-encoding normalisation);
// every case must match the latter or be listed in kExpectedDifferences.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/url_normalizer.h"

namespace preheat {
namespace {

const std::string kDir = PREHEAT_SOURCE_DIR "/tests/base/whatwg";

// Keyed by the href as written in corpus.tsv (escaped), for every base.
// Every other case agrees once the documented normalisations are applied.
// Add {href, one-line reason} for a deliberate new difference.
const std::map<std::string, std::string> kExpectedDifferences = {
    {"http://xn--a.example/",
     "ASCII hosts are not punycode-validated: libidn2 (IDNA2008) would also reject emoji A-labels WHATWG accepts"},
};

std::string unescape_field(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      const char c = s[++i];
      out += c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == 'f' ? '\f' : c;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct Case {
  std::string base, href, href_escaped;
};

std::vector<Case> read_corpus() {
  std::vector<Case> cases;
  std::ifstream in(kDir + "/corpus.tsv");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    cases.push_back({unescape_field(line.substr(0, tab)), unescape_field(line.substr(tab + 1)), line.substr(tab + 1)});
  }
  return cases;
}

std::vector<std::string> run_oracle() {
  std::vector<std::string> lines;
  const std::string command = "node " + kDir + "/diff.js " + kDir + "/corpus.tsv";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return lines;
  std::string line;
  for (int c; (c = std::fgetc(pipe.get())) != EOF;) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else {
      line += static_cast<char>(c);
    }
  }
  return lines;
}

TEST(WhatwgDiff, AgreesWithWhatwgUrlOrDiffersOnPurpose) {
  if (std::system("command -v node >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "node is missing: apt-get install nodejs npm, then scripts/setup";
  }
  if (!std::filesystem::exists(kDir + "/node_modules/whatwg-url")) {
    GTEST_SKIP() << "whatwg-url is missing: npm install --prefix tests/base/whatwg (scripts/setup does it)";
  }
  const auto cases = read_corpus();
  const auto oracle = run_oracle();
  ASSERT_GE(cases.size(), 200u);
  ASSERT_EQ(oracle.size(), cases.size()) << "diff.js printed a different number of lines";

  size_t raw_agree = 0, adjusted_agree = 0, expected = 0;
  std::map<std::string, bool> used;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    auto ours = resolve_link(c.base, c.href);
    const std::string got = ours.ok() ? *ours : "FAIL";
    // The crawler's per-page LinkResolver must say exactly the same.
    const Result<LinkResolver> resolver = LinkResolver::make(c.base);
    const Result<std::string> again = resolver.ok() ? resolver->resolve(c.href) : Result<std::string>(resolver.status());
    EXPECT_EQ(again.ok() ? *again : "FAIL: " + again.status().message(),
              ours.ok() ? *ours : "FAIL: " + ours.status().message())
        << "LinkResolver differs from resolve_link on line " << i + 1;
    const std::string& line = oracle[i];
    const size_t tab = line.find('\t');
    const std::string raw = line.substr(0, tab);
    const std::string adjusted = tab == std::string::npos ? raw : line.substr(tab + 1);
    if (got == raw) ++raw_agree;
    if (got == adjusted) {
      ++adjusted_agree;
      continue;
    }
    if (auto it = kExpectedDifferences.find(c.href_escaped); it != kExpectedDifferences.end()) {
      ++expected;
      used[it->first] = true;
      continue;
    }
    ADD_FAILURE() << "line " << i + 1 << ": base '" << c.base << "' href '" << c.href_escaped << "'\n  ours:   " << got
                  << (ours.ok() ? "" : " (" + ours.status().message() + ")") << "\n  whatwg: " << raw
                  << "\n  whatwg adjusted: " << adjusted;
  }
  for (const auto& [href, reason] : kExpectedDifferences) {
    EXPECT_TRUE(used.count(href)) << "stale expected difference (now agrees or not in the corpus): '" << href << "'";
  }
  std::printf("whatwg-url differential: %zu cases, %zu identical, %zu equal after documented normalisation, "
              "%zu expected differences\n",
              cases.size(), raw_agree, adjusted_agree, expected);
}

}  // namespace
}  // namespace preheat
