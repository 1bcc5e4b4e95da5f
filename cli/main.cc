// preheat: the composition root. Parses the command line (CLI11) and runs one
// command; every exit code is listed in cli/exit_codes.h and README.md.
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/interrupt.h"
#include "base/version.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"

int main(int argc, char** argv) {
  using namespace preheat::cli;
  CLI::App app{"preheat: makes waiting cheap. A crawler, a server and the article's demos of\n"
               "sequential, async and parallel execution, measured.",
               "preheat"};
  app.set_version_flag("--version", std::string("preheat ") + preheat::kVersion);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 the run failed, 2 bad usage or bad input file, 3 an output file cannot be\n"
      "written, 130 interrupted (Ctrl-C).\nRun 'preheat COMMAND --help' for a command's options.");
  std::vector<Command> commands;
  add_bake_command(app, commands);
  add_crawl_commands(app, commands);
  add_demo_commands(app, commands);
  add_export_command(app, commands);
  add_fetch_command(app, commands);
  add_serve_command(app, commands);
  add_testsite_command(app, commands);

  // CLI11 says only "A subcommand is required" for `preheat frob`: name it.
  if (argc > 1 && argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      known += (known.empty() ? "" : ", ") + sub->get_name();
      found |= sub->get_name() == argv[1];
    }
    if (!found) {
      std::cerr << "preheat: unknown command '" << argv[1] << "' (commands: " << known
                << "; see preheat --help)\n";
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  preheat::install_interrupt_handler();
  for (const Command& c : commands) {
    if (c.app->parsed()) {
      try {
        return c.run();
      } catch (const std::exception& e) {
        std::cerr << "preheat: " << e.what() << "\n";
        return kExitFailure;
      }
    }
  }
  return kExitUsage;
}
