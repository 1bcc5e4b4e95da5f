// The traps the synthetic site can set (`--faults LIST|all`), one name each.
//
//   500, 503, 429, reset, stall, redirect-loop, redirect-chain, gzip-bomb,
//   oversize, binary, bad-utf8, charsets, calendar, schemes, robots, sitemap
//
// What each one serves, and on which paths, is listed in site_model.h.
// Thread safety: values; no shared state.
#pragma once

#include <bitset>
#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace preheat::testsite {

enum class Fault {
  kStatus500,
  kStatus503,
  kStatus429,
  kReset,
  kStall,
  kRedirectLoop,
  kRedirectChain,
  kGzipBomb,
  kOversize,
  kBinary,
  kBadUtf8,
  kCharsets,
  kCalendar,
  kSchemes,
  kRobots,
  kSitemap,
};
inline constexpr std::size_t kFaultCount = 16;

// The name on the command line: "500", "redirect-loop"...
std::string_view fault_name(Fault fault);

class FaultSet {
 public:
  static FaultSet all();

  bool has(Fault f) const { return bits_.test(static_cast<std::size_t>(f)); }
  void add(Fault f) { bits_.set(static_cast<std::size_t>(f)); }
  bool empty() const { return bits_.none(); }
  std::size_t size() const { return bits_.count(); }
  // "500,reset" in the order of the enum ("" when empty).
  std::string to_string() const;

  friend bool operator==(const FaultSet&, const FaultSet&) = default;

 private:
  std::bitset<kFaultCount> bits_;
};

// Parses "500,reset, stall" (items trimmed; empty items ignored) or "all".
// An unknown item is an error that names it and lists the valid names:
//   unknown fault 'resett' (valid: 500, 503, ..., sitemap, all)
Result<FaultSet> parse_faults(std::string_view list);

}  // namespace preheat::testsite
