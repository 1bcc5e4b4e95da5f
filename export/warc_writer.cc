#include "export/warc_writer.h"

#include <ctime>
#include <utility>

#include <fmt/format.h>

#include "base/ascii.h"
#include "export/sha1_digest.h"

namespace preheat::exports {

namespace {

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string warc_date(std::int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
  const int millis = static_cast<int>(unix_ms - static_cast<std::int64_t>(seconds) * 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

std::string warc_record_id(std::string_view name) {
  Sha1 h;
  h.update(name);
  std::array<std::uint8_t, 20> d = h.digest();
  d[6] = static_cast<std::uint8_t>((d[6] & 0x0f) | 0x50);  // version 5
  d[8] = static_cast<std::uint8_t>((d[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex += '-';
    hex += fmt::format("{:02x}", d[static_cast<std::size_t>(i)]);
  }
  return "<urn:uuid:" + hex + ">";
}

std::string decoded_response_head(std::string_view received, int status, std::size_t body_size) {
  std::string out;
  out.reserve(received.size() + 32);
  bool first = true;
  bool dropping = false;  // inside a dropped header's continuation lines
  while (!received.empty()) {
    const std::size_t eol = received.find('\n');
    std::string_view line = received.substr(0, eol);
    received.remove_prefix(eol == std::string_view::npos ? received.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first) {
      out.append(trim_right(line)).append("\r\n");
      first = false;
      continue;
    }
    if (line.empty()) break;  // the end of the head
    if (line.front() == ' ' || line.front() == '\t') {
      if (!dropping) out.append(line).append("\r\n");
      continue;
    }
    const std::string_view name = trim_right(line.substr(0, line.find(':')));
    dropping = ascii_iequals(name, "content-encoding") || ascii_iequals(name, "transfer-encoding") ||
               ascii_iequals(name, "content-length");
    if (!dropping) out.append(line).append("\r\n");
  }
  if (first) out = fmt::format("HTTP/1.1 {}\r\n", status);
  out.append(fmt::format("Content-Length: {}\r\n\r\n", body_size));
  return out;
}

WarcWriter::WarcWriter(ByteSink sink, int gzip_level) : gzip_(std::move(sink), gzip_level) {}

Status WarcWriter::write(const WarcRecord& r) {
  Sha1 sha;
  sha.update(r.head);
  sha.update(r.payload);
  const std::string block_digest = warc_sha1(sha.digest());
  std::string header = "WARC/1.1\r\n";
  const auto field = [&header](std::string_view name, std::string_view value) {
    header.append(name).append(": ").append(value).append("\r\n");
  };
  field("WARC-Type", r.type);
  field("WARC-Record-ID", r.record_id);
  field("WARC-Date", warc_date(r.date_ms));
  if (!r.target_uri.empty()) field("WARC-Target-URI", r.target_uri);
  if (!warcinfo_id_.empty() && r.type != "warcinfo") field("WARC-Warcinfo-ID", warcinfo_id_);
  for (const auto& [name, value] : r.fields) field(name, value);
  field("WARC-Block-Digest", block_digest);
  if (r.payload_digest) {
    sha.update(r.payload);
    field("WARC-Payload-Digest", warc_sha1(sha.digest()));
  }
  field("Content-Type", r.content_type);
  field("Content-Length", std::to_string(r.head.size() + r.payload.size()));
  header.append("\r\n");
  if (Status s = gzip_.begin(); !s.ok()) return s;
  for (std::string_view part : {std::string_view(header), r.head, r.payload, std::string_view("\r\n\r\n")}) {
    if (Status s = gzip_.write(part); !s.ok()) return s;
  }
  if (Status s = gzip_.end(); !s.ok()) return s;
  ++records_;
  return Status();
}

Status WarcWriter::write_warcinfo(const WarcInfo& info) {
  std::string block;
  for (const auto& [name, value] : info.fields) block.append(name).append(": ").append(value).append("\r\n");
  const std::string id = warc_record_id(fmt::format("preheat warcinfo {} {}", info.date_ms, info.filename));
  WarcRecord r;
  r.type = "warcinfo";
  r.record_id = id;
  r.date_ms = info.date_ms;
  r.content_type = "application/warc-fields";
  if (!info.filename.empty()) r.fields.emplace_back("WARC-Filename", info.filename);
  r.head = block;
  if (Status s = write(r); !s.ok()) return s;
  warcinfo_id_ = id;
  return Status();
}

Status WarcWriter::write_exchange(const store::StoredBody& f) {
  const std::string name = fmt::format("{} {} {}", f.page_id, f.fetched_at_ms, f.final_url);
  const std::string request_id = warc_record_id("preheat request " + name);
  const std::string response_id = warc_record_id("preheat response " + name);
  const bool with_request = !f.request_block.empty();
  if (with_request) {
    WarcRecord request;
    request.type = "request";
    request.record_id = request_id;
    request.target_uri = f.final_url;
    request.date_ms = f.fetched_at_ms;
    request.content_type = "application/http;msgtype=request";
    request.fields.emplace_back("WARC-Concurrent-To", response_id);
    request.head = f.request_block;
    if (Status s = write(request); !s.ok()) return s;
  }
  const std::string head = decoded_response_head(f.response_block, f.status, f.body.size());
  WarcRecord response;
  response.type = "response";
  response.record_id = response_id;
  response.target_uri = f.final_url;
  response.date_ms = f.fetched_at_ms;
  response.content_type = "application/http;msgtype=response";
  if (with_request) response.fields.emplace_back("WARC-Concurrent-To", request_id);
  response.head = head;
  response.payload = f.body;
  response.payload_digest = true;
  return write(response);
}

}  // namespace preheat::exports
