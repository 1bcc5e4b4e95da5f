// End-to-end tests of the preheat binary: each test runs the real program
// (tests/cli/subprocess.h) in a fresh temporary folder and checks its exit
// code, its stdout (parsed as JSON where it is JSON), its stderr and the
// files it writes. Figures are asserted only where they are exact
// (simulation); real runs are checked for shape, never for timing.
#include <signal.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/cli/subprocess.h"
#include "tests/support/support.h"

namespace preheat::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
using ::testing::StrEq;

const fs::path kBinary = PREHEAT_BINARY;
const std::string kCake = (fs::path(PREHEAT_SOURCE_DIR) / "examples" / "cake.toml").string();

ProcessResult preheat(const std::vector<std::string>& args, const fs::path& cwd) {
  return run_process(kBinary, args, cwd);
}

MATCHER_P(FullyMatchesRegex, pattern, "fully matches /" + std::string(pattern) + "/") {
  return std::regex_match(arg, std::regex(pattern));
}

// The whole of `text` as one JSON object (an empty one, and a failure, if it is not).
boost::json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "not a JSON object (" << ec.message() << "): " << text;
    return {};
  }
  return v.get_object();
}

// The value at `key` (null if there is none).
boost::json::value field(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr ? *v : boost::json::value(nullptr);
}

// The number at `key` (NaN, and a failure, if there is none).
double number(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) {
    ADD_FAILURE() << "no number at '" << key << "' in " << boost::json::serialize(o);
    return std::numeric_limits<double>::quiet_NaN();
  }
  return v->to_number<double>();
}

const boost::json::object& object_at(const boost::json::object& o, std::string_view key) {
  static const boost::json::object empty;
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_object()) {
    ADD_FAILURE() << "no object at '" << key << "' in " << boost::json::serialize(o);
    return empty;
  }
  return v->get_object();
}

const boost::json::array& array_at(const boost::json::object& o, std::string_view key) {
  static const boost::json::array empty;
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_array()) {
    ADD_FAILURE() << "no array at '" << key << "' in " << boost::json::serialize(o);
    return empty;
  }
  return v->get_array();
}

// ---- command line ----

TEST(CliTest, HelpAndVersionPrintToStdoutAndExitZero) {
  struct Case {
    std::vector<std::string> args;
    ::testing::Matcher<std::string> out;
  };
  const std::vector<Case> cases = {
      {{"--help"}, AllOf(HasSubstr("\n  bake "), HasSubstr("\n  demo "), HasSubstr("Exit codes:"))},
      {{"--version"}, FullyMatchesRegex(R"(preheat \d+\.\d+\.\d+\n)")},
      {{"bake", "--help"}, AllOf(StartsWith("Run a task graph"), HasSubstr("Usage: preheat bake"), HasSubstr("--simulate"))},
      {{"demo", "--help"}, AllOf(HasSubstr("Usage: preheat demo"), HasSubstr("cake"), HasSubstr("responsiveness"))},
      {{"demo", "cake", "--help"}, AllOf(HasSubstr("Usage: preheat demo cake"), HasSubstr("--out"))},
      {{"demo", "responsiveness", "--help"}, AllOf(HasSubstr("Usage: preheat demo responsiveness"), HasSubstr("--megabytes"))},
  };
  TempDir dir;
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.args));
    const ProcessResult r = preheat(c.args, dir.path());
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.describe();
    EXPECT_THAT(r.out, c.out);
    EXPECT_THAT(r.err, IsEmpty());
  }
}

TEST(CliTest, BadUsageExitsTwoWithAMessageOnStderr) {
  struct Case {
    std::vector<std::string> args;
    ::testing::Matcher<std::string> err;
  };
  const std::vector<Case> cases = {
      {{}, HasSubstr("A subcommand is required")},
      {{"demo"}, HasSubstr("A subcommand is required")},
      {{"frob"}, StrEq("preheat: unknown command 'frob' (commands: bake, crawl, urls, stats, demo, export, fetch, serve, testsite; see preheat --help)\n")},
      {{"--frob"}, Not(IsEmpty())},
      {{"bake"}, HasSubstr("recipe is required")},
      {{"bake", kCake, "--frob"}, HasSubstr("The following argument was not expected: --frob")},
      {{"bake", kCake, "--mode", "fast"}, HasSubstr("--mode: fast not in {sequential,async,parallel}")},
      {{"bake", kCake, "--workers", "0"}, HasSubstr("--workers: Value 0 not in range 1 to 256")},
      {{"bake", kCake, "--scale", "-1"}, HasSubstr("--scale: Value -1 not in range")},
      {{"bake", kCake, "--scale", "0"}, HasSubstr("--scale: Value 0 not in range")},
      {{"demo", "responsiveness", "--mode", "fast"}, HasSubstr("--mode: fast not in {sequential,async,parallel}")},
  };
  TempDir dir;
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.args));
    const ProcessResult r = preheat(c.args, dir.path());
    EXPECT_TRUE(r.exited && r.exit_code == 2) << r.describe();
    EXPECT_THAT(r.err, c.err);
    EXPECT_THAT(r.out, IsEmpty());
  }
}

// ---- bake ----

TEST(CliBakeTest, SimulatedFiguresAreExactInEveryMode) {
  struct Case {
    std::string mode;
    int workers;
    double wall, execution, waiting;
  };
  const std::vector<Case> cases = {
      {"sequential", 1, 60, 25, 35},
      {"async", 1, 45, 25, 35},
      {"parallel", 2, 35, 30, 35},  // 2 workers by default
  };
  TempDir dir;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.mode);
    const ProcessResult r = preheat({"bake", kCake, "--simulate", "--json", "--mode", c.mode}, dir.path());
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
    const boost::json::object o = parse_object(r.out);
    EXPECT_EQ(field(o, "recipe"), "The article's cake");
    EXPECT_EQ(field(o, "mode"), c.mode.c_str());
    EXPECT_EQ(field(o, "simulated"), true);
    EXPECT_EQ(field(o, "unit"), "minutes");
    EXPECT_EQ(number(o, "workers"), c.workers);
    EXPECT_EQ(number(o, "wall"), c.wall);
    EXPECT_EQ(number(o, "execution"), c.execution);
    EXPECT_EQ(number(o, "waiting"), c.waiting);
    EXPECT_NEAR(number(o, "parallelism"), c.execution / c.wall, 1e-5);
    EXPECT_FALSE(o.contains("expected")) << "a simulation is its own expectation";
  }
}

TEST(CliBakeTest, BadRecipeExitsTwoNamingTheTaskAndLine) {
  struct Case {
    std::string file;
    std::optional<std::string> content;  // nullopt: the file does not exist
    ::testing::Matcher<std::string> err;
  };
  const std::vector<Case> cases = {
      {"cycle.toml",
       "[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = 1\nafter = [\"b\"]\n\n"
       "[[task]]\nname = \"b\"\nkind = \"work\"\nminutes = 1\nafter = [\"a\"]\n",
       "preheat bake: cycle.toml: the tasks depend on each other in a cycle: 'a' -> 'b' -> 'a'\n"},
      {"unknown_dep.toml",
       "[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = 1\n\n"
       "[[task]]\nname = \"b\"\nkind = \"wait\"\nminutes = 2\nafter = [\"x\"]\n",
       "preheat bake: unknown_dep.toml:6: task 'b' depends on unknown task 'x'\n"},
      {"negative.toml", "[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = -3\n",
       "preheat bake: negative.toml:4: task 'a': minutes must not be negative (got -3)\n"},
      // The description after "invalid TOML: " is toml++'s wording.
      {"invalid.toml", "[[task]]\nname = \"a\"\nkind = work\nminutes = 1\n",
       StartsWith("preheat bake: invalid.toml:3:8: invalid TOML: ")},
      {"unknown_key.toml", "[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = 1\ncolour = \"red\"\n",
       "preheat bake: unknown_key.toml:5: task 'a': unknown key 'colour' (known: name, kind, minutes, after, split)\n"},
      {"unknown_top_key.toml", "title = \"t\"\nchef = \"me\"\n",
       "preheat bake: unknown_top_key.toml:2: unknown key 'chef' (known: title, task)\n"},
      {"duplicate.toml",
       "[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = 1\n\n[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = 1\n",
       "preheat bake: duplicate.toml:6: task 'a' is defined twice (first on line 1)\n"},
      {"empty.toml", "", "preheat bake: empty.toml: the recipe has no tasks (add [[task]] tables)\n"},
      {"missing.toml", std::nullopt, "preheat bake: cannot read recipe 'missing.toml'\n"},
  };
  TempDir dir;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    if (c.content) write_file(dir / c.file, *c.content);
    const ProcessResult r = preheat({"bake", c.file, "--simulate"}, dir.path());
    EXPECT_TRUE(r.exited && r.exit_code == 2) << r.describe();
    EXPECT_THAT(r.err, c.err);
    EXPECT_THAT(r.out, IsEmpty());
  }
}

TEST(CliBakeTest, WritesChromeTraceAndSvg) {
  TempDir dir;
  // A folder with a space, created by the binary: arguments reach it unsplit.
  const fs::path trace = dir / "time lines/t.json";
  const fs::path svg = dir / "time lines/t.svg";
  const ProcessResult r =
      preheat({"bake", kCake, "--simulate", "--trace", trace.string(), "--svg", svg.string()}, dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  ASSERT_TRUE(fs::exists(trace));
  ASSERT_TRUE(fs::exists(svg));
  EXPECT_THAT(r.out, HasSubstr(trace.string()));
  EXPECT_THAT(r.out, HasSubstr(svg.string()));

  const boost::json::object t = parse_object(read_file(trace));
  int complete_events = 0;
  for (const boost::json::value& e : array_at(t, "traceEvents")) {
    if (e.is_object() && e.get_object().contains("ph") && e.get_object().at("ph") == "X") ++complete_events;
  }
  EXPECT_GE(complete_events, 1);

  const std::string picture = read_file(svg);
  EXPECT_TRUE(picture.starts_with("<svg") || picture.starts_with("<?xml")) << picture.substr(0, 80);
  EXPECT_THAT(picture, HasSubstr("</svg>"));
}

TEST(CliBakeTest, UnwritableOutputExitsThree) {
  TempDir dir;
  const fs::path file = dir / "a file";
  write_file(file, "not a folder");
  struct Case {
    std::string flag;
    std::string path;
    std::string err;
  };
  const std::vector<Case> cases = {
      {"--svg", "/proc/forbidden/x.svg", "preheat bake: cannot create folder '/proc/forbidden': "},
      {"--trace", "/proc/forbidden/x.json", "preheat bake: cannot create folder '/proc/forbidden': "},
      {"--svg", (file / "x.svg").string(), "preheat bake: cannot create folder '" + file.string() + "': "},
      {"--trace", (file / "x.json").string(), "preheat bake: cannot create folder '" + file.string() + "': "},
      {"--svg", "/proc/x.svg", "preheat bake: cannot open '/proc/x.svg' for writing: "},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.flag + " " + c.path);
    const ProcessResult r = preheat({"bake", kCake, "--simulate", c.flag, c.path}, dir.path());
    EXPECT_TRUE(r.exited && r.exit_code == 3) << r.describe();
    EXPECT_THAT(r.err, StartsWith(c.err));
  }
}

TEST(CliBakeTest, RealRunReportsMeasuredAndExpectedFigures) {
  TempDir dir;
  const ProcessResult r = preheat({"bake", kCake, "--mode", "async", "--scale", "0.001", "--json"}, dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  const boost::json::object o = parse_object(r.out);
  EXPECT_EQ(field(o, "simulated"), false);
  EXPECT_EQ(field(o, "mode"), "async");
  EXPECT_EQ(number(o, "scale"), 0.001);
  // Measured figures: only their shape, never their size (the machine is noisy).
  for (const char* key : {"wall", "execution", "waiting"}) {
    SCOPED_TRACE(key);
    EXPECT_GT(number(o, key), 0);
  }
  const boost::json::object& expected = object_at(o, "expected");
  EXPECT_EQ(number(expected, "wall"), 45);
  EXPECT_EQ(number(expected, "execution"), 25);
  EXPECT_EQ(number(expected, "waiting"), 35);
}

// Ctrl-C during a real run that would last 60 s: every mode stops and exits
// 130. The three runs go side by side so that a hang costs the guard once.
TEST(CliBakeTest, InterruptedRealRunExits130) {
  const std::vector<std::string> modes = {"sequential", "async", "parallel"};
  TempDir dir;
  std::vector<std::unique_ptr<Subprocess>> runs;
  for (const std::string& mode : modes) {
    runs.push_back(std::make_unique<Subprocess>(kBinary, std::vector<std::string>{"bake", kCake, "--mode", mode, "--scale", "1"},
                                                dir.path()));
  }
  // Startup: wait until each has installed its Ctrl-C handler, then a little
  // longer so the signal lands inside the run, not before it.
  const auto startup_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    while (!runs[i]->catches(SIGINT) && std::chrono::steady_clock::now() < startup_deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(runs[i]->catches(SIGINT)) << modes[i] << ": no SIGINT handler after 10 s";
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (const auto& run : runs) run->send_signal(SIGINT);
  // A hang guard, far below the 60 s the run would take; not a timing assertion.
  const auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    SCOPED_TRACE(modes[i]);
    const ProcessResult r = runs[i]->wait(guard);
    EXPECT_TRUE(r.exited && r.exit_code == 130) << r.describe();
    EXPECT_EQ(r.err, "preheat bake: interrupted\n");
    EXPECT_THAT(r.out, IsEmpty());
  }
}

// ---- demo cake ----

TEST(CliDemoCakeTest, SimulatedRowsEqualTheExpectationAndTimelinesAreWritten) {
  struct Row {
    std::string mode;
    int workers;
    double wall;
  };
  const std::vector<Row> rows = {{"sequential", 1, 60}, {"async", 1, 45}, {"parallel", 2, 35}};
  TempDir dir;
  const fs::path out = dir / "cake out";
  const ProcessResult r = preheat({"demo", "cake", "--simulate", "--json", "--out", out.string()}, dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  const boost::json::object o = parse_object(r.out);
  EXPECT_EQ(field(o, "simulated"), true);
  const boost::json::array& modes = array_at(o, "modes");
  ASSERT_EQ(modes.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& want = rows[i];
    SCOPED_TRACE(want.mode);
    ASSERT_TRUE(modes[i].is_object());
    const boost::json::object& got = modes[i].get_object();
    EXPECT_EQ(field(got, "mode"), want.mode.c_str());
    EXPECT_EQ(number(got, "workers"), want.workers);
    EXPECT_EQ(number(got, "expected_wall"), want.wall);
    EXPECT_EQ(number(got, "wall"), want.wall);
    for (const char* ext : {"json", "svg"}) {
      const fs::path file = out / ("cake-" + want.mode + "." + ext);
      EXPECT_TRUE(fs::exists(file)) << file;
      EXPECT_EQ(field(got, std::string(ext) == "json" ? "trace" : "svg"), file.string().c_str());
    }
  }
}

TEST(CliDemoCakeTest, TimelinesGoToPreheatOutInTheWorkingFolderByDefault) {
  TempDir dir;
  const ProcessResult r = preheat({"demo", "cake", "--simulate"}, dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  for (const char* mode : {"sequential", "async", "parallel"}) {
    for (const char* ext : {"json", "svg"}) {
      const fs::path file = dir / (std::string("preheat-out/cake-") + mode + "." + ext);
      EXPECT_TRUE(fs::exists(file)) << file;
    }
  }
}

// ---- demo responsiveness ----

// Checks one row of `demo responsiveness --megabytes 4 --json` and its timelines.
void expect_responsiveness_row(const boost::json::object& row, const std::string& mode, const fs::path& out) {
  SCOPED_TRACE(mode);
  EXPECT_EQ(field(row, "mode"), mode.c_str());
  const boost::json::object& late = object_at(row, "lateness");
  const double p50 = number(late, "p50_ms");
  const double p99 = number(late, "p99_ms");
  const double max = number(late, "max_ms");
  EXPECT_GE(p50, 0);
  EXPECT_LE(p50, p99);
  EXPECT_LE(p99, max);
  EXPECT_GE(number(late, "ticks"), 1);
  const double input = number(row, "input_bytes");
  EXPECT_EQ(input, 4 * 1024 * 1024);
  EXPECT_GT(number(row, "compressed_bytes"), 0);
  EXPECT_LT(number(row, "compressed_bytes"), input);
  for (const char* ext : {"json", "svg"}) {
    const fs::path file = out / ("responsiveness-" + mode + "." + ext);
    EXPECT_TRUE(fs::exists(file)) << file;
  }
}

TEST(CliDemoResponsivenessTest, ReportsLatenessAndCompressionForEveryMode) {
  TempDir dir;
  const fs::path out = dir / "resp";
  const ProcessResult r = preheat(
      {"demo", "responsiveness", "--megabytes", "4", "--chunk-kib", "64", "--json", "--out", out.string()}, dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  const boost::json::object o = parse_object(r.out);
  const boost::json::array& modes = array_at(o, "modes");
  const std::vector<std::string> want = {"sequential", "async", "parallel"};
  ASSERT_EQ(modes.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    ASSERT_TRUE(modes[i].is_object());
    expect_responsiveness_row(modes[i].get_object(), want[i], out);
  }
  EXPECT_TRUE(o.contains("p99_sequential_over_parallel"));
}

TEST(CliDemoResponsivenessTest, ModeFlagRunsThatModeOnly) {
  TempDir dir;
  const fs::path out = dir / "resp";
  const ProcessResult r = preheat({"demo", "responsiveness", "--megabytes", "4", "--chunk-kib", "64", "--json",
                                   "--mode", "parallel", "--out", out.string()},
                                  dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  const boost::json::object o = parse_object(r.out);
  const boost::json::array& modes = array_at(o, "modes");
  ASSERT_EQ(modes.size(), 1U);
  ASSERT_TRUE(modes[0].is_object());
  expect_responsiveness_row(modes[0].get_object(), "parallel", out);
  EXPECT_FALSE(o.contains("p99_sequential_over_parallel")) << "the ratio needs both sequential and parallel";
  EXPECT_FALSE(fs::exists(out / "responsiveness-sequential.json"));
  EXPECT_FALSE(fs::exists(out / "responsiveness-async.json"));
}

}  // namespace
}  // namespace preheat::testing
