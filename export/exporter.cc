#include "export/exporter.h"

#include "base/version.h"
#include "export/jsonl_writer.h"
#include "export/links_csv.h"
#include "export/warc_writer.h"

namespace preheat::exports {

namespace {

// The sink, counting bytes.
ByteSink counting(const ByteSink& sink, std::uint64_t& bytes) {
  return [&sink, &bytes](std::string_view chunk) {
    bytes += chunk.size();
    return sink(chunk);
  };
}

Status export_jsonl(store::CrawlStore& store, const ExportOptions& o, const ByteSink& sink, ExportSummary& sum) {
  store::UrlId after = 0;
  std::string out;
  while (true) {
    Result<std::vector<store::StoredPage>> rows = store.pages_after(after, o.rows_per_read);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status();
    out.clear();
    for (const store::StoredPage& p : *rows) out += page_json_line(p);
    if (Status s = sink(out); !s.ok()) return s;
    sum.rows += static_cast<std::int64_t>(rows->size());
    after = rows->back().id;
  }
}

Status export_links(store::CrawlStore& store, const ExportOptions& o, const ByteSink& sink, ExportSummary& sum) {
  if (Status s = sink(kLinksCsvHeader); !s.ok()) return s;
  store::UrlId from = 0;
  std::int64_t seq = -1;
  std::string out;
  while (true) {
    Result<std::vector<store::LinkExport>> rows = store.links_after(from, seq, o.rows_per_read * 16);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status();
    out.clear();
    for (const store::LinkExport& l : *rows) out += link_csv_row(l);
    if (Status s = sink(out); !s.ok()) return s;
    sum.rows += static_cast<std::int64_t>(rows->size());
    from = rows->back().from_id;
    seq = rows->back().seq;
  }
}

Status export_warc(store::CrawlStore& store, const ExportOptions& o, const ByteSink& sink, ExportSummary& sum) {
  Result<store::BodyCounts> counts = store.body_counts();
  if (!counts.ok()) return counts.status();
  sum.counts = *counts;
  WarcExport warc(sink, o);
  if (Status s = warc.begin(); !s.ok()) return s;
  for (;;) {
    Result<bool> more = warc.step(store);
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  sum.rows = warc.fetches();
  sum.records = static_cast<std::int64_t>(warc.records());
  return Status();
}

}  // namespace

WarcExport::WarcExport(ByteSink sink, const ExportOptions& options)
    : options_(options), writer_(std::make_unique<WarcWriter>(std::move(sink))) {}

WarcExport::~WarcExport() = default;

Status WarcExport::begin() {
  WarcInfo info;
  info.date_ms = options_.now_ms;
  info.filename = options_.filename;
  info.fields = {
      {"software", std::string("preheat/") + kVersion},
      {"format", "WARC File Format 1.1"},
      {"conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"},
      {"description",
       "preheat stores decoded bodies: response payloads are decoded (no Content-Encoding, no "
       "Transfer-Encoding) and Content-Length is the payload's length; requests are rebuilt from what "
       "preheat sent; redirect hops have no records"},
  };
  return writer_->write_warcinfo(info);
}

Result<bool> WarcExport::step(store::CrawlStore& store) {
  Result<std::vector<store::StoredBody>> rows =
      store.bodies_after(after_, options_.rows_per_read, options_.body_bytes_per_read);
  if (!rows.ok()) return rows.status();
  return write(*rows);
}

Result<bool> WarcExport::write(const std::vector<store::StoredBody>& rows) {
  if (rows.empty()) return false;
  for (const store::StoredBody& b : rows) {
    if (Status s = writer_->write_exchange(b); !s.ok()) return s;
  }
  fetches_ += static_cast<std::int64_t>(rows.size());
  after_ = rows.back().page_id;
  return true;
}

std::uint64_t WarcExport::records() const { return writer_->records(); }

Result<Format> parse_format(std::string_view name) {
  if (name == "jsonl") return Format::kJsonl;
  if (name == "warc") return Format::kWarc;
  if (name == "links-csv") return Format::kLinksCsv;
  return Status::invalid_argument("unknown export format '" + std::string(name) + "' (formats: jsonl, warc, links-csv)");
}

Result<ExportSummary> export_store(store::CrawlStore& store, const ExportOptions& options, const ByteSink& sink) {
  ExportSummary sum;
  const ByteSink out = counting(sink, sum.bytes_out);
  Status s;
  switch (options.format) {
    case Format::kJsonl: s = export_jsonl(store, options, out, sum); break;
    case Format::kWarc: s = export_warc(store, options, out, sum); break;
    case Format::kLinksCsv: s = export_links(store, options, out, sum); break;
  }
  if (!s.ok()) return s;
  return sum;
}

}  // namespace preheat::exports
