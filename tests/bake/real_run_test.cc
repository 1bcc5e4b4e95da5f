// Real runs: assert structure (which lanes, what overlaps) from the recorded
// trace, never wall-clock bounds.
#include "bake/real_run.h"

#include <gtest/gtest.h>

#include "bake/plan.h"
#include "bake/recipe.h"

namespace preheat::bake {
namespace {

Recipe cake() { return *load_recipe(std::string(PREHEAT_SOURCE_DIR) + "/examples/cake.toml"); }

bool overlap(const trace::Span& a, const trace::Span& b) {
  return std::max(a.start_ns, b.start_ns) < std::min(a.end_ns, b.end_ns);
}

std::vector<trace::Span> spans_of(const trace::TraceData& d, trace::EventKind kind) {
  std::vector<trace::Span> out;
  for (const auto& s : d.spans) {
    if (s.kind == kind) out.push_back(s);
  }
  return out;
}

constexpr double kScale = 0.001;  // one recipe minute = 1 ms

TEST(RealRunTest, SequentialRunsEverythingOnOneLaneWithoutOverlap) {
  auto d = run_real(make_plan(cake(), ExecutionMode::kSequential, 1), {.scale = kScale});
  auto blocked = spans_of(d, trace::EventKind::kBlocked);
  auto work = spans_of(d, trace::EventKind::kWork);
  ASSERT_EQ(blocked.size(), 2u);
  ASSERT_EQ(work.size(), 1u);
  std::vector<trace::Span> all = blocked;
  all.push_back(work[0]);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(d.lanes.at(all[i].lane).name, "main thread");
    for (std::size_t j = i + 1; j < all.size(); ++j) EXPECT_FALSE(overlap(all[i], all[j]));
  }
}

TEST(RealRunTest, AsyncPreheatsWhileTheDoughIsMade) {
  auto d = run_real(make_plan(cake(), ExecutionMode::kAsync, 1), {.scale = kScale});
  auto waits = spans_of(d, trace::EventKind::kWait);
  auto work = spans_of(d, trace::EventKind::kWork);
  ASSERT_EQ(waits.size(), 2u);
  ASSERT_EQ(work.size(), 1u);
  const trace::Span& preheat = waits[0].task == 0 ? waits[0] : waits[1];
  const trace::Span& bake = waits[0].task == 2 ? waits[0] : waits[1];
  EXPECT_TRUE(overlap(preheat, work[0]));
  EXPECT_GE(bake.start_ns, work[0].end_ns);
  EXPECT_GE(bake.start_ns, preheat.end_ns);
  EXPECT_EQ(d.lanes.at(work[0].lane).name, "event loop");
  EXPECT_GT(d.summary.execution_ns, 0);
}

TEST(RealRunTest, ParallelMakesTheDoughOnTwoWorkersAtOnce) {
  auto d = run_real(make_plan(cake(), ExecutionMode::kParallel, 2), {.scale = kScale});
  auto work = spans_of(d, trace::EventKind::kWork);
  ASSERT_EQ(work.size(), 2u);
  EXPECT_NE(work[0].lane, work[1].lane);
  EXPECT_TRUE(overlap(work[0], work[1]));
  for (const auto& w : work) EXPECT_EQ(d.lanes.at(w.lane).name.rfind("worker", 0), 0u);
  auto tasks = spans_of(d, trace::EventKind::kTask);
  EXPECT_EQ(tasks.size(), 3u);
}

}  // namespace
}  // namespace preheat::bake
