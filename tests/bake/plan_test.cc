#include "bake/plan.h"

#include <gtest/gtest.h>

namespace preheat::bake {
namespace {

Recipe one_split(int max_workers, double overhead, double serial) {
  Recipe r;
  r.tasks.push_back(RecipeTask{.name = "pre", .kind = TaskKind::kWait, .minutes = 1});
  r.tasks.push_back(RecipeTask{.name = "w", .kind = TaskKind::kWork, .minutes = 12, .after = {"pre"},
                               .split = Split{max_workers, overhead, serial}});
  r.tasks.push_back(RecipeTask{.name = "post", .kind = TaskKind::kWait, .minutes = 1, .after = {"w"}});
  return r;
}

TEST(PlanTest, SplitsOnlyInParallelModeAndUpToTheWorkers) {
  struct Case {
    ExecutionMode mode;
    int workers, max_workers;
    double overhead, serial;
    std::size_t pieces;
    double work_minutes;
  };
  const Case cases[] = {
      {ExecutionMode::kSequential, 4, 4, 1, 0, 3, 12},
      {ExecutionMode::kAsync, 4, 4, 1, 0, 3, 12},
      {ExecutionMode::kParallel, 4, 3, 1, 0, 5, 12 + 3 * 2 * 1},  // 3 pieces, each +2
      {ExecutionMode::kParallel, 2, 3, 0.5, 0, 4, 12 + 2 * 0.5},
      {ExecutionMode::kParallel, 3, 3, 0, 0.25, 6, 12},           // serial piece + 3
  };
  for (const Case& c : cases) {
    Plan p = make_plan(one_split(c.max_workers, c.overhead, c.serial), c.mode, c.workers);
    EXPECT_EQ(p.pieces.size(), c.pieces) << to_string(c.mode);
    EXPECT_DOUBLE_EQ(total_work_minutes(p), c.work_minutes) << to_string(c.mode);
    EXPECT_DOUBLE_EQ(total_wait_minutes(p), 2);
    // "post" waits for every last piece of "w".
    const Piece& post = p.pieces.back();
    EXPECT_EQ(post.task, 2u);
    std::size_t w_pieces_without_successor_in_w = 0;
    for (std::size_t i = 0; i < p.pieces.size(); ++i) {
      if (p.pieces[i].task != 1) continue;
      bool feeds_w = false;
      for (const Piece& q : p.pieces) {
        for (std::size_t a : q.after) feeds_w |= (a == i && q.task == 1);
      }
      if (!feeds_w) ++w_pieces_without_successor_in_w;
    }
    EXPECT_EQ(post.after.size(), w_pieces_without_successor_in_w);
  }
}

}  // namespace
}  // namespace preheat::bake
