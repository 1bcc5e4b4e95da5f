// The WARC writer's pure parts: digests (against python3's hashlib, an
// independent implementation), dates, record ids, the decoded response
// head, gzip per record (each member decompresses alone), streaming in
// bounded chunks, and a failing sink.
#include "export/warc_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>

#include "export/sha1_digest.h"
#include "tests/export/export_test_util.h"
#include "tests/support/support.h"

namespace preheat::exports {
namespace {

using testing::gunzip_members;
using testing::parse_record;
using testing::string_sink;
using ::testing::HasSubstr;
using ::testing::Not;
using preheat::testing::TempDir;
using preheat::testing::write_file;

// python3 -c: the WARC digest of a file's bytes, computed by hashlib + base64.
std::string python_sha1(const std::filesystem::path& file) {
  const std::string cmd = "python3 -c \"import hashlib,base64,sys; print('sha1:' + "
                          "base64.b32encode(hashlib.sha1(open(sys.argv[1],'rb').read()).digest()).decode())\" '" +
                          file.string() + "'";
  std::FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "popen failed";
  char buf[128] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, p);
  pclose(p);
  std::string out(buf, n);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(Sha1DigestTest, KnownVectorsAndBase32) {
  EXPECT_EQ(warc_sha1("abc"), "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5");
  EXPECT_EQ(warc_sha1(""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
  const auto b32 = [](std::string_view s) { return base32(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); };
  EXPECT_EQ(b32("f"), "MY======");
  EXPECT_EQ(b32("foobar"), "MZXW6YTBOI======");
  Sha1 h;  // in pieces = at once, and digest() starts over
  h.update("a");
  h.update("bc");
  EXPECT_EQ(warc_sha1(h.digest()), warc_sha1("abc"));
  h.update("abc");
  EXPECT_EQ(warc_sha1(h.digest()), warc_sha1("abc"));
}

TEST(Sha1DigestTest, MatchesPythonHashlibOnBinaryData) {
  TempDir dir;
  std::string data;
  for (unsigned i = 0; i < 300000; ++i) data += static_cast<char>((i * 7919u) % 256u);
  write_file(dir / "blob", data);
  EXPECT_EQ(warc_sha1(data), python_sha1(dir / "blob"));
}

TEST(WarcWriterTest, DatesAndRecordIds) {
  EXPECT_EQ(warc_date(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(warc_date(1795811760123), "2026-11-27T20:36:00.123Z");
  const std::string id = warc_record_id("x");
  EXPECT_TRUE(std::regex_match(id, std::regex("<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}>")))
      << id;
  EXPECT_EQ(warc_record_id("x"), id);
  EXPECT_NE(warc_record_id("y"), id);
}

TEST(WarcWriterTest, DecodedResponseHeadDropsEncodingsAndSetsTheLength) {
  const std::string received =
      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nCONTENT-ENCODING: gzip\r\nTransfer-Encoding: chunked\r\n"
      "X-Folded: a\r\n b\r\ncontent-length: 99\r\nX-Last: 1\r\n\r\n";
  EXPECT_EQ(decoded_response_head(received, 200, 1234),
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Folded: a\r\n b\r\nX-Last: 1\r\nContent-Length: 1234\r\n\r\n");
  // Bare LF line ends become CRLF; the continuation of a dropped header goes with it.
  EXPECT_EQ(decoded_response_head("HTTP/2 404 \nContent-Encoding: br,\n  gzip\nserver: x\n\n", 404, 0),
            "HTTP/2 404\r\nserver: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(decoded_response_head("", 503, 5), "HTTP/1.1 503\r\nContent-Length: 5\r\n\r\n");
}

store::StoredBody sample_fetch(std::string body) {
  store::StoredBody b;
  b.page_id = 7;
  b.url = "http://example.test/a";
  b.final_url = "http://example.test/b";
  b.status = 200;
  b.fetched_at_ms = 1795811760123;
  b.request_block = "GET /b HTTP/1.1\r\nHost: example.test\r\nUser-Agent: preheat/0\r\nAccept: */*\r\n\r\n";
  b.response_block = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\n";
  b.body = std::move(body);
  return b;
}

TEST(WarcWriterTest, EachRecordIsOneGzipMemberWithDigestsThatMatchPython) {
  TempDir dir;
  std::string out;
  WarcWriter w(string_sink(out));
  ASSERT_TRUE(w.write_warcinfo({.date_ms = 5, .filename = "x.warc.gz", .fields = {{"software", "preheat/test"}}}).ok());
  const std::string body = "<html>\0\xff binary \r\n\r\n bytes</html>";
  ASSERT_TRUE(w.write_exchange(sample_fetch(std::string(body.data(), body.size()))).ok());
  EXPECT_EQ(w.records(), 3u);
  const std::vector<std::string> members = gunzip_members(out);
  ASSERT_EQ(members.size(), 3u);

  const auto info = parse_record(members[0]);
  EXPECT_EQ(info.version, "WARC/1.1");
  EXPECT_EQ(info.fields.at("WARC-Type"), "warcinfo");
  EXPECT_EQ(info.fields.at("WARC-Filename"), "x.warc.gz");
  EXPECT_EQ(info.fields.at("Content-Type"), "application/warc-fields");
  EXPECT_EQ(info.block, "software: preheat/test\r\n");

  const auto request = parse_record(members[1]);
  const auto response = parse_record(members[2]);
  EXPECT_EQ(request.fields.at("WARC-Type"), "request");
  EXPECT_EQ(response.fields.at("WARC-Type"), "response");
  for (const auto* r : {&request, &response}) {
    EXPECT_EQ(r->fields.at("WARC-Target-URI"), "http://example.test/b");
    EXPECT_EQ(r->fields.at("WARC-Date"), "2026-11-27T20:36:00.123Z");
    EXPECT_EQ(r->fields.at("WARC-Warcinfo-ID"), info.fields.at("WARC-Record-ID"));
    write_file(dir / "block", r->block);
    EXPECT_EQ(r->fields.at("WARC-Block-Digest"), python_sha1(dir / "block"));
  }
  EXPECT_EQ(request.fields.at("WARC-Concurrent-To"), response.fields.at("WARC-Record-ID"));
  EXPECT_EQ(response.fields.at("WARC-Concurrent-To"), request.fields.at("WARC-Record-ID"));
  EXPECT_EQ(request.fields.count("WARC-Payload-Digest"), 0u);
  EXPECT_EQ(request.fields.at("Content-Type"), "application/http;msgtype=request");
  EXPECT_EQ(response.fields.at("Content-Type"), "application/http;msgtype=response");
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n";
  EXPECT_EQ(response.block, head + std::string(body.data(), body.size()));
  write_file(dir / "payload", std::string(body.data(), body.size()));
  EXPECT_EQ(response.fields.at("WARC-Payload-Digest"), python_sha1(dir / "payload"));

  // The same input gives the same bytes (deterministic record ids).
  std::string again;
  WarcWriter w2(string_sink(again));
  ASSERT_TRUE(w2.write_warcinfo({.date_ms = 5, .filename = "x.warc.gz", .fields = {{"software", "preheat/test"}}}).ok());
  ASSERT_TRUE(w2.write_exchange(sample_fetch(std::string(body.data(), body.size()))).ok());
  EXPECT_EQ(again, out);
}

TEST(WarcWriterTest, ABigPayloadIsStreamedInBoundedChunks) {
  std::size_t calls = 0, largest = 0, total = 0;
  WarcWriter w([&](std::string_view chunk) {
    ++calls;
    largest = std::max(largest, chunk.size());
    total += chunk.size();
    return Status();
  }, /*gzip_level=*/0);  // stored blocks: the output is as big as the input
  std::string body(3 << 20, 'x');
  ASSERT_TRUE(w.write_exchange(sample_fetch(body)).ok());
  EXPECT_GT(total, body.size());
  EXPECT_LE(largest, 64u << 10);
  EXPECT_GE(calls, body.size() / (64u << 10));
  EXPECT_EQ(w.bytes_out(), total);
}

TEST(WarcWriterTest, AFailingSinkStopsTheWriterWithItsError) {
  int calls = 0;
  WarcWriter w([&](std::string_view) {
    return ++calls >= 2 ? Status::io_error("disk full") : Status();
  }, 0);
  store::StoredBody f = sample_fetch(std::string(1 << 20, 'y'));
  const Status s = w.write_exchange(f);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "disk full");
}

TEST(WarcWriterTest, AFetchWithoutARequestBlockHasOnlyAResponseRecord) {
  std::string out;
  WarcWriter w(string_sink(out));
  store::StoredBody f = sample_fetch("ok");
  f.request_block.clear();
  ASSERT_TRUE(w.write_exchange(f).ok());
  const std::vector<std::string> members = gunzip_members(out);
  ASSERT_EQ(members.size(), 1u);
  const auto r = parse_record(members[0]);
  EXPECT_EQ(r.fields.at("WARC-Type"), "response");
  EXPECT_EQ(r.fields.count("WARC-Concurrent-To"), 0u);
  EXPECT_THAT(r.block, Not(HasSubstr("Content-Encoding")));
}

}  // namespace
}  // namespace preheat::exports
