#include "serve/warc_download.h"

namespace preheat::serve {
namespace {

exports::ExportOptions download_options(std::int64_t now_ms) {
  exports::ExportOptions o;
  o.format = exports::Format::kWarc;
  o.filename = "crawl.warc.gz";
  o.now_ms = now_ms;
  o.rows_per_read = 64;
  o.body_bytes_per_read = 4u << 20;
  return o;
}

}  // namespace

WarcDownload::WarcDownload(std::int64_t now_ms)
    : warc_(
          [this](std::string_view bytes) {
            piece_.append(bytes);
            return Status();
          },
          download_options(now_ms)) {}

WarcDownload::Read WarcDownload::next_read() const {
  return Read{warc_.after(), warc_.options().rows_per_read, warc_.options().body_bytes_per_read};
}

Result<std::string_view> WarcDownload::next(store::CrawlStore& store) {
  if (done_) return next(std::vector<store::StoredBody>());
  const Read r = next_read();
  return next(store.bodies_after(r.after, r.limit, r.max_bytes));
}

Result<std::string_view> WarcDownload::next(const Result<std::vector<store::StoredBody>>& rows) {
  piece_.clear();
  if (done_) return std::string_view(piece_);
  if (!begun_) {
    begun_ = true;
    if (Status s = warc_.begin(); !s.ok()) return s;
  }
  if (!rows.ok()) return rows.status();
  Result<bool> more = warc_.write(*rows);
  if (!more.ok()) return more.status();
  done_ = !*more;
  return std::string_view(piece_);
}

}  // namespace preheat::serve
