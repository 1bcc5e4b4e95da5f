// Marked text to HTML: a search hit's title or snippet comes from the store
// with its matches between store::kMatchBegin and store::kMatchEnd bytes
// (store/crawl_store.h). Everything else is crawled text: it is escaped, and
// bytes that are not well-formed UTF-8 become U+FFFD. The markers become
// <mark> and </mark>, always balanced (a stray end is dropped, an open mark
// is closed at the end), so a hostile page can at worst shift a highlight,
// never add markup.
//
// Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>

namespace preheat::serve {

void append_marked_html(std::string& out, std::string_view marked);
std::string marked_html(std::string_view marked);

}  // namespace preheat::serve
