// links-csv export: every link of every page, one CSV row each (RFC 4180:
// comma-separated, CRLF line ends, a field with a comma, a double quote, CR
// or LF is quoted and its quotes doubled), with what became of the target:
// the broken-links report in a spreadsheet.
//   from,to,anchor,rel,tag,target_status,target_error
// target_status is the target's final HTTP status ("0": no answer, see
// target_error), empty when the target was never fetched (out of scope,
// mailto:...). Pure.
#pragma once

#include <string>
#include <string_view>

#include "store/crawl_store.h"

namespace preheat::exports {

inline constexpr std::string_view kLinksCsvHeader = "from,to,anchor,rel,tag,target_status,target_error\r\n";

// `value` as one CSV field (quoted only when it must be).
std::string csv_field(std::string_view value);
// One row, "\r\n" included.
std::string link_csv_row(const store::LinkExport& link);

}  // namespace preheat::exports
