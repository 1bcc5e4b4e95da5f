// End-to-end tests of `preheat demo server`: the real binary builds its demo
// crawl (a testsite child), serves it in both modes in-process and loads it
// with its own client. The assertions are facts that hold by construction
// (one sync thread and 50 ms per request bound its answers; one thread and
// a FIFO accept queue make Bob wait for Alice), never durations.
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/cli/subprocess.h"
#include "tests/support/support.h"

namespace preheat::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kBinary = PREHEAT_BINARY;

// The processes whose parent is `parent` (from /proc/PID/stat).
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return out;
  while (dirent* e = readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::string(e->d_name) + "/stat");
    std::string line;
    std::getline(stat, line);
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %d", &state, &ppid) == 2 && ppid == parent) out.push_back(pid);
  }
  closedir(proc);
  return out;
}

bool alive(pid_t pid) { return kill(pid, 0) == 0; }

// Sends SIGINT once `ready` holds (checked every 20 ms, 30 s at most) and
// the handler is installed; returns how the demo ended and the children it
// had when the signal went.
struct Interrupted {
  ProcessResult result;
  std::vector<pid_t> children;
};

template <class Ready>
Interrupted interrupt_when(Subprocess& p, Ready ready) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((!p.catches(SIGINT) || !ready()) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Interrupted out;
  out.children = children_of(p.pid());
  p.send_signal(SIGINT);
  out.result = p.wait(std::chrono::steady_clock::now() + std::chrono::seconds(30));
  return out;
}

const boost::json::object& mode(const boost::json::object& scenario, std::size_t i, const char* name) {
  const boost::json::object& m = scenario.at("modes").as_array().at(i).as_object();
  EXPECT_EQ(m.at("mode").as_string(), name);
  return m;
}

TEST(CliDemoServerTest, BothScenariosInBothModesWithEveryFigure) {
  TempDir dir;
  // Sync: one thread, 50 ms a request, 8 clients on kept-alive connections.
  const ProcessResult r =
      run_process(kBinary,
                  {"demo", "server", "--pages", "30", "--clients", "8", "--seconds", "0.6", "--latency-ms", "50",
                   "--sync-threads", "1", "--slow-ms", "1000", "--fast-clients", "2", "--json", "--out", "out"},
                  dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  const boost::json::object o = boost::json::parse(r.out).as_object();
  EXPECT_TRUE(fs::exists(dir / "out" / "server-demo.db"));
  EXPECT_EQ(o.at("latency_ms").as_int64(), 50);
  EXPECT_EQ(o.at("targets").as_int64(), 60);  // /api/page and /page of 30 pages
  EXPECT_EQ(o.at("failures").as_int64(), 0);

  const boost::json::object& t = o.at("throughput").as_object();
  EXPECT_EQ(t.at("clients").as_int64(), 8);
  EXPECT_DOUBLE_EQ(t.at("little_bound_rps").to_number<double>(), 160.0);
  ASSERT_EQ(t.at("modes").as_array().size(), 2u);
  const boost::json::object& async = mode(t, 0, "async");
  const boost::json::object& sync = mode(t, 1, "sync");
  for (const boost::json::object* m : {&async, &sync}) {
    for (const char* key : {"requests", "requests_per_s", "p50_ms", "p99_ms", "max_ms", "unanswered",
                            "fraction_of_bound", "p99_is_lower_bound", "threads"}) {
      EXPECT_TRUE(m->contains(key)) << key;
    }
    EXPECT_GT(m->at("requests").as_int64(), 0);
  }
  // One thread that sleeps 50 ms per request answers at most 0.6 / 0.05 + 1
  // requests in the window; it serves one kept-alive connection to its end,
  // so the first requests of the 7 other clients wait the whole run.
  EXPECT_LE(sync.at("requests").as_int64(), 13);
  EXPECT_GE(sync.at("p99_ms").to_number<double>(), 600.0);
  EXPECT_GT(async.at("requests").as_int64(), sync.at("requests").as_int64());
  EXPECT_GT(t.at("async_over_sync").to_number<double>(), 1.0);

  const boost::json::object& s = o.at("slow_request").as_object();
  EXPECT_EQ(s.at("slow_ms").as_int64(), 1000);
  EXPECT_EQ(s.at("threads").as_int64(), 1);
  const boost::json::object& a2 = mode(s, 0, "async");
  const boost::json::object& s2 = mode(s, 1, "sync");
  for (const boost::json::object* m : {&a2, &s2}) {
    EXPECT_TRUE(m->at("slow_answered").as_bool());
    EXPECT_GE(m->at("slow_latency_ms").to_number<double>(), 1000.0);  // it waited on its simulated database
    EXPECT_GT(m->at("before").as_object().at("requests").as_int64(), 0);
    EXPECT_GT(m->at("during").as_object().at("requests").as_int64(), 0);
  }
  // Async: Bob is answered while Alice waits. Sync with one thread: every
  // request that arrived after Alice's waited for hers.
  EXPECT_GT(a2.at("answered_before_slow").as_int64(), 0);
  EXPECT_EQ(s2.at("answered_before_slow").as_int64(), 0);
}

TEST(CliDemoServerTest, TheTableNamesBothScenarios) {
  TempDir dir;
  const ProcessResult r = run_process(kBinary,
                                      {"demo", "server", "--pages", "10", "--clients", "4", "--seconds", "0.2",
                                       "--latency-ms", "5", "--slow-ms", "100", "--out", "out"},
                                      dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  EXPECT_THAT(r.out, HasSubstr("1. 4 clients"));
  EXPECT_THAT(r.out, HasSubstr("2. Alice and Bob"));
  EXPECT_THAT(r.out, HasSubstr("\nasync "));
  EXPECT_THAT(r.out, HasSubstr("\nsync "));
}

TEST(CliDemoServerTest, AMissingDatabaseIsBadInputAndIsNotCreated) {
  TempDir dir;
  const ProcessResult r = run_process(kBinary, {"demo", "server", "--db", "missing.db"}, dir.path());
  ASSERT_TRUE(r.exited) << r.describe();
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("missing.db"));
  EXPECT_FALSE(fs::exists(dir / "missing.db"));
}

TEST(CliDemoServerTest, CtrlCWhileBuildingTheCrawlExits130AndEndsTheTestsite) {
  TempDir dir;
  // A big site: the crawl is still running when the signal comes.
  Subprocess p(kBinary, {"demo", "server", "--pages", "50000", "--out", "out"}, dir.path());
  const Interrupted i = interrupt_when(
      p, [&] { return !children_of(p.pid()).empty() && fs::exists(dir / "out" / "server-demo.db"); });
  ASSERT_TRUE(i.result.exited) << i.result.describe();
  EXPECT_EQ(i.result.exit_code, 130) << i.result.describe();
  ASSERT_FALSE(i.children.empty());
  for (pid_t child : i.children) EXPECT_FALSE(alive(child)) << "testsite child " << child << " left behind";
}

TEST(CliDemoServerTest, CtrlCUnderLoadExits130) {
  TempDir dir;
  const ProcessResult made = run_process(kBinary,
                                         {"demo", "server", "--pages", "10", "--clients", "2", "--seconds", "0.1",
                                          "--latency-ms", "1", "--slow-ms", "10", "--out", "out"},
                                         dir.path());
  ASSERT_TRUE(made.exited && made.exit_code == 0) << made.describe();
  Subprocess p(kBinary,
               {"demo", "server", "--db", "out/server-demo.db", "--clients", "50", "--seconds", "60", "--json"},
               dir.path());
  const auto start = std::chrono::steady_clock::now();
  // Half a second in: the first minute of load has begun.
  const Interrupted i =
      interrupt_when(p, [&] { return std::chrono::steady_clock::now() - start > std::chrono::milliseconds(500); });
  ASSERT_TRUE(i.result.exited) << i.result.describe();
  EXPECT_EQ(i.result.exit_code, 130) << i.result.describe();
  EXPECT_THAT(i.result.err, HasSubstr("interrupted"));
  EXPECT_EQ(i.result.out, "");  // no figures from a cut run
}

}  // namespace
}  // namespace preheat::testing
