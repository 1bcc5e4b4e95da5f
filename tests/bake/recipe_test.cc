#include "bake/recipe.h"

#include <gtest/gtest.h>

#include "tests/support/support.h"

namespace preheat::bake {
namespace {

const char* kCake = R"(title = "Cake"
[[task]]
name = "preheat oven"
kind = "wait"
minutes = 15

[[task]]
name = "make dough"
kind = "work"
minutes = 25
split = { max_workers = 2, overhead = 2.5 }

[[task]]
name = "bake"
kind = "wait"
minutes = 20.0
after = ["preheat oven", "make dough"]
)";

TEST(RecipeTest, ParsesTheCake) {
  auto r = parse_recipe(kCake, "cake.toml");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->title, "Cake");
  ASSERT_EQ(r->tasks.size(), 3u);
  EXPECT_EQ(r->tasks[0].name, "preheat oven");
  EXPECT_EQ(r->tasks[0].kind, TaskKind::kWait);
  EXPECT_EQ(r->tasks[0].minutes, 15);
  EXPECT_EQ(r->tasks[0].line, 2);
  EXPECT_FALSE(r->tasks[0].split.has_value());
  ASSERT_TRUE(r->tasks[1].split.has_value());
  EXPECT_EQ(r->tasks[1].split->max_workers, 2);
  EXPECT_EQ(r->tasks[1].split->overhead, 2.5);
  EXPECT_EQ(r->tasks[2].after, (std::vector<std::string>{"preheat oven", "make dough"}));
  EXPECT_EQ(r->tasks[2].minutes, 20);
}

TEST(RecipeTest, TheBundledCakeParses) {
  auto r = load_recipe(std::string(PREHEAT_SOURCE_DIR) + "/examples/cake.toml");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->tasks.size(), 3u);
}

struct BadCase {
  const char* what;
  const char* text;
  const char* message;  // the exact error message
};

TEST(RecipeTest, BadRecipesGetAMessageThatNamesTheTaskAndLine) {
  const BadCase cases[] = {
      {"invalid toml", "[[task]\nname = 1", "r.toml:1:8: invalid TOML: "},
      {"no tasks", "title = \"x\"\n", "r.toml: the recipe has no tasks (add [[task]] tables)"},
      {"unknown top key", "titel = \"x\"\n", "r.toml:1: unknown key 'titel' (known: title, task)"},
      {"unknown task key", "[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = 1\nduration = 3\n",
       "r.toml:5: task 'a': unknown key 'duration' (known: name, kind, minutes, after, split)"},
      {"negative duration", "[[task]]\nname = \"a\"\nkind = \"wait\"\nminutes = -5\n",
       "r.toml:4: task 'a': minutes must not be negative (got -5)"},
      {"nan duration", "[[task]]\nname = \"a\"\nkind = \"wait\"\nminutes = nan\n",
       "r.toml:4: task 'a': minutes must be a finite number"},
      {"string duration", "[[task]]\nname = \"a\"\nkind = \"wait\"\nminutes = \"5\"\n",
       "r.toml:4: task 'a': minutes must be a number"},
      {"bad kind", "[[task]]\nname = \"a\"\nkind = \"sleep\"\nminutes = 5\n",
       "r.toml:3: task 'a': kind must be \"wait\" or \"work\""},
      {"missing kind", "[[task]]\nname = \"a\"\nminutes = 5\n", "r.toml:1: task 'a' has no kind (\"wait\" or \"work\")"},
      {"missing minutes", "[[task]]\nname = \"a\"\nkind = \"work\"\n", "r.toml:1: task 'a' has no minutes"},
      {"missing name", "[[task]]\nkind = \"work\"\nminutes = 1\n", "r.toml:1: task #1 has no name"},
      {"unknown dependency", "[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = 1\nafter = [\"oven\"]\n",
       "r.toml:1: task 'a' depends on unknown task 'oven'"},
      {"duplicate name",
       "[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = 1\n[[task]]\nname = \"a\"\nkind = \"wait\"\nminutes = 1\n",
       "r.toml:5: task 'a' is defined twice (first on line 1)"},
      {"cycle",
       "[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = 1\nafter = [\"b\"]\n"
       "[[task]]\nname = \"b\"\nkind = \"work\"\nminutes = 1\nafter = [\"a\"]\n",
       "r.toml: the tasks depend on each other in a cycle: 'a' -> 'b' -> 'a'"},
      {"self dependency", "[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = 1\nafter = [\"a\"]\n",
       "r.toml: the tasks depend on each other in a cycle: 'a' -> 'a'"},
      {"split on wait", "[[task]]\nname = \"a\"\nkind = \"wait\"\nminutes = 1\nsplit = { max_workers = 2 }\n",
       "r.toml:1: task 'a': only work tasks can be split"},
      {"unknown split key", "[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = 1\nsplit = { workers = 2 }\n",
       "r.toml:5: task 'a': unknown key 'split.workers' (known: max_workers, overhead, serial_fraction)"},
      {"bad serial fraction", "[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = 1\nsplit = { serial_fraction = 1.0 }\n",
       "r.toml:5: task 'a': split.serial_fraction must be in [0, 1)"},
      {"bad max workers", "[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = 1\nsplit = { max_workers = 0 }\n",
       "r.toml:5: task 'a': split.max_workers must be a whole number from 1 to 1024"},
      {"after not a list", "[[task]]\nname = \"a\"\nkind = \"work\"\nminutes = 1\nafter = \"b\"\n",
       "r.toml:5: task 'a': after must be a list of task names, e.g. after = [\"a\", \"b\"]"},
      {"task not array of tables", "task = 3\n", "r.toml:1: task must be an array of tables: write each task as [[task]]"},
  };
  for (const BadCase& c : cases) {
    auto r = parse_recipe(c.text, "r.toml");
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << c.what;
    const std::string msg = r.status().message();
    if (std::string(c.what) == "invalid toml") {
      EXPECT_EQ(msg.rfind(c.message, 0), 0u) << c.what << ": " << msg;
    } else {
      EXPECT_EQ(msg, c.message) << c.what;
    }
  }
}

TEST(RecipeTest, AFolderIsNotARecipe) {
  testing::TempDir dir;
  auto r = load_recipe(dir.path().string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "cannot read recipe '" + dir.path().string() + "': it is a folder");
}

TEST(RecipeTest, MissingFileIsAnError) {
  auto r = load_recipe("/nonexistent/recipe.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "cannot read recipe '/nonexistent/recipe.toml'");
}

}  // namespace
}  // namespace preheat::bake
