// The three ways preheat runs work (the article's vocabulary):
//   sequential  one step after another; a wait blocks the only worker
//   async       one thread, one event loop; tasks interleave at every wait
//   parallel    an event loop plus N worker threads; CPU work spreads over them
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace preheat {

enum class ExecutionMode { kSequential, kAsync, kParallel };

inline constexpr std::array<ExecutionMode, 3> kAllModes = {
    ExecutionMode::kSequential, ExecutionMode::kAsync, ExecutionMode::kParallel};

std::string_view to_string(ExecutionMode mode);
std::optional<ExecutionMode> parse_execution_mode(std::string_view text);

}  // namespace preheat
