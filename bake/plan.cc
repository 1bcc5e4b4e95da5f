#include "bake/plan.h"

#include <algorithm>
#include <map>

#include "runtime/task_graph.h"

namespace preheat::bake {

Plan make_plan(const Recipe& recipe, ExecutionMode mode, int workers) {
  Plan plan;
  plan.title = recipe.title;
  plan.mode = mode;
  plan.workers = mode == ExecutionMode::kParallel ? std::max(1, workers) : 1;

  std::map<std::string, std::size_t> index;
  runtime::TaskGraph graph;
  for (std::size_t i = 0; i < recipe.tasks.size(); ++i) {
    index[recipe.tasks[i].name] = i;
    plan.tasks.push_back(recipe.tasks[i].name);
    graph.add(recipe.tasks[i].name);
  }
  plan.task_after.resize(recipe.tasks.size());
  for (std::size_t i = 0; i < recipe.tasks.size(); ++i) {
    for (const std::string& dep : recipe.tasks[i].after) {
      const std::size_t d = index.at(dep);
      if (std::find(plan.task_after[i].begin(), plan.task_after[i].end(), d) != plan.task_after[i].end()) continue;
      plan.task_after[i].push_back(d);
      graph.add_edge(d, i);
    }
  }
  const std::vector<std::size_t> order = *graph.topological_order();

  // The pieces that finish each recipe task: its successors wait for these.
  std::vector<std::vector<std::size_t>> last_pieces(recipe.tasks.size());
  for (std::size_t ti : order) {
    const RecipeTask& t = recipe.tasks[ti];
    std::vector<std::size_t> before;
    for (std::size_t d : plan.task_after[ti]) before.insert(before.end(), last_pieces[d].begin(), last_pieces[d].end());

    const int k = (t.kind == TaskKind::kWork && t.split) ? std::min(t.split->max_workers, plan.workers) : 1;
    if (k == 1) {
      plan.pieces.push_back(Piece{ti, t.kind, t.minutes, before});
      last_pieces[ti] = {plan.pieces.size() - 1};
      continue;
    }
    const Split& s = *t.split;
    if (s.serial_fraction > 0) {
      plan.pieces.push_back(Piece{ti, t.kind, t.minutes * s.serial_fraction, before});
      before = {plan.pieces.size() - 1};
    }
    const double each = t.minutes * (1.0 - s.serial_fraction) / k + s.overhead * (k - 1);
    for (int j = 0; j < k; ++j) {
      plan.pieces.push_back(Piece{ti, t.kind, each, before});
      last_pieces[ti].push_back(plan.pieces.size() - 1);
    }
  }
  return plan;
}

double total_work_minutes(const Plan& plan) {
  double sum = 0;
  for (const Piece& p : plan.pieces) {
    if (p.kind == TaskKind::kWork) sum += p.minutes;
  }
  return sum;
}

double total_wait_minutes(const Plan& plan) {
  double sum = 0;
  for (const Piece& p : plan.pieces) {
    if (p.kind == TaskKind::kWait) sum += p.minutes;
  }
  return sum;
}

}  // namespace preheat::bake
