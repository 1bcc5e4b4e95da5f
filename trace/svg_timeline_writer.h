// Writes a run's timeline as one self-contained SVG picture (no external
// fonts, scripts or style sheets), in the spirit of the article's figure of
// sync vs async vs parallel cake baking.
//
// From top to bottom:
//  - the title and a summary line: wall-clock, execution, waiting and
//    parallelism (execution / wall), in the run's time unit;
//  - a legend (work, blocked wait, wait without a worker) and, for a sampled
//    run, "sampled: 1 task in N shown";
//  - one row per worker lane, labelled at the left. Work is a solid box,
//    blocked (waiting while holding the worker) a hatched one; boxes carry
//    the task name when wide enough (ellipsized otherwise) and a <title>
//    tooltip with name, kind, start, end and duration. Each task gets a
//    colour derived from its id, so pieces of one task match.
//  - the waits that hold no worker, on extra rows ("waiting (no worker)")
//    filled by greedy interval packing, drawn as light dashed outlines.
//    Task lifetimes and dependency edges are not drawn (the Chrome trace
//    has them).
//  - a time axis with ticks at round values (1, 2, 5 x 10^k) labelled with
//    the unit. Real-time units (ns, us, ms, s) switch to a larger one when
//    the run is long; virtual units ("min" of a recipe) are kept.
//
// Size stays bounded however many spans there are: on each row, a box
// narrower than 0.5 px opens a grey "merged" box (its tooltip counts the
// spans) that swallows the next boxes narrower than 2 px starting within
// 0.5 px of it; a box starts where the row's drawing ends (boxes never
// overlap) and one hidden under what is already drawn is skipped. Every
// element advances its row by at least 0.5 px, so a row holds at most
// ~2 x width elements. Waits are packed on at most 12 rows; further
// overlapping waits share one overflow row. Measured at the default width:
// a million spans give 20 kB (a crawl) to 210 kB (an adversarial mix).
//
// Task and lane names are user input: text is XML-escaped, and invalid
// UTF-8 and characters XML forbids become U+FFFD.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <ostream>
#include <string>

#include "base/status.h"
#include "trace/trace_data.h"

namespace preheat::trace {

struct SvgOptions {
  int width = 1200;  // px, the whole picture; clamped to [480, 20000]
};

// Writes the SVG to `out`. Returns io_error when the stream fails.
Status write_svg_timeline(const TraceData& data, std::ostream& out, const SvgOptions& options = {});

// Writes to the file at `path` ("-" = stdout). An unwritable path gives an
// io_error naming the path.
Status write_svg_timeline_file(const TraceData& data, const std::string& path,
                               const SvgOptions& options = {});

}  // namespace preheat::trace
