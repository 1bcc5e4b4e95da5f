// `preheat crawl` against the testsite's infinite calendar: the crawl ends by
// itself, its summary and `preheat stats` say how many URLs were refused as
// traps and why; --max-pages-per-host holds exactly (from the testsite's own
// request log); bad values of the trap flags are usage errors.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "tests/cli/subprocess.h"
#include "tests/support/support.h"
#include "tests/testsite/running_server.h"
#include "testsite/fault_set.h"
#include "testsite/site_model.h"

namespace preheat::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kBinary = PREHEAT_BINARY;

struct CalendarSite {
  explicit CalendarSite(const fs::path& log)
      : model({.pages = 30, .fanout = 5, .seed = 9, .page_bytes = 256, .faults = *testsite::parse_faults("calendar")}),
        server(model, options(log)),
        base("http://127.0.0.1:" + std::to_string(server.port()) + "/") {}
  static testsite::ServerOptions options(const fs::path& log) {
    testsite::ServerOptions o;
    o.log_path = log.string();
    return o;
  }
  testsite::SiteModel model;
  testsite::testing::RunningServer server;
  std::string base;
};

std::vector<std::string> lines_of(const fs::path& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

TEST(CliTrapTest, TheCalendarEndsByItselfAndStatsSayWhy) {
  TempDir dir;
  CalendarSite site(dir / "requests.log");
  const ProcessResult r = run_process(
      kBinary, {"crawl", site.base, "--db", "c.db", "--json", "--quiet", "--max-pages-per-date-pattern", "50"},
      dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  const boost::json::value o = boost::json::parse(r.out);
  EXPECT_EQ(o.at("outcome").as_string(), "complete");
  EXPECT_EQ(o.at("traps_refused").as_int64(), 1);
  EXPECT_EQ(o.at("traps").at("calendar-pattern").as_int64(), 1);
  EXPECT_EQ(o.at("errors_by_class").at("trap").as_int64(), 1);
  // 50 days fetched (2024-01-01 .. 2024-02-19), the 51st refused, never requested.
  site.server.stop();
  std::int64_t calendar = 0;
  for (const std::string& line : lines_of(dir / "requests.log")) {
    if (line.find(" /calendar/") != std::string::npos) ++calendar;
    EXPECT_EQ(line.find("/calendar/2024-02-20"), std::string::npos) << line;
  }
  EXPECT_EQ(calendar, 50);

  const ProcessResult st = run_process(kBinary, {"stats", "--db", "c.db", "--json"}, dir.path());
  ASSERT_TRUE(st.exited && st.exit_code == 0) << st.describe();
  const boost::json::value s = boost::json::parse(st.out);
  EXPECT_EQ(s.at("errors").at("trap").as_int64(), 1);
  EXPECT_EQ(s.at("traps").at("calendar-pattern").as_int64(), 1);
  const ProcessResult text = run_process(kBinary, {"stats", "--db", "c.db"}, dir.path());
  EXPECT_THAT(text.out, HasSubstr("traps (pages with error class trap, by rule): calendar-pattern 1"));
}

TEST(CliTrapTest, TextSummaryNamesTheRefusals) {
  TempDir dir;
  CalendarSite site(dir / "requests.log");
  const ProcessResult r =
      run_process(kBinary, {"crawl", site.base, "--db", "c.db", "--max-pages-per-date-pattern", "5"}, dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  EXPECT_THAT(r.out,
              HasSubstr("traps: 1 URLs refused (calendar-pattern 1); 1 recorded as pages with error class trap"));
}

// The seed and the first links up to 7 pages: exactly 7 page requests.
TEST(CliTrapTest, MaxPagesPerHostHoldsExactly) {
  TempDir dir;
  CalendarSite site(dir / "requests.log");
  const ProcessResult r = run_process(
      kBinary, {"crawl", site.base, "--db", "c.db", "--json", "--quiet", "--max-pages-per-host", "7"}, dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  const boost::json::value o = boost::json::parse(r.out);
  EXPECT_EQ(o.at("outcome").as_string(), "complete");
  EXPECT_GT(o.at("traps").at("host-budget").as_int64(), 0);
  site.server.stop();
  const std::vector<std::string> log = lines_of(dir / "requests.log");
  // The budget counts pages; the crawler's own files (robots.txt, and the
  // /sitemap.xml it tries when robots.txt names no sitemap) are not pages.
  auto count = [&log](const char* target) {
    return static_cast<std::size_t>(std::count_if(
        log.begin(), log.end(), [target](const std::string& l) { return l.find(target) != std::string::npos; }));
  };
  const std::size_t robots = count(" /robots.txt ");
  const std::size_t sitemap = count(" /sitemap.xml ");
  EXPECT_EQ(robots, 1u);
  EXPECT_LE(sitemap, 1u);
  EXPECT_EQ(log.size() - robots - sitemap, 7u);
}

TEST(CliTrapTest, BadTrapFlagValuesAreUsageErrors) {
  TempDir dir;
  struct Case {
    std::vector<std::string> flag;
    std::string err;
  } cases[] = {
      {{"--max-url-length", "-5"}, "--max-url-length"},
      {{"--max-pages-per-host", "many"}, "--max-pages-per-host"},
      {{"--max-path-repeats", "-2"}, "--max-path-repeats"},
      {{"--max-segment-repeats", "1001"}, "--max-segment-repeats"},
      {{"--max-future-days", "1e99"}, "--max-future-days"},
      {{"--max-pages-per-date-pattern", "-3"}, "--max-pages-per-date-pattern"},
      {{"--max-trap-rows", ""}, "--max-trap-rows"},
      {{"--max-path-repeats", "0"}, "--max-path-repeats 0 would refuse every link"},
      {{"--max-segment-repeats", "0"}, "--max-segment-repeats 0 would refuse every link"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"crawl", "http://127.0.0.1:9/", "--db", "c.db", "--quiet"};
    args.insert(args.end(), c.flag.begin(), c.flag.end());
    SCOPED_TRACE(::testing::PrintToString(args));
    const ProcessResult r = run_process(kBinary, args, dir.path());
    EXPECT_TRUE(r.exited && r.exit_code == 2) << r.describe();
    EXPECT_THAT(r.err, HasSubstr(c.err));
  }
  EXPECT_FALSE(fs::exists(dir / "c.db"));
}

}  // namespace
}  // namespace preheat::testing
