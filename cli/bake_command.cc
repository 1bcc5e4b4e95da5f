// preheat bake RECIPE: run a task graph sequentially, async or in parallel.
#include <iostream>
#include <memory>

#include <boost/json/object.hpp>
#include <fmt/format.h>

#include "bake/plan.h"
#include "bake/real_run.h"
#include "bake/recipe.h"
#include "bake/simulate.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/report.h"
#include "runtime/runtime.h"

namespace preheat::cli {

namespace {

struct BakeOptions {
  std::string recipe;
  std::string mode = "async";
  int workers = 2;         // parallel mode
  bool simulate = false;
  double scale = 0.01;     // seconds per recipe minute in a real run
  std::string trace_path;  // Chrome trace JSON
  std::string svg_path;
  bool json = false;
};

double minutes(std::int64_t ns, double ns_per_minute) { return static_cast<double>(ns) / ns_per_minute; }

boost::json::object figures(const trace::Summary& s, double ns_per_minute) {
  boost::json::object o;
  o["wall"] = json_number(minutes(s.wall_ns, ns_per_minute));
  o["execution"] = json_number(minutes(s.execution_ns, ns_per_minute));
  o["waiting"] = json_number(minutes(s.waiting_ns, ns_per_minute));
  o["parallelism"] = json_number(s.parallelism());
  return o;
}

std::string percent(double measured, double expected) {
  if (expected == 0) return "";
  return fmt::format("{:+.1f}%", (measured - expected) / expected * 100);
}

int run_bake(const BakeOptions& o) {
  auto recipe = bake::load_recipe(o.recipe);
  if (!recipe.ok()) {
    std::cerr << "preheat bake: " << recipe.status().message() << "\n";
    return kExitUsage;
  }
  const ExecutionMode mode = *parse_execution_mode(o.mode);
  const bake::Plan plan = bake::make_plan(*recipe, mode, o.workers);
  const trace::TraceData expected = bake::simulate(plan);
  trace::TraceData measured;
  if (!o.simulate) {
    try {
      measured = bake::run_real(plan, {.scale = o.scale, .stop_on_interrupt = true});
    } catch (const runtime::Interrupted&) {
      std::cerr << "preheat bake: interrupted\n";
      return kExitInterrupted;
    }
  }
  const trace::TraceData& shown = o.simulate ? expected : measured;
  const double ns_per_minute = shown.unit.ns_per_unit;

  Status written = write_timelines(shown, o.trace_path, o.svg_path);
  if (!written.ok()) {
    std::cerr << "preheat bake: " << written.message() << "\n";
    return kExitOutput;
  }

  if (o.json) {
    boost::json::object out;
    out["recipe"] = recipe->title;
    out["mode"] = o.mode;
    out["workers"] = plan.workers;
    out["simulated"] = o.simulate;
    out["unit"] = "minutes";
    for (const auto& kv : figures(shown.summary, ns_per_minute)) out[kv.key()] = kv.value();
    if (!o.simulate) {
      out["scale"] = json_number(o.scale);
      out["expected"] = figures(expected.summary, bake::kNanosPerMinute);
    }
    print_json(out);
    return kExitOk;
  }

  const std::string title = recipe->title.empty() ? o.recipe : recipe->title;
  const std::string workers = fmt::format("{} worker{}", plan.workers, plan.workers == 1 ? "" : "s");
  if (o.simulate) {
    const trace::Summary& s = expected.summary;
    std::cout << fmt::format("{} · {} · {} · simulated\n", title, o.mode, workers);
    std::cout << fmt::format("  wall-clock    {:>6} min\n", human_number(minutes(s.wall_ns, ns_per_minute)));
    std::cout << fmt::format("  execution     {:>6} min   busy time summed over all workers\n",
                             human_number(minutes(s.execution_ns, ns_per_minute)));
    std::cout << fmt::format("  waiting       {:>6} min   time tasks spent waiting (the oven, the network)\n",
                             human_number(minutes(s.waiting_ns, ns_per_minute)));
    std::cout << fmt::format("  parallelism   {:>6.2f}       execution / wall-clock\n", s.parallelism());
  } else {
    const trace::Summary& m = measured.summary;
    const trace::Summary& e = expected.summary;
    const double k = bake::kNanosPerMinute;
    std::cout << fmt::format("{} · {} · {} · real run, 1 recipe minute = {} s\n", title, o.mode, workers, o.scale);
    std::cout << fmt::format("                 measured   expected   difference\n");
    auto row = [&](const char* name, std::int64_t mv, std::int64_t ev) {
      const double a = minutes(mv, ns_per_minute);
      const double b = minutes(ev, k);
      std::cout << fmt::format("  {:<13}{:>8.1f} min {:>6} min   {}\n", name, a, human_number(b), percent(a, b));
    };
    row("wall-clock", m.wall_ns, e.wall_ns);
    row("execution", m.execution_ns, e.execution_ns);
    row("waiting", m.waiting_ns, e.waiting_ns);
    std::cout << fmt::format("  {:<13}{:>8.2f}     {:>6.2f}\n", "parallelism", m.parallelism(), e.parallelism());
  }
  if (!o.trace_path.empty()) std::cout << "timeline (Chrome trace, open in ui.perfetto.dev): " << o.trace_path << "\n";
  if (!o.svg_path.empty()) std::cout << "timeline (SVG): " << o.svg_path << "\n";
  return kExitOk;
}

}  // namespace

CLI::Option* add_mode_option(CLI::App& app, std::string& mode, const std::string& what) {
  return app.add_option("--mode", mode, what)
      ->check(CLI::IsMember({"sequential", "async", "parallel"}))
      ->capture_default_str();
}

void add_bake_command(CLI::App& app, std::vector<Command>& out) {
  auto o = std::make_shared<BakeOptions>();
  CLI::App* sub = app.add_subcommand("bake", "Run a task graph (a recipe) sequentially, async or in parallel");
  sub->footer(
      "Example:\n  preheat bake examples/cake.toml --simulate --mode parallel --workers 2 --svg cake.svg\n"
      "The recipe format is described in docs/recipes.md.");
  sub->add_option("recipe", o->recipe, "Recipe file (TOML)")->required();
  add_mode_option(*sub, o->mode, "How to run the tasks");
  sub->add_option("--workers", o->workers, "Workers in parallel mode")->check(CLI::Range(1, 256))->capture_default_str();
  sub->add_flag("--simulate", o->simulate, "Discrete-event simulation: exact and instant");
  sub->add_option("--scale", o->scale, "Real run: seconds one recipe minute lasts")
      ->check(CLI::Range(1e-6, 60.0))
      ->capture_default_str();
  sub->add_option("--trace", o->trace_path, "Write the timeline as Chrome trace JSON (Perfetto)");
  sub->add_option("--svg", o->svg_path, "Write the timeline as an SVG picture");
  sub->add_flag("--json", o->json, "Print a machine-readable summary (figures in recipe minutes)");
  out.push_back(Command{sub, [o] { return run_bake(*o); }});
}

}  // namespace preheat::cli
