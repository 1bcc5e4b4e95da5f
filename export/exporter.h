// export_store: a crawl database out as JSONL, WARC or links CSV, streamed
// to a ByteSink. Reads through the CrawlStore's paging calls (pages_after,
// bodies_after, links_after: a short read per page of rows, never one read
// transaction for the whole export), writes with the pure writers of this
// module, and keeps at most one page of rows in memory (256 rows, and for
// WARC at most ~16 MiB of bodies plus one body).
//
// Thread safety: runs on the calling thread; the store is used by it alone
// during the call.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "export/byte_sink.h"
#include "store/crawl_store.h"

namespace preheat::exports {

enum class Format { kJsonl, kWarc, kLinksCsv };

// "jsonl", "warc", "links-csv"; invalid_argument naming the choices otherwise.
Result<Format> parse_format(std::string_view name);

struct ExportOptions {
  Format format = Format::kJsonl;
  // WARC: the warcinfo record's WARC-Filename (empty: none) and date.
  std::string filename;
  std::int64_t now_ms = 0;
  std::size_t rows_per_read = 256;
  std::size_t body_bytes_per_read = 16u << 20;
};

struct ExportSummary {
  std::int64_t rows = 0;      // pages (jsonl), links (links-csv), fetches (warc)
  std::int64_t records = 0;   // WARC records written, warcinfo included
  std::uint64_t bytes_out = 0;
  store::BodyCounts counts;   // read before the export (warc only)
};

class WarcWriter;

// The WARC export one step at a time, for a caller that must not hold its
// thread for the whole archive (serve's /export.warc.gz: each step runs on a
// reader thread, its bytes are sent from the io thread in between). begin()
// writes the warcinfo record; each step() reads one page of bodies after the
// last one written and writes their records to the sink: false when there
// were none left. export_store(kWarc) is begin() then step() until false.
class WarcExport {
 public:
  WarcExport(ByteSink sink, const ExportOptions& options);
  ~WarcExport();
  WarcExport(const WarcExport&) = delete;
  WarcExport& operator=(const WarcExport&) = delete;

  Status begin();
  Result<bool> step(store::CrawlStore& store);
  // step() in its two halves, for a caller that reads elsewhere (serve on
  // PostgreSQL reads on the event loop, then writes on a worker thread):
  // the read step() makes is store.bodies_after(after(), rows_per_read,
  // body_bytes_per_read); write(rows) is what step() does with its rows.
  store::UrlId after() const { return after_; }
  const ExportOptions& options() const { return options_; }
  Result<bool> write(const std::vector<store::StoredBody>& rows);

  std::int64_t fetches() const { return fetches_; }  // stored fetches written
  std::uint64_t records() const;                    // WARC records, warcinfo included

 private:
  ExportOptions options_;
  std::unique_ptr<WarcWriter> writer_;
  store::UrlId after_ = 0;
  std::int64_t fetches_ = 0;
};

Result<ExportSummary> export_store(store::CrawlStore& store, const ExportOptions& options, const ByteSink& sink);

}  // namespace preheat::exports
