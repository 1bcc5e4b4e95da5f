#include "serve/marked_text.h"

#include "base/markup_escape.h"
#include "base/utf8.h"
#include "store/crawl_store.h"

namespace preheat::serve {

void append_marked_html(std::string& out, std::string_view marked) {
  bool open = false;
  std::size_t run = 0;  // start of the text not yet written
  std::size_t i = 0;
  const auto flush = [&](std::size_t to) { append_markup_escaped(out, marked.substr(run, to - run)); };
  while (i < marked.size()) {
    const char c = marked[i];
    if (c == store::kMatchBegin || c == store::kMatchEnd) {
      flush(i);
      const bool begin = c == store::kMatchBegin;
      if (begin != open) out += begin ? "<mark>" : "</mark>";
      open = begin;
      run = ++i;
      continue;
    }
    const std::size_t n = static_cast<unsigned char>(c) < 0x80 ? 1 : utf8_length(marked, i);
    if (n == 0) {
      flush(i);
      out += kReplacementChar;
      run = ++i;
      continue;
    }
    i += n;
  }
  flush(i);
  if (open) out += "</mark>";
}

std::string marked_html(std::string_view marked) {
  std::string out;
  append_marked_html(out, marked);
  return out;
}

}  // namespace preheat::serve
