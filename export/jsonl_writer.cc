#include "export/jsonl_writer.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

namespace preheat::exports {

std::string page_json_line(const store::StoredPage& stored) {
  const store::PageRecord& p = stored.page;
  boost::json::object o;
  o["url"] = p.url;
  o["final_url"] = p.final_url;
  o["status"] = p.status;
  o["depth"] = p.depth;
  o["attempts"] = p.attempts;
  o["fetched_at_ms"] = p.fetched_at_ms;
  o["elapsed_s"] = p.elapsed_s;
  o["content_type"] = p.content_type;
  o["bytes"] = p.bytes;
  o["wire_bytes"] = p.wire_bytes;
  if (p.content_hash) {
    o["content_hash"] = fmt::format("{:016x}", *p.content_hash);
  } else {
    o["content_hash"] = nullptr;
  }
  o["error_class"] = p.error_class;
  o["error_message"] = p.error_message;
  o["etag"] = p.etag;
  o["last_modified"] = p.last_modified;
  o["robots"] = p.robots;
  o["checked_at_ms"] = p.checked_at_ms;
  o["not_modified"] = p.not_modified;
  o["canonical"] = p.canonical;
  o["language"] = p.language;
  o["title"] = p.title;
  o["description"] = p.description;
  o["text"] = p.text;
  std::string line = boost::json::serialize(o);
  line += '\n';
  return line;
}

}  // namespace preheat::exports
