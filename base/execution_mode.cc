#include "base/execution_mode.h"

namespace preheat {

std::string_view to_string(ExecutionMode mode) {
  switch (mode) {
    case ExecutionMode::kSequential: return "sequential";
    case ExecutionMode::kAsync: return "async";
    case ExecutionMode::kParallel: return "parallel";
  }
  return "?";
}

std::optional<ExecutionMode> parse_execution_mode(std::string_view text) {
  for (ExecutionMode m : kAllModes) {
    if (to_string(m) == text) return m;
  }
  return std::nullopt;
}

}  // namespace preheat
