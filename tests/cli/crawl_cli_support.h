// What the crawl CLI tests share (crawl_cli_test.cc, crawl_postgres_cli_test.cc):
// the preheat binary, a testsite running in the test process with its
// request log, and readers of that log and of a crawl database.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "testsite/fault_set.h"
#include "testsite/site_model.h"
#include "tests/cli/subprocess.h"
#include "tests/support/support.h"
#include "tests/testsite/running_server.h"

namespace preheat::testing {

inline const std::filesystem::path kBinary = PREHEAT_BINARY;

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// The request targets in testsite log lines [from, end): "... GET /p/1 200 ..." -> "/p/1".
inline std::vector<std::string> logged_targets(const std::vector<std::string>& log, std::size_t from) {
  std::vector<std::string> out;
  for (std::size_t i = from; i < log.size(); ++i) {
    std::istringstream fields(log[i]);
    std::string time, method, target;
    fields >> time >> method >> target;
    out.push_back(target);
  }
  return out;
}

// Until the site's log holds `n` requests (at most 60 s): a crawl to be
// interrupted is under way. A fixed sleep (300 ms) was not always enough
// under ASan on a busy machine to get past start-up, robots.txt and
// /sitemap.xml, and the signal then came before the handler or any page.
inline void wait_for_requests(const std::filesystem::path& log, std::size_t n) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < give_up &&
         (!std::filesystem::exists(log) || split_lines(read_file(log)).size() < n)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

struct Site {
  // robots.txt (fault `robots`) asks for `crawl_delay_s`, small by default
  // so that crawls here stay short.
  explicit Site(std::size_t pages, const std::filesystem::path& log, int latency_ms = 0, testsite::FaultSet faults = {},
                double crawl_delay_s = 0.01)
      : model({.pages = pages,
               .fanout = 6,
               .seed = 3,
               .page_bytes = 512,
               .faults = faults,
               .crawl_delay_s = crawl_delay_s}),
        server(model, options(log, latency_ms)),
        base("http://127.0.0.1:" + std::to_string(server.port()) + "/") {}
  static testsite::ServerOptions options(const std::filesystem::path& log, int latency_ms) {
    testsite::ServerOptions o;
    o.log_path = log.string();
    o.latency.base = std::chrono::milliseconds(latency_ms);
    return o;
  }
  std::vector<std::string> truth() const {
    auto t = model.ground_truth(base);
    std::vector<std::string> v = *t;
    std::sort(v.begin(), v.end());
    return v;
  }
  // "http://127.0.0.1:PORT/p/1" -> "/p/1"
  std::string target(const std::string& url) const { return "/" + url.substr(base.size()); }

  testsite::SiteModel model;
  testsite::testing::RunningServer server;
  std::string base;
};

// One SQL statement through psql, its rows unaligned ("a|b" lines).
inline std::string psql(const std::string& uri, const std::string& sql) {
  return command_output("psql -X -q -At '" + uri + "' -c \"" + sql + "\" 2>&1");
}

// The largest "open=N" in a testsite log: connections open at once.
inline int max_open(const std::vector<std::string>& log) {
  int most = 0;
  for (const std::string& line : log) {
    const std::size_t at = line.find(" open=");
    if (at != std::string::npos) most = std::max(most, std::atoi(line.c_str() + at + 6));
  }
  return most;
}

inline std::vector<std::string> db_urls(const TempDir& dir, const std::string& db) {
  const bool postgres = db.starts_with("postgresql://");
  if (!postgres && !std::filesystem::exists(dir / db)) return {};
  const ProcessResult r = run_process(kBinary, {"urls", "--db", db}, dir.path());
  // A crawl killed before it created its schema leaves an empty file: no pages.
  if (r.exited && r.exit_code == 2 && r.err.find("the database is empty") != std::string::npos) return {};
  EXPECT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  return split_lines(r.out);
}

}  // namespace preheat::testing
