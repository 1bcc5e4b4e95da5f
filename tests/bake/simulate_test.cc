#include "bake/simulate.h"

#include <gtest/gtest.h>

#include "bake/plan.h"
#include "bake/recipe.h"

namespace preheat::bake {
namespace {

Recipe cake() {
  auto r = load_recipe(std::string(PREHEAT_SOURCE_DIR) + "/examples/cake.toml");
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return *r;
}

double minutes(std::int64_t ns) { return static_cast<double>(ns) / kNanosPerMinute; }

struct Expect {
  ExecutionMode mode;
  int workers;
  double wall, execution, waiting;
};

TEST(SimulateTest, TheArticlesCakeFigures) {
  const Expect cases[] = {
      {ExecutionMode::kSequential, 1, 60, 25, 35},
      {ExecutionMode::kAsync, 1, 45, 25, 35},
      {ExecutionMode::kParallel, 2, 35, 30, 35},
      // More workers than the dough can use change nothing.
      {ExecutionMode::kParallel, 4, 35, 30, 35},
      // One worker in parallel mode is async with the work off the loop.
      {ExecutionMode::kParallel, 1, 45, 25, 35},
  };
  for (const Expect& e : cases) {
    auto data = simulate(make_plan(cake(), e.mode, e.workers));
    SCOPED_TRACE(std::string(to_string(e.mode)) + " x" + std::to_string(e.workers));
    EXPECT_DOUBLE_EQ(minutes(data.summary.wall_ns), e.wall);
    EXPECT_DOUBLE_EQ(minutes(data.summary.execution_ns), e.execution);
    EXPECT_DOUBLE_EQ(minutes(data.summary.waiting_ns), e.waiting);
  }
}

TEST(SimulateTest, SequentialBlocksTheOnlyWorker) {
  auto data = simulate(make_plan(cake(), ExecutionMode::kSequential, 1));
  ASSERT_EQ(data.lanes.size(), 1u);
  int blocked = 0;
  for (const auto& s : data.spans) {
    if (s.kind == trace::EventKind::kTask) continue;
    EXPECT_EQ(s.lane, 0u);
    EXPECT_NE(s.kind, trace::EventKind::kWait);
    blocked += s.kind == trace::EventKind::kBlocked;
  }
  EXPECT_EQ(blocked, 2);
}

TEST(SimulateTest, ParallelSplitsTheDoughOverTwoWorkers) {
  auto data = simulate(make_plan(cake(), ExecutionMode::kParallel, 2));
  ASSERT_EQ(data.lanes.size(), 3u);  // event loop + 2 workers
  std::vector<trace::Span> dough;
  for (const auto& s : data.spans) {
    if (s.kind == trace::EventKind::kWork) dough.push_back(s);
  }
  ASSERT_EQ(dough.size(), 2u);
  EXPECT_EQ(data.lanes[dough[0].lane].name, "worker 1");
  EXPECT_EQ(data.lanes[dough[1].lane].name, "worker 2");
  EXPECT_DOUBLE_EQ(minutes(dough[0].end_ns - dough[0].start_ns), 15);
}

TEST(SimulateTest, SerialFractionRunsFirstOnOneWorker) {
  auto r = parse_recipe(R"(
[[task]]
name = "w"
kind = "work"
minutes = 10
split = { max_workers = 4, serial_fraction = 0.2 }
)",
                        "r.toml");
  ASSERT_TRUE(r.ok());
  auto data = simulate(make_plan(*r, ExecutionMode::kParallel, 4));
  // 2 serial minutes, then 8 minutes over 4 workers: 2 more.
  EXPECT_DOUBLE_EQ(minutes(data.summary.wall_ns), 4);
  EXPECT_DOUBLE_EQ(minutes(data.summary.execution_ns), 10);
}

TEST(SimulateTest, MoreWorkThanWorkersQueuesInOrder) {
  auto r = parse_recipe(R"(
[[task]]
name = "a"
kind = "work"
minutes = 3
[[task]]
name = "b"
kind = "work"
minutes = 3
[[task]]
name = "c"
kind = "work"
minutes = 3
[[task]]
name = "oven"
kind = "wait"
minutes = 5
)",
                        "r.toml");
  ASSERT_TRUE(r.ok());
  auto data = simulate(make_plan(*r, ExecutionMode::kParallel, 2));
  EXPECT_DOUBLE_EQ(minutes(data.summary.wall_ns), 6);
  auto seq = simulate(make_plan(*r, ExecutionMode::kSequential, 1));
  EXPECT_DOUBLE_EQ(minutes(seq.summary.wall_ns), 14);
  auto async = simulate(make_plan(*r, ExecutionMode::kAsync, 1));
  EXPECT_DOUBLE_EQ(minutes(async.summary.wall_ns), 9);
}

}  // namespace
}  // namespace preheat::bake
