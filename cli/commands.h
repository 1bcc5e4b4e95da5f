// The commands of the preheat binary. Each add_* function registers a
// subcommand (its flags parse into a plain options struct) and returns what
// to run once parsing succeeded; the returned function gives the exit code.
#pragma once

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

namespace preheat::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

void add_bake_command(CLI::App& app, std::vector<Command>& out);
void add_crawl_commands(CLI::App& app, std::vector<Command>& out);  // crawl, urls, stats
void add_demo_commands(CLI::App& app, std::vector<Command>& out);
void add_demo_crawl_command(CLI::App& demo, std::vector<Command>& out);  // demo crawl
void add_demo_server_command(CLI::App& demo, std::vector<Command>& out);  // demo server
void add_export_command(CLI::App& app, std::vector<Command>& out);
void add_fetch_command(CLI::App& app, std::vector<Command>& out);
void add_serve_command(CLI::App& app, std::vector<Command>& out);
void add_testsite_command(CLI::App& app, std::vector<Command>& out);

// Adds --mode with the three modes as choices.
CLI::Option* add_mode_option(CLI::App& app, std::string& mode, const std::string& what);

}  // namespace preheat::cli
