// WarcWriter: WARC 1.1 records (https://iipc.github.io/warc-specifications/),
// each record one gzip member ("gzip per record": any record can be read
// from its offset alone), streamed to a ByteSink as they are made. Pure
// apart from the sink: records in, bytes out; nothing of the archive is
// held in memory beyond the record being written (its block parts are
// views) and a 64 KiB compression buffer, so `preheat serve` can stream an
// archive of any size through the same writer.
//
// What preheat writes (docs/schema.md, "WARC export"):
//   - one `warcinfo` record first (software, format, the note below);
//   - per stored fetch (store::StoredBody) a `request` record (the request
//     as preheat sent it, rebuilt: fetch/request_block.h) and a `response`
//     record, each naming the other in WARC-Concurrent-To, both with
//     WARC-Target-URI = the final URL and WARC-Date = the fetch time;
//   - the response block is the received header block with Content-Encoding
//     and Transfer-Encoding removed and Content-Length set to the payload,
//     because preheat stores the DECODED body: the payload is what the
//     server meant, not the bytes on the wire (a WARC of wire bytes would
//     need the encoded body, which the crawl does not keep);
//   - WARC-Block-Digest over the whole block, WARC-Payload-Digest over the
//     body, both "sha1:" + base32; WARC-Record-ID is a name-based UUID (the
//     SHA-1 of the page id, fetch time, type and URL), so exporting the same
//     database twice gives the same bytes.
//
// Thread safety: an object is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "export/byte_sink.h"
#include "export/gzip_member.h"
#include "store/crawl_store.h"

namespace preheat::exports {

// One record. Views: valid during write().
struct WarcRecord {
  std::string_view type;                 // warcinfo, request, response, metadata...
  std::string_view record_id;            // "<urn:uuid:...>"
  std::string_view target_uri;           // empty: no WARC-Target-URI
  std::int64_t date_ms = 0;              // Unix ms (WARC-Date, millisecond precision)
  std::string_view content_type;
  // Further WARC header fields, in order (WARC-Concurrent-To, WARC-Filename...).
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  // The block is head followed by payload.
  std::string_view head;                 // an HTTP header block, warc-fields...
  std::string_view payload;              // an HTTP body
  bool payload_digest = false;           // write WARC-Payload-Digest (over `payload`)
};

struct WarcInfo {
  std::int64_t date_ms = 0;
  std::string filename;                  // WARC-Filename; empty: none (stdout)
  // warc-fields lines of the block ("software", "format", ...), in order.
  std::vector<std::pair<std::string, std::string>> fields;
};

class WarcWriter {
 public:
  // `gzip_level`: 0-9; every record is its own gzip member whatever the level.
  explicit WarcWriter(ByteSink sink, int gzip_level = 6);

  Status write(const WarcRecord& record);
  // The warcinfo record; the records written after it name it in
  // WARC-Warcinfo-ID.
  Status write_warcinfo(const WarcInfo& info);
  // A stored fetch: its request record (when the request block was stored)
  // and its response record.
  Status write_exchange(const store::StoredBody& fetch);

  std::uint64_t records() const { return records_; }
  std::uint64_t bytes_out() const { return gzip_.bytes_out(); }

 private:
  GzipMembers gzip_;
  std::string warcinfo_id_;
  std::uint64_t records_ = 0;
};

// "2026-11-27T20:16:00.123Z"
std::string warc_date(std::int64_t unix_ms);
// "<urn:uuid:xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx>": an RFC 4122 version-5
// style UUID from the SHA-1 of `name` (deterministic).
std::string warc_record_id(std::string_view name);
// The response block's head for a decoded body of `body_size` bytes: the
// received header block without Content-Encoding, Transfer-Encoding and
// Content-Length lines (and their continuation lines), with
// "Content-Length: N" added, every line ending in CRLF, and the empty line.
// An empty block (none was received or stored) becomes a minimal
// "HTTP/1.1 STATUS" head.
std::string decoded_response_head(std::string_view received, int status, std::size_t body_size);

}  // namespace preheat::exports
