// JSONL export: one JSON object per page row, one per line (UTF-8, "\n").
// The fields (documented in docs/schema.md, "Exports"):
//   url, final_url, status, depth, attempts, fetched_at_ms, elapsed_s,
//   content_type, bytes, wire_bytes, content_hash (16 hex digits, or null
//   when the page was not parsed), error_class, error_message, etag,
//   last_modified, canonical, language, title, description, text.
// Pure.
#pragma once

#include <string>

#include "store/crawl_store.h"

namespace preheat::exports {

// The line for one page, "\n" included.
std::string page_json_line(const store::StoredPage& page);

}  // namespace preheat::exports
