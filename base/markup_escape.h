// Escaping text for HTML and XML (text and quoted attribute values alike):
// & < > " ' become character references. Titles, task names and crawled text
// are hostile input; every writer of markup goes through here.
#pragma once

#include <string>
#include <string_view>

namespace preheat {

// Appends `text` to `out` with & < > " ' escaped ("&#39;" for the apostrophe:
// valid in both HTML and XML). Bytes are otherwise copied as they are.
void append_markup_escaped(std::string& out, std::string_view text);
std::string markup_escape(std::string_view text);

}  // namespace preheat
