// Writes a run's timeline as Chrome Trace Event JSON, the format that
// Perfetto (ui.perfetto.dev) and chrome://tracing open.
//
// What goes where (pid 1 is the run):
//  - "M" metadata: process_name = title; lane i is thread tid i+1, named
//    after the lane, with thread_sort_index i so lanes keep their order.
//  - work and blocked spans on a lane: one "X" slice each on that lane's tid
//    (name = task name, cat = kind, args.task, args.cpu_ms for work). Slices
//    on one track never overlap: when clock jitter makes two overlap, the
//    later start is clamped to the earlier end.
//  - task spans (a task's lifetime): an async "b"/"e" pair, cat "task",
//    id = task id, on the "tasks" pseudo-thread.
//  - wait spans (and worker spans recorded without a lane): an async pair
//    each, cat "wait", name "<task> (wait)", on the "waiting (no worker)"
//    pseudo-thread. Waits that overlap in time always get distinct ids, so
//    they show on rows of their own; an id is reused only after its
//    previous wait has ended (greedy packing), which keeps the number of
//    async tracks at the peak number of concurrent waits, not the number of
//    waits.
//  - each dependency Edge: a flow "s" -> "f" (bp "e") pair, cat "dependency".
//    Flow events bind to the thread slice that encloses them, so when a task
//    ran on a lane the arrow leaves from just inside the end of its last
//    lane slice and arrives just inside the start of the next task's first
//    lane slice. A task that never held a worker has no slice to bind to:
//    its end point falls back to its task span (else its first/last span) on
//    the "tasks" pseudo-thread, where viewers may not draw it. Edges whose
//    tasks have no spans at all (dropped by sampling) are skipped.
//  - timestamps are microseconds (ns / 1000, written as exact decimals);
//    displayTimeUnit is "ms"; otherData holds title, unit, ns_per_unit, the
//    summary figures and sample_stride. A run in virtual time (a recipe
//    where one "min" is 1e9 ns) keeps raw ns / 1000 in ts: otherData says
//    how to read it.
//
// Task and lane names are user input: strings are escaped, and invalid
// UTF-8 bytes become U+FFFD.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <ostream>
#include <string>

#include "base/status.h"
#include "trace/trace_data.h"

namespace preheat::trace {

// Streams `data` to `out`. Returns io_error when the stream fails.
Status write_chrome_trace(const TraceData& data, std::ostream& out);

// Writes to the file at `path` ("-" = stdout). An unwritable path gives an
// io_error naming the path.
Status write_chrome_trace_file(const TraceData& data, const std::string& path);

}  // namespace preheat::trace
