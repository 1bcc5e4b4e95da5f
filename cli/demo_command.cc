// preheat demo cake | responsiveness: the article's examples, measured.
#include <iostream>
#include <memory>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <fmt/format.h>

#include "bake/cake_recipe.h"
#include "bake/plan.h"
#include "bake/real_run.h"
#include "bake/recipe.h"
#include "bake/responsiveness.h"
#include "bake/simulate.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/report.h"
#include "runtime/runtime.h"

namespace preheat::cli {

namespace {

// ---- demo cake ----

struct CakeOptions {
  std::string recipe;  // empty: the built-in cake
  int workers = 2;
  double scale = 0.01;
  bool simulate = false;
  std::string out = "preheat-out";
  bool json = false;
};

double minutes(std::int64_t ns, double ns_per_minute) { return static_cast<double>(ns) / ns_per_minute; }

int run_cake(const CakeOptions& o) {
  auto recipe = o.recipe.empty() ? bake::parse_recipe(bake::kCakeRecipe, "cake.toml") : bake::load_recipe(o.recipe);
  if (!recipe.ok()) {
    std::cerr << "preheat demo cake: " << recipe.status().message() << "\n";
    return kExitUsage;
  }
  boost::json::array rows;
  if (!o.json) {
    std::cout << fmt::format("{}: {} run{}\n\n", recipe->title.empty() ? "cake" : recipe->title,
                             o.simulate ? "simulated" : "measured", o.simulate ? "" : fmt::format(", 1 recipe minute = {} s", o.scale));
    std::cout << fmt::format("{:<11} {:>7}  {:>10}  {:>9}  {:>7}  {:>11}   {}\n", "mode", "workers", "wall-clock",
                             "execution", "waiting", "parallelism", "expected wall / execution");
  }
  for (ExecutionMode mode : kAllModes) {
    const bake::Plan plan = bake::make_plan(*recipe, mode, o.workers);
    const trace::TraceData expected = bake::simulate(plan);
    trace::TraceData data;
    if (o.simulate) {
      data = expected;
    } else {
      try {
        data = bake::run_real(plan, {.scale = o.scale, .stop_on_interrupt = true});
      } catch (const runtime::Interrupted&) {
        std::cerr << "preheat demo cake: interrupted\n";
        return kExitInterrupted;
      }
    }
    data.title = fmt::format("{} — {} ({} worker{})", recipe->title, to_string(mode), plan.workers, plan.workers == 1 ? "" : "s");
    const std::string base = o.out + "/cake-" + std::string(to_string(mode));
    Status s = write_timelines(data, base + ".json", base + ".svg");
    if (!s.ok()) {
      std::cerr << "preheat demo cake: " << s.message() << "\n";
      return kExitOutput;
    }
    const double u = data.unit.ns_per_unit;
    const auto& m = data.summary;
    const auto& e = expected.summary;
    if (o.json) {
      boost::json::object row;
      row["mode"] = to_string(mode);
      row["workers"] = plan.workers;
      row["wall"] = json_number(minutes(m.wall_ns, u));
      row["execution"] = json_number(minutes(m.execution_ns, u));
      row["waiting"] = json_number(minutes(m.waiting_ns, u));
      row["parallelism"] = json_number(m.parallelism());
      row["expected_wall"] = json_number(minutes(e.wall_ns, bake::kNanosPerMinute));
      row["expected_execution"] = json_number(minutes(e.execution_ns, bake::kNanosPerMinute));
      row["trace"] = base + ".json";
      row["svg"] = base + ".svg";
      rows.push_back(std::move(row));
    } else {
      std::cout << fmt::format("{:<11} {:>7}  {:>6.1f} min  {:>5.1f} min  {:>3} min  {:>11.2f}   {} / {} min\n",
                               to_string(mode), plan.workers, minutes(m.wall_ns, u), minutes(m.execution_ns, u),
                               human_number(minutes(m.waiting_ns, u)), m.parallelism(),
                               human_number(minutes(e.wall_ns, bake::kNanosPerMinute)),
                               human_number(minutes(e.execution_ns, bake::kNanosPerMinute)));
    }
  }
  if (o.json) {
    boost::json::object out;
    out["recipe"] = recipe->title;
    out["simulated"] = o.simulate;
    if (!o.simulate) out["scale"] = json_number(o.scale);
    out["unit"] = "minutes";
    out["modes"] = std::move(rows);
    print_json(out);
  } else {
    std::cout << fmt::format(
        "\nwall-clock: what the clock on the wall shows; execution: busy time summed over workers.\n"
        "timelines: {0}/cake-MODE.svg (open in a browser), {0}/cake-MODE.json (open in ui.perfetto.dev)\n",
        o.out);
  }
  return kExitOk;
}

// ---- demo responsiveness ----

struct ResponsivenessCli {
  bake::ResponsivenessOptions run;
  double tick_ms = 10;
  std::string mode;  // empty: all three
  std::string out = "preheat-out";
  bool json = false;
};

boost::json::object lateness_json(const Percentiles& p) {
  boost::json::object o;
  o["p50_ms"] = json_number(to_millis(p.p50));
  o["p99_ms"] = json_number(to_millis(p.p99));
  o["max_ms"] = json_number(to_millis(p.max));
  o["ticks"] = p.count;
  return o;
}

int run_responsiveness(ResponsivenessCli o) {
  o.run.tick = std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(o.tick_ms));
  o.run.stop_on_interrupt = true;
  std::vector<ExecutionMode> modes(kAllModes.begin(), kAllModes.end());
  if (!o.mode.empty()) modes = {*parse_execution_mode(o.mode)};
  if (!o.json) {
    std::cout << fmt::format(
        "A CPU-heavy job compresses {} MiB with zlib (level {}) in {} KiB chunks, while the cursor\n"
        "wants to move every {} ms. How late is the cursor?\n\n",
        o.run.megabytes, o.run.level, o.run.chunk_kib, human_number(o.tick_ms));
    std::cout << fmt::format("{:<11} {:>9} {:>9} {:>9}  {:>9} {:>10} {:>9}\n", "mode", "late p50", "p99", "max",
                             "job", "wall-clock", "execution");
  }
  boost::json::array rows;
  std::vector<bake::ResponsivenessResult> results;
  for (ExecutionMode mode : modes) {
    bake::ResponsivenessResult r;
    try {
      r = bake::run_responsiveness(mode, o.run);
    } catch (const runtime::Interrupted&) {
      std::cerr << "preheat demo responsiveness: interrupted\n";
      return kExitInterrupted;
    }
    const std::string base = o.out + "/responsiveness-" + std::string(to_string(mode));
    Status s = write_timelines(r.trace, base + ".json", base + ".svg");
    if (!s.ok()) {
      std::cerr << "preheat demo responsiveness: " << s.message() << "\n";
      return kExitOutput;
    }
    if (o.json) {
      boost::json::object row;
      row["mode"] = to_string(mode);
      row["workers"] = mode == ExecutionMode::kParallel ? o.run.workers : 1;
      row["lateness"] = lateness_json(r.lateness);
      row["job_s"] = json_number(to_seconds(r.job));
      row["wall_s"] = json_number(to_seconds(r.wall));
      row["execution_s"] = json_number(to_seconds(r.execution));
      row["input_bytes"] = r.input_bytes;
      row["compressed_bytes"] = r.compressed_bytes;
      row["trace"] = base + ".json";
      row["svg"] = base + ".svg";
      rows.push_back(std::move(row));
    } else {
      std::cout << fmt::format("{:<11} {:>9} {:>9} {:>9}  {:>9} {:>10} {:>9}\n", to_string(mode),
                               human_duration(r.lateness.p50), human_duration(r.lateness.p99),
                               human_duration(r.lateness.max), human_duration(r.job), human_duration(r.wall),
                               human_duration(r.execution));
    }
    r.trace.spans.clear();  // keep only the figures in memory
    results.push_back(std::move(r));
  }
  // The headline ratio: how much later the cursor is in sequential than in parallel.
  const bake::ResponsivenessResult* seq = nullptr;
  const bake::ResponsivenessResult* par = nullptr;
  for (const auto& r : results) {
    if (r.mode == ExecutionMode::kSequential) seq = &r;
    if (r.mode == ExecutionMode::kParallel) par = &r;
  }
  double ratio = 0;
  if (seq != nullptr && par != nullptr) {
    ratio = static_cast<double>(seq->lateness.p99.count()) / static_cast<double>(std::max<Duration::rep>(1, par->lateness.p99.count()));
  }
  if (o.json) {
    boost::json::object out;
    out["megabytes"] = o.run.megabytes;
    out["chunk_kib"] = o.run.chunk_kib;
    out["tick_ms"] = json_number(o.tick_ms);
    out["level"] = o.run.level;
    out["modes"] = std::move(rows);
    if (seq != nullptr && par != nullptr) out["p99_sequential_over_parallel"] = json_number(ratio);
    print_json(out);
  } else {
    if (seq != nullptr && par != nullptr) {
      std::cout << fmt::format("\nparallel p99 lateness is {:.0f}x lower than sequential.\n", ratio);
    }
    std::cout << fmt::format("timelines: {0}/responsiveness-MODE.svg, {0}/responsiveness-MODE.json\n", o.out);
  }
  return kExitOk;
}

}  // namespace

void add_demo_commands(CLI::App& app, std::vector<Command>& out) {
  CLI::App* demo = app.add_subcommand("demo", "The article's examples, measured for real");
  demo->require_subcommand(1);

  auto cake = std::make_shared<CakeOptions>();
  CLI::App* c = demo->add_subcommand("cake", "The cake in all three modes: a comparison table and timelines");
  c->footer("Example:\n  preheat demo cake --scale 0.01 --out preheat-out");
  c->add_option("--recipe", cake->recipe, "Another recipe instead of the built-in cake");
  c->add_option("--workers", cake->workers, "Workers in parallel mode")->check(CLI::Range(1, 256))->capture_default_str();
  c->add_option("--scale", cake->scale, "Seconds one recipe minute lasts")->check(CLI::Range(1e-6, 60.0))->capture_default_str();
  c->add_flag("--simulate", cake->simulate, "Simulate instead of running for real");
  c->add_option("--out", cake->out, "Folder for the timelines")->capture_default_str();
  c->add_flag("--json", cake->json, "Print the figures as JSON");
  out.push_back(Command{c, [cake] { return run_cake(*cake); }});

  auto resp = std::make_shared<ResponsivenessCli>();
  CLI::App* r = demo->add_subcommand("responsiveness", "A CPU-heavy job and a cursor that must keep moving");
  r->footer("Example:\n  preheat demo responsiveness --megabytes 64 --json");
  r->add_option("--megabytes", resp->run.megabytes, "MiB of generated text the job compresses")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  r->add_option("--chunk-kib", resp->run.chunk_kib, "KiB per chunk (the job yields between chunks)")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  r->add_option("--level", resp->run.level, "zlib compression level")->check(CLI::Range(1, 9))->capture_default_str();
  r->add_option("--tick-ms", resp->tick_ms, "How often the cursor wants to move")
      ->check(CLI::Range(0.1, 10000.0))
      ->capture_default_str();
  r->add_option("--workers", resp->run.workers, "Workers in parallel mode")->check(CLI::Range(1, 256))->capture_default_str();
  add_mode_option(*r, resp->mode, "Run one mode only (default: all three)");
  r->add_option("--out", resp->out, "Folder for the timelines")->capture_default_str();
  r->add_flag("--json", resp->json, "Print the figures as JSON");
  out.push_back(Command{r, [resp] { return run_responsiveness(*resp); }});

  add_demo_crawl_command(*demo, out);
  add_demo_server_command(*demo, out);
}

}  // namespace preheat::cli
