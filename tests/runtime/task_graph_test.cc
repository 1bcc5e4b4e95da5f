#include "runtime/task_graph.h"

#include <gtest/gtest.h>

#include <map>

#include "runtime/runtime.h"

namespace preheat::runtime {
namespace {

using namespace std::chrono_literals;

TEST(TaskGraphTest, TopologicalOrderIsDeterministic) {
  struct Case {
    std::vector<std::vector<std::size_t>> after;
    std::vector<std::size_t> order;
  };
  const std::vector<Case> cases = {
      {{}, {}},
      {{{}, {}, {}}, {0, 1, 2}},
      {{{1}, {}}, {1, 0}},
      {{{}, {}, {0, 1}}, {0, 1, 2}},
      {{{2}, {2}, {}}, {2, 0, 1}},
      {{{}, {0}, {0}, {1, 2}}, {0, 1, 2, 3}},
  };
  for (const Case& c : cases) {
    TaskGraph g;
    for (std::size_t i = 0; i < c.after.size(); ++i) g.add("t" + std::to_string(i), c.after[i]);
    auto order = g.topological_order();
    ASSERT_TRUE(order.ok()) << order.status().to_string();
    EXPECT_EQ(*order, c.order);
  }
}

TEST(TaskGraphTest, CycleIsNamed) {
  TaskGraph g;
  g.add("free");
  g.add("a", {3});
  g.add("b", {1});
  g.add("c", {2});
  auto order = g.topological_order();
  ASSERT_FALSE(order.ok());
  EXPECT_EQ(order.status().code(), Status::Code::kInvalidArgument);
  const std::string msg = order.status().message();
  EXPECT_NE(msg.find("cycle"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'a'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'b'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'c'"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("free"), std::string::npos) << msg;
}

TEST(TaskGraphTest, SelfLoopIsACycle) {
  TaskGraph g;
  g.add("x", {0});
  auto order = g.topological_order();
  ASSERT_FALSE(order.ok());
  EXPECT_EQ(order.status().message(), "cycle: 'x' -> 'x'");
}

TEST(TaskGraphTest, UnknownNodeIsAnError) {
  TaskGraph g;
  g.add("x", {7});
  EXPECT_FALSE(g.topological_order().ok());
}

// The cake: preheat (wait 15), dough (wait 25 here, to test ordering only),
// bake after both (wait 20).
struct Times {
  std::map<std::string, std::pair<Duration, Duration>> span;  // start, end
};

Times run_cake(ExecutionMode mode) {
  ManualClock clock;
  Runtime rt({.mode = mode, .manual_clock = &clock});
  TaskGraph g;
  auto preheat = g.add("preheat", {});
  auto dough = g.add("dough", {});
  g.add("bake", {preheat, dough});
  const std::map<std::string, Duration> minutes = {{"preheat", 15min}, {"dough", 25min}, {"bake", 20min}};
  Times t;
  const TimePoint start = clock.now();
  auto body = [&](TaskGraph::NodeId id) -> Task<void> {
    const std::string name = g.name(id);
    const Duration begin = clock.now() - start;
    co_await rt.wait(minutes.at(name));
    t.span[name] = {begin, clock.now() - start};
  };
  rt.run(run_graph(rt, g, body));
  return t;
}

TEST(TaskGraphTest, RunGraphRespectsDependenciesInEveryMode) {
  for (ExecutionMode mode : kAllModes) {
    Times t = run_cake(mode);
    EXPECT_GE(t.span["bake"].first, t.span["preheat"].second) << to_string(mode);
    EXPECT_GE(t.span["bake"].first, t.span["dough"].second) << to_string(mode);
  }
  Times seq = run_cake(ExecutionMode::kSequential);
  EXPECT_EQ(seq.span["bake"].second, 60min);
  EXPECT_EQ(seq.span["dough"].first, 15min);  // one after the other
  Times async = run_cake(ExecutionMode::kAsync);
  EXPECT_EQ(async.span["dough"].first, 0min);  // overlapped with preheating
  EXPECT_EQ(async.span["bake"].second, 45min);
}

TEST(TaskGraphTest, AFailingTaskStopsTheGraph) {
  ManualClock clock;
  Runtime rt({.mode = ExecutionMode::kAsync, .manual_clock = &clock});
  TaskGraph g;
  auto a = g.add("a");
  g.add("b", {a});
  g.add("slow");
  std::vector<std::string> ran;
  auto body = [&](TaskGraph::NodeId id) -> Task<void> {
    ran.push_back(g.name(id));
    if (g.name(id) == "a") throw std::runtime_error("a failed");
    co_await rt.wait(1h);
  };
  EXPECT_THROW(rt.run(run_graph(rt, g, body)), std::runtime_error);
  EXPECT_EQ(ran, (std::vector<std::string>{"a", "slow"}));  // b never started
}

}  // namespace
}  // namespace preheat::runtime
