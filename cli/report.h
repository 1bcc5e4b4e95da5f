// Formatting shared by the commands: durations for people, JSON for programs,
// and writing the timeline files.
#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "base/clock.h"
#include "base/status.h"
#include "trace/trace_data.h"

namespace preheat::cli {

// "1.3 s", "2.9 ms", "45 µs" — three significant digits, a unit that fits.
std::string human_duration(Duration d);
// A figure in some unit with at most one decimal: "35", "35.2".
std::string human_number(double v);

// Creates `path` and its parents when missing.
Status ensure_folder(const std::string& path);

// Writes the timeline of `data` to `json_path` (Chrome trace) and/or
// `svg_path` when they are non-empty; creates missing parent folders.
Status write_timelines(const trace::TraceData& data, const std::string& json_path, const std::string& svg_path);

// A JSON number that prints as 60 rather than 6E1 when it is a whole number.
boost::json::value json_number(double v);

// Prints `object` as one line of JSON on stdout.
void print_json(const boost::json::object& object);

}  // namespace preheat::cli
