#include "bake/recipe.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "runtime/task_graph.h"

namespace preheat::bake {

std::string_view to_string(TaskKind kind) { return kind == TaskKind::kWait ? "wait" : "work"; }

namespace {

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  Status error(const toml::node& at, const std::string& msg) const {
    return Status::invalid_argument(std::string(source_) + ":" + std::to_string(at.source().begin.line) + ": " + msg);
  }
  Status error_line(int line, const std::string& msg) const {
    return Status::invalid_argument(std::string(source_) + ":" + std::to_string(line) + ": " + msg);
  }

  Result<double> number(const toml::node& n, const std::string& what) const {
    if (auto i = n.value_exact<int64_t>()) return static_cast<double>(*i);
    if (auto d = n.value_exact<double>()) return *d;
    return error(n, what + " must be a number");
  }

  Result<Split> split(const toml::node& n, const std::string& task) const {
    const toml::table* t = n.as_table();
    if (t == nullptr) return error(n, "task '" + task + "': split must be a table, e.g. { max_workers = 2, overhead = 2.5 }");
    Split s;
    for (const auto& [key, value] : *t) {
      const std::string k(key.str());
      if (k == "max_workers") {
        auto v = value.value_exact<int64_t>();
        if (!v || *v < 1 || *v > 1024) return error(value, "task '" + task + "': split.max_workers must be a whole number from 1 to 1024");
        s.max_workers = static_cast<int>(*v);
      } else if (k == "overhead") {
        auto v = number(value, "task '" + task + "': split.overhead");
        if (!v.ok()) return v.status();
        if (!std::isfinite(*v) || *v < 0) return error(value, "task '" + task + "': split.overhead must be a number >= 0");
        s.overhead = *v;
      } else if (k == "serial_fraction") {
        auto v = number(value, "task '" + task + "': split.serial_fraction");
        if (!v.ok()) return v.status();
        if (!std::isfinite(*v) || *v < 0 || *v >= 1) return error(value, "task '" + task + "': split.serial_fraction must be in [0, 1)");
        s.serial_fraction = *v;
      } else {
        return error(value, "task '" + task + "': unknown key 'split." + k + "' (known: max_workers, overhead, serial_fraction)");
      }
    }
    return s;
  }

  Result<RecipeTask> task(const toml::node& n, std::size_t index) const {
    const toml::table* t = n.as_table();
    if (t == nullptr) return error(n, "task #" + std::to_string(index + 1) + " must be a table ([[task]])");
    RecipeTask out;
    out.line = static_cast<int>(n.source().begin.line);
    // The name first, so every later message can name the task.
    if (const toml::node* name = t->get("name")) {
      auto v = name->value_exact<std::string>();
      if (!v || v->empty()) return error(*name, "task #" + std::to_string(index + 1) + ": name must be a non-empty string");
      out.name = *v;
    } else {
      return error(n, "task #" + std::to_string(index + 1) + " has no name");
    }
    const std::string who = "task '" + out.name + "'";
    bool has_kind = false;
    bool has_minutes = false;
    for (const auto& [key, value] : *t) {
      const std::string k(key.str());
      if (k == "name") continue;
      if (k == "kind") {
        auto v = value.value_exact<std::string>();
        if (v && *v == "wait") {
          out.kind = TaskKind::kWait;
        } else if (v && *v == "work") {
          out.kind = TaskKind::kWork;
        } else {
          return error(value, who + ": kind must be \"wait\" or \"work\"");
        }
        has_kind = true;
      } else if (k == "minutes") {
        auto v = number(value, who + ": minutes");
        if (!v.ok()) return v.status();
        if (!std::isfinite(*v)) return error(value, who + ": minutes must be a finite number");
        if (*v < 0) return error(value, who + ": minutes must not be negative (got " + fmt_number(*v) + ")");
        out.minutes = *v;
        has_minutes = true;
      } else if (k == "after") {
        const toml::array* a = value.as_array();
        if (a == nullptr) return error(value, who + ": after must be a list of task names, e.g. after = [\"a\", \"b\"]");
        for (const auto& dep : *a) {
          auto v = dep.value_exact<std::string>();
          if (!v) return error(dep, who + ": after must contain task names (strings)");
          out.after.push_back(*v);
        }
      } else if (k == "split") {
        auto s = split(value, out.name);
        if (!s.ok()) return s.status();
        out.split = *s;
      } else {
        return error(value, who + ": unknown key '" + k + "' (known: name, kind, minutes, after, split)");
      }
    }
    if (!has_kind) return error(n, who + " has no kind (\"wait\" or \"work\")");
    if (!has_minutes) return error(n, who + " has no minutes");
    if (out.split && out.kind != TaskKind::kWork) return error(n, who + ": only work tasks can be split");
    return out;
  }

  static std::string fmt_number(double v) {
    std::ostringstream ss;
    ss << v;
    return ss.str();
  }

 private:
  std::string_view source_;
};

}  // namespace

Result<Recipe> parse_recipe(std::string_view text, std::string_view source) {
  Parser p(source);
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return Status::invalid_argument(std::string(source) + ":" + std::to_string(e.source().begin.line) + ":" +
                                    std::to_string(e.source().begin.column) + ": invalid TOML: " +
                                    std::string(e.description()));
  }
  Recipe recipe;
  const toml::array* tasks = nullptr;
  for (const auto& [key, value] : root) {
    const std::string k(key.str());
    if (k == "title") {
      auto v = value.value_exact<std::string>();
      if (!v) return p.error(value, "title must be a string");
      recipe.title = *v;
    } else if (k == "task") {
      tasks = value.as_array();
      if (tasks == nullptr) return p.error(value, "task must be an array of tables: write each task as [[task]]");
    } else {
      return p.error(value, "unknown key '" + k + "' (known: title, task)");
    }
  }
  if (tasks == nullptr || tasks->empty()) {
    return Status::invalid_argument(std::string(source) + ": the recipe has no tasks (add [[task]] tables)");
  }
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < tasks->size(); ++i) {
    auto t = p.task(*tasks->get(i), i);
    if (!t.ok()) return t.status();
    if (index.count(t->name)) {
      const RecipeTask& first = recipe.tasks[index[t->name]];
      return p.error_line(t->line, "task '" + t->name + "' is defined twice (first on line " +
                                       std::to_string(first.line) + ")");
    }
    index[t->name] = recipe.tasks.size();
    recipe.tasks.push_back(std::move(*t));
  }
  runtime::TaskGraph graph;
  for (const RecipeTask& t : recipe.tasks) graph.add(t.name);
  for (std::size_t i = 0; i < recipe.tasks.size(); ++i) {
    const RecipeTask& t = recipe.tasks[i];
    std::set<std::string> seen;
    for (const std::string& dep : t.after) {
      auto it = index.find(dep);
      if (it == index.end()) {
        return p.error_line(t.line, "task '" + t.name + "' depends on unknown task '" + dep + "'");
      }
      if (!seen.insert(dep).second) continue;  // listed twice: harmless
      graph.add_edge(it->second, i);
    }
  }
  auto order = graph.topological_order();
  if (!order.ok()) {
    return Status::invalid_argument(std::string(source) + ": the tasks depend on each other in a " +
                                    order.status().message());
  }
  return recipe;
}

Result<Recipe> load_recipe(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::invalid_argument("cannot read recipe '" + path + "': it is a folder");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::invalid_argument("cannot read recipe '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_recipe(ss.str(), path);
}

}  // namespace preheat::bake
