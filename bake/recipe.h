// Recipe: a task graph written in TOML, the input of `preheat bake`.
// The format is documented in docs/recipes.md; examples/cake.toml is the
// article's cake:
//
//   title = "Cake"
//   [[task]]
//   name = "preheat oven"
//   kind = "wait"          # "wait": needs nobody (an oven, a timer, the network)
//   minutes = 15           # "work": needs a worker for its whole duration
//   [[task]]
//   name = "make dough"
//   kind = "work"
//   minutes = 25
//   split = { max_workers = 2, overhead = 2.5 }
//   [[task]]
//   name = "bake"
//   kind = "wait"
//   minutes = 20
//   after = ["preheat oven", "make dough"]
//
// Parsing is pure (text in, Recipe or error out); every error names the task
// and the line it comes from.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace preheat::bake {

enum class TaskKind { kWait, kWork };

// How a work task shares out among several workers. With k workers:
//   - the serial part (serial_fraction x minutes) is done by one worker first;
//   - the rest is split into k equal pieces, and each worker also spends
//     overhead x (k - 1) minutes coordinating with the others.
// So two people make a 25-minute dough with overhead 2.5 in 15 minutes each
// (12.5 + 2.5), not 12.5: wall 15, execution 30.
struct Split {
  int max_workers = 1;
  double overhead = 0.0;         // minutes per worker per extra worker
  double serial_fraction = 0.0;  // in [0, 1)
};

struct RecipeTask {
  std::string name;
  TaskKind kind = TaskKind::kWork;
  double minutes = 0.0;
  std::vector<std::string> after;  // names of tasks that must finish first
  std::optional<Split> split;      // work tasks only
  int line = 0;                    // where the task starts in the file
};

struct Recipe {
  std::string title;
  std::vector<RecipeTask> tasks;  // in file order
};

// Parses and validates a recipe. `source` names the file in messages.
// Errors (Status::invalid_argument), each naming the line and the task:
// invalid TOML, unknown keys, missing or mistyped fields, duplicate names,
// negative or non-finite durations, unknown dependencies, cycles.
Result<Recipe> parse_recipe(std::string_view text, std::string_view source);

// Reads `path` and parses it; an unreadable file is an invalid_argument error.
Result<Recipe> load_recipe(const std::string& path);

std::string_view to_string(TaskKind kind);

}  // namespace preheat::bake
