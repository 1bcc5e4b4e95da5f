#include "testsite/fault_set.h"

#include <array>

namespace preheat::testsite {

namespace {

constexpr std::array<std::string_view, kFaultCount> kNames = {
    "500",      "503",    "429",      "reset",    "stall",    "redirect-loop", "redirect-chain", "gzip-bomb",
    "oversize", "binary", "bad-utf8", "charsets", "calendar", "schemes",       "robots",         "sitemap",
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string valid_names() {
  std::string out;
  for (std::string_view n : kNames) {
    out += n;
    out += ", ";
  }
  return out + "all";
}

}  // namespace

std::string_view fault_name(Fault fault) {
  return kNames[static_cast<std::size_t>(fault)];
}

FaultSet FaultSet::all() {
  FaultSet s;
  s.bits_.set();
  return s;
}

std::string FaultSet::to_string() const {
  std::string out;
  for (std::size_t i = 0; i < kFaultCount; ++i) {
    if (!bits_.test(i)) continue;
    if (!out.empty()) out += ',';
    out += kNames[i];
  }
  return out;
}

Result<FaultSet> parse_faults(std::string_view list) {
  FaultSet set;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;
    if (item == "all") {
      set = FaultSet::all();
      continue;
    }
    bool known = false;
    for (std::size_t i = 0; i < kFaultCount; ++i) {
      if (kNames[i] == item) {
        set.add(static_cast<Fault>(i));
        known = true;
      }
    }
    if (!known) {
      return Status::invalid_argument("unknown fault '" + std::string(item) + "' (valid: " + valid_names() + ")");
    }
  }
  return set;
}

}  // namespace preheat::testsite
