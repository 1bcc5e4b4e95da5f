// Plan: a recipe expanded into pieces for one execution mode and worker
// count. A split work task becomes several pieces (see Split in recipe.h);
// every other task is one piece. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bake/recipe.h"
#include "base/execution_mode.h"

namespace preheat::bake {

struct Piece {
  std::size_t task = 0;  // index into Plan::tasks (the recipe task it belongs to)
  TaskKind kind = TaskKind::kWork;
  double minutes = 0.0;
  std::vector<std::size_t> after;  // pieces that must finish first
};

struct Plan {
  std::string title;
  ExecutionMode mode = ExecutionMode::kSequential;
  int workers = 1;                 // workers that do work: 1 unless parallel
  std::vector<std::string> tasks;  // recipe task names, in file order
  std::vector<std::vector<std::size_t>> task_after;  // recipe task -> recipe tasks it waits for
  std::vector<Piece> pieces;       // in a topological order
};

// REQUIRES: `recipe` came from parse_recipe (valid, acyclic); workers >= 1.
// `workers` only matters in parallel mode.
Plan make_plan(const Recipe& recipe, ExecutionMode mode, int workers);

// Totals a plan implies whatever the schedule: minutes of work (execution)
// and minutes of waiting.
double total_work_minutes(const Plan& plan);
double total_wait_minutes(const Plan& plan);

}  // namespace preheat::bake
