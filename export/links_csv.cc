#include "export/links_csv.h"

namespace preheat::exports {

std::string csv_field(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string link_csv_row(const store::LinkExport& l) {
  std::string row = csv_field(l.from_url);
  for (std::string_view field : {std::string_view(l.to_url), std::string_view(l.anchor), std::string_view(l.rel),
                                 std::string_view(l.tag)}) {
    row.append(",").append(csv_field(field));
  }
  row.append(",");
  if (l.target_status) row.append(std::to_string(*l.target_status));
  row.append(",").append(csv_field(l.target_error)).append("\r\n");
  return row;
}

}  // namespace preheat::exports
