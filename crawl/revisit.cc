#include "crawl/revisit.h"

#include "crawl/page_analysis.h"

namespace preheat::crawl {

std::vector<std::pair<std::string, std::string>> conditional_headers(const store::PreviousFetch& previous) {
  std::vector<std::pair<std::string, std::string>> out;
  if (previous.redirected) return out;
  if (!previous.etag.empty()) out.emplace_back("If-None-Match", previous.etag);
  if (!previous.last_modified.empty()) out.emplace_back("If-Modified-Since", previous.last_modified);
  return out;
}

bool sends_validators(const FrontierItem& item) {
  return item.previous && !item.previous->redirected &&
         (!item.previous->etag.empty() || !item.previous->last_modified.empty());
}

const char* to_string(Revisit r) {
  switch (r) {
    case Revisit::kNone: return "none";
    case Revisit::kNotModified: return "not-modified";
    case Revisit::kSame: return "same";
    case Revisit::kChanged: return "changed";
    case Revisit::kGone: return "gone";
    case Revisit::kFailed: return "failed";
  }
  return "?";
}

Revisit classify_revisit(const FrontierItem& item, const PageAnalysis& a) {
  if (!item.previous || a.retry) return Revisit::kNone;
  const store::PageRecord& r = a.record;
  if (r.not_modified) return Revisit::kNotModified;
  if (r.status == 404 || r.status == 410) return Revisit::kGone;
  if (r.status <= 0 || r.status >= 500 || (!r.error_class.empty() && r.status < 400)) return Revisit::kFailed;
  const store::PreviousFetch& p = *item.previous;
  // The content lives on the record that owns it (a redirect's final URL).
  const store::PageRecord& owner = a.content ? *a.content : r;
  const bool same_content =
      owner.content_hash || p.content_hash ? owner.content_hash == p.content_hash : owner.bytes == p.bytes;
  if (r.status == p.status && same_content) return Revisit::kSame;
  return Revisit::kChanged;
}

}  // namespace preheat::crawl
