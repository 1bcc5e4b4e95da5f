// /export.warc.gz: the crawl as a WARC 1.1 archive (export/exporter.h), made
// while it is sent. The work of each piece (reading bodies, gzip, SHA-1) is
// done by next() on a reader thread; the server sends the piece from its own
// thread (the io thread in async mode) as one HTTP chunk, then asks for the
// next. So an archive of any size holds about one piece in memory (64 rows,
// at most 4 MiB of bodies plus one body), the io threads never compress,
// and light requests are served meanwhile (the article's ZIP example).
//
// On PostgreSQL the read is made on the io loop through the async driver and
// only the piece's work runs on a worker thread (serve/pg_reader.h).
//
// The first piece is made before the answer's head is sent: a database that
// fails at once gets a 500; one that fails later can only end the
// connection early (the client sees a truncated chunked body, not a
// complete archive).
//
// Thread safety: one object per download, used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "export/exporter.h"
#include "store/crawl_store.h"

namespace preheat::serve {

inline constexpr std::string_view kWarcDownloadType = "application/warc";
inline constexpr std::string_view kWarcDownloadDisposition = "attachment; filename=\"crawl.warc.gz\"";

class WarcDownload {
 public:
  // `now_ms`: the warcinfo record's date.
  explicit WarcDownload(std::int64_t now_ms);

  // The next piece of the archive (the warcinfo record and the first rows on
  // the first call); empty once done(). Valid until the next call.
  Result<std::string_view> next(store::CrawlStore& store);
  bool done() const { return done_; }

  // next() in its two halves, for a reader that reads without a CrawlStore
  // (serve on PostgreSQL: the read on the event loop, the piece on a worker
  // thread): the read next() would make, and the piece made of its rows.
  struct Read {
    store::UrlId after = 0;
    std::size_t limit = 0;
    std::size_t max_bytes = 0;
  };
  Read next_read() const;
  Result<std::string_view> next(const Result<std::vector<store::StoredBody>>& rows);

 private:
  std::string piece_;
  exports::WarcExport warc_;
  bool begun_ = false;
  bool done_ = false;
};

}  // namespace preheat::serve
