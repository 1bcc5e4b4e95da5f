// Exit codes of the preheat binary (documented in README.md).
#pragma once

namespace preheat::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;      // the run itself failed
inline constexpr int kExitUsage = 2;        // bad usage or bad input file (flags, recipe)
inline constexpr int kExitOutput = 3;       // an output file (--trace, --svg, --out) cannot be written
inline constexpr int kExitInterrupted = 130;  // Ctrl-C or SIGTERM

}  // namespace preheat::cli
