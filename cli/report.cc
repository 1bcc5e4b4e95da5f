#include "cli/report.h"

#include <cmath>
#include <filesystem>
#include <iostream>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "trace/chrome_trace_writer.h"
#include "trace/svg_timeline_writer.h"

namespace preheat::cli {

std::string human_duration(Duration d) {
  const double ns = static_cast<double>(d.count());
  const double abs = std::fabs(ns);
  auto three = [](double v) {
    if (std::fabs(v) >= 100) return fmt::format("{:.0f}", v);
    if (std::fabs(v) >= 10) return fmt::format("{:.1f}", v);
    return fmt::format("{:.2f}", v);
  };
  if (abs >= 60e9) return three(ns / 60e9) + " min";
  if (abs >= 1e9) return three(ns / 1e9) + " s";
  if (abs >= 1e6) return three(ns / 1e6) + " ms";
  if (abs >= 1e3) return three(ns / 1e3) + " µs";
  return fmt::format("{:.0f} ns", ns);
}

std::string human_number(double v) {
  const double r = std::round(v * 10) / 10;
  if (std::fabs(r - std::round(r)) < 1e-9) return fmt::format("{:.0f}", r);
  return fmt::format("{:.1f}", r);
}

namespace {
Status ensure_parent(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return Status();
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) return Status::io_error("cannot create folder '" + parent.string() + "': " + ec.message());
  return Status();
}
}  // namespace

Status ensure_folder(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::io_error("cannot create folder '" + path + "': " + ec.message());
  return Status();
}

Status write_timelines(const trace::TraceData& data, const std::string& json_path, const std::string& svg_path) {
  using Writer = Status (*)(const trace::TraceData&, const std::string&);
  const std::pair<const std::string&, Writer> outputs[] = {
      {json_path, &trace::write_chrome_trace_file},
      {svg_path, [](const trace::TraceData& d, const std::string& p) { return trace::write_svg_timeline_file(d, p); }},
  };
  for (const auto& [path, write] : outputs) {
    if (path.empty()) continue;
    Status s = path == "-" ? Status() : ensure_parent(path);
    if (s.ok()) s = write(data, path);
    if (!s.ok()) return s;
  }
  return Status();
}

boost::json::value json_number(double v) {
  if (std::isfinite(v) && std::fabs(v) < 9e15 && v == std::floor(v)) return static_cast<std::int64_t>(v);
  if (!std::isfinite(v)) return nullptr;
  // Round to 6 significant digits: measurements carry no more precision.
  return std::stod(fmt::format("{:.6g}", v));
}

namespace {
// Boost.JSON prints doubles as 4.16667E-1; people read this output too, so
// numbers are printed with fmt's shortest round-trip form (0.4166666666666667)
// and everything else through Boost.JSON.
void write_json(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::double_: {
      const double d = v.get_double();
      out += std::isfinite(d) ? fmt::format("{}", d) : "null";
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::value(kv.key()));
        out += ':';
        write_json(kv.value(), out);
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write_json(e, out);
      }
      out += ']';
      return;
    }
    default:
      out += boost::json::serialize(v);
  }
}
}  // namespace

void print_json(const boost::json::object& object) {
  std::string out;
  write_json(object, out);
  std::cout << out << "\n";
}

}  // namespace preheat::cli
