// The article's responsiveness example, measured: a CPU-heavy job (real zlib
// compression of generated text, chunk by chunk: "extracting a ZIP") runs
// while an interactive task wants to run every `tick` (the mouse cursor).
//
//   sequential  the job runs to the end, then the cursor catches up: every
//               tick that fell due meanwhile is late by up to the whole job.
//   async       one thread; the job yields between chunks, so a tick is late
//               by about one chunk at most.
//   parallel    the job's chunks run on a worker thread; the event loop is
//               free and the cursor is on time.
//
// The job and the cursor are the same code in every mode (runtime/runtime.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/clock.h"
#include "base/execution_mode.h"
#include "base/percentiles.h"
#include "trace/trace_data.h"

namespace preheat::bake {

struct ResponsivenessOptions {
  std::size_t megabytes = 256;     // generated input the job compresses
  std::size_t chunk_kib = 256;     // the job yields after each chunk
  int level = 1;                   // zlib level
  Duration tick = std::chrono::milliseconds(10);  // how often the cursor wants to run
  int workers = 2;                 // parallel mode
  std::size_t max_spans = 1'000'000;
  bool stop_on_interrupt = false;  // Ctrl-C makes the run throw runtime::Interrupted
};

struct ResponsivenessResult {
  ExecutionMode mode = ExecutionMode::kSequential;
  Percentiles lateness;            // how late each cursor tick ran
  Duration job{};                  // from the job's start to its end
  Duration wall{};
  Duration execution{};            // CPU time of job and cursor work
  std::uint64_t input_bytes = 0;
  std::uint64_t compressed_bytes = 0;
  trace::TraceData trace;
};

// Runs the demo once in `mode` on the calling thread.
ResponsivenessResult run_responsiveness(ExecutionMode mode, const ResponsivenessOptions& options);

}  // namespace preheat::bake
