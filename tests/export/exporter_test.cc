// export_store on a real SQLite crawl database: every format, paging in
// small reads, hostile text, bodies counted; and the WARC read back by npm
// warcio (the independent reader), compared with what the database holds.
#include "export/exporter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include "export/links_csv.h"
#include "export/sha1_digest.h"
#include "tests/export/export_test_util.h"
#include "tests/support/support.h"

namespace preheat::exports {
namespace {

using testing::gunzip_members;
using testing::parse_record;
using testing::string_sink;
using preheat::testing::TempDir;
using ::testing::HasSubstr;

// A JSON string as std::string ("null" for anything else).
std::string str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : "null";
}

store::PageRecord page(const std::string& url, std::string body, bool keep = true) {
  store::PageRecord p;
  p.url = url;
  p.final_url = url;
  p.status = 200;
  p.content_type = "text/html";
  p.fetched_at_ms = 1795811760000;
  p.title = "T \"quoted\", <b>";
  p.text = "text";
  p.content_hash = 0xfedcba9876543210ull;
  p.bytes = body.size();
  p.keep_body = keep;
  p.request_block = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  p.response_block = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n";
  p.body = std::move(body);
  return p;
}

// Pages 1..n with bodies of growing size (one binary), a redirect whose
// response is on its final URL's row, a page without body, a fetch error.
std::unique_ptr<store::CrawlStore> make_store(const TempDir& dir, std::vector<std::string>& bodies) {
  auto opened = store::open_crawl_store((dir / "c.db").string());
  EXPECT_TRUE(opened.ok()) << opened.status().message();
  store::WriteBatch batch;
  for (int i = 0; i < 7; ++i) {
    std::string body = "<p>page " + std::to_string(i) + "</p>" + std::string(static_cast<std::size_t>(i) * 40000, 'z');
    if (i == 3) body = std::string("\0\x01\xff\r\n\r\nbinary", 12);
    if (i == 4) body.clear();
    bodies.push_back(body);
    store::PageRecord p = page("http://h/p" + std::to_string(i), body);
    store::LinkRecord link{"http://h/p" + std::to_string(i + 1), "a, \"b\"\nc", "nofollow", "a"};
    p.links.push_back(link);
    p.links.push_back(store::LinkRecord{"mailto:x@y", "", "", "a"});
    batch.pages.push_back(std::move(p));
  }
  store::PageRecord redirected = page("http://h/old", "");
  redirected.final_url = "http://h/p0";
  redirected.keep_body = false;
  batch.pages.push_back(redirected);
  batch.pages.push_back(page("http://h/nobody", "x", false));
  store::PageRecord failed = page("http://h/down", "", false);
  failed.status = 0;
  failed.error_class = "refused";
  failed.state = store::FrontierState::kFailed;
  batch.pages.push_back(failed);
  EXPECT_TRUE((*opened)->write(batch).ok());
  return std::move(*opened);
}

TEST(ExporterTest, FormatsAreParsed) {
  EXPECT_EQ(*parse_format("warc"), Format::kWarc);
  EXPECT_EQ(*parse_format("jsonl"), Format::kJsonl);
  EXPECT_EQ(*parse_format("links-csv"), Format::kLinksCsv);
  EXPECT_EQ(parse_format("csv").status().message(), "unknown export format 'csv' (formats: jsonl, warc, links-csv)");
}

TEST(ExporterTest, JsonlHasOnePageALineInSmallReads) {
  TempDir dir;
  std::vector<std::string> bodies;
  auto db = make_store(dir, bodies);
  std::string out;
  auto sum = export_store(*db, {.format = Format::kJsonl, .rows_per_read = 3}, string_sink(out));
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  EXPECT_EQ(sum->rows, 10);
  std::istringstream in(out);
  std::vector<std::string> urls;
  for (std::string line; std::getline(in, line);) {
    const boost::json::object o = boost::json::parse(line).as_object();
    urls.push_back(str(o.at("url")));
    if (urls.back() == "http://h/p1") {
      EXPECT_EQ(str(o.at("title")), "T \"quoted\", <b>");
      EXPECT_EQ(str(o.at("content_hash")), "fedcba9876543210");
      EXPECT_EQ(o.at("status").as_int64(), 200);
    }
    if (urls.back() == "http://h/down") {
      EXPECT_EQ(str(o.at("error_class")), "refused");
      EXPECT_EQ(o.at("status").as_int64(), 0);
      EXPECT_TRUE(o.at("content_hash").is_null() || o.at("content_hash").is_string());
    }
    for (const char* key : {"final_url", "depth", "attempts", "fetched_at_ms", "elapsed_s", "content_type", "bytes",
                            "wire_bytes", "error_message", "etag", "last_modified", "robots", "checked_at_ms",
                            "not_modified", "canonical", "language", "description", "text"}) {
      EXPECT_TRUE(o.contains(key)) << key;
    }
  }
  EXPECT_EQ(urls.size(), 10u);
  EXPECT_EQ(urls.front(), "http://h/p0");  // id order: first seen first
}

TEST(ExporterTest, LinksCsvQuotesPerRfc4180AndGivesTheTargetStatus) {
  TempDir dir;
  std::vector<std::string> bodies;
  auto db = make_store(dir, bodies);
  std::string out;
  auto sum = export_store(*db, {.format = Format::kLinksCsv, .rows_per_read = 1}, string_sink(out));
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  EXPECT_EQ(sum->rows, 14);
  EXPECT_EQ(out.substr(0, kLinksCsvHeader.size()), kLinksCsvHeader);
  EXPECT_THAT(out, HasSubstr("http://h/p0,http://h/p1,\"a, \"\"b\"\"\nc\",nofollow,a,200,\r\n"));
  EXPECT_THAT(out, HasSubstr("http://h/p0,mailto:x@y,,,a,,\r\n"));  // never fetched: no status
  EXPECT_THAT(out, HasSubstr("http://h/p6,http://h/p7,\"a, \"\"b\"\"\nc\",nofollow,a,,\r\n"));
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("cr\rx"), "\"cr\rx\"");
  EXPECT_EQ(csv_field(""), "");
}

TEST(ExporterTest, WarcHasARequestAndAResponsePerStoredBodyInBoundedReads) {
  TempDir dir;
  std::vector<std::string> bodies;
  auto db = make_store(dir, bodies);
  std::string out;
  // 50 kB of bodies per read: most reads return one or two rows.
  auto sum = export_store(*db, {.format = Format::kWarc, .filename = "c.warc.gz", .now_ms = 1, .rows_per_read = 4,
                                .body_bytes_per_read = 50000},
                          string_sink(out));
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  EXPECT_EQ(sum->rows, 7);
  EXPECT_EQ(sum->records, 15);
  EXPECT_EQ(sum->bytes_out, out.size());
  EXPECT_EQ(sum->counts.pages, 10);
  EXPECT_EQ(sum->counts.bodies, 7);
  // /nobody has no body; /old's response is on /p0's row; /down had no response.
  EXPECT_EQ(sum->counts.answered_without_body, 1);
  const std::vector<std::string> members = gunzip_members(out);
  ASSERT_EQ(members.size(), 15u);
  for (std::size_t i = 0; i < 7; ++i) {
    const auto response = parse_record(members[2 + 2 * i]);
    EXPECT_EQ(response.fields.at("WARC-Target-URI"), "http://h/p" + std::to_string(i));
    EXPECT_TRUE(response.block.ends_with(bodies[i]));
    EXPECT_THAT(response.block, HasSubstr("Content-Length: " + std::to_string(bodies[i].size()) + "\r\n\r\n"));
  }
}

#ifdef PREHEAT_NODE
// Runs tests/export/warcio/read_warc.js on `file`: one JSON line per record.
std::vector<boost::json::object> read_with_warcio(const std::filesystem::path& file) {
  const std::string dir = std::string(PREHEAT_SOURCE_DIR) + "/tests/export/warcio";
  if (!std::filesystem::exists(dir + "/node_modules/warcio")) {
    ADD_FAILURE() << "npm warcio is missing: run scripts/setup (npm ci in tests/export/warcio)";
    return {};
  }
  const std::string cmd = std::string(PREHEAT_NODE) + " " + dir + "/read_warc.js '" + file.string() + "'";
  std::FILE* p = popen(cmd.c_str(), "r");
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) text.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << text;
  std::vector<boost::json::object> records;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) records.push_back(boost::json::parse(line).as_object());
  return records;
}

std::string sha1_hex(std::string_view data) {
  Sha1 h;
  h.update(data);
  std::string hex;
  for (std::uint8_t b : h.digest()) hex += fmt::format("{:02x}", b);
  return hex;
}

TEST(WarcioDiffTest, WarcioReadsEveryRecordWithTheDatabasePayloads) {
  TempDir dir;
  std::vector<std::string> bodies;
  auto db = make_store(dir, bodies);
  std::string out;
  auto sum = export_store(*db, {.format = Format::kWarc, .filename = "c.warc.gz", .now_ms = 1}, string_sink(out));
  ASSERT_TRUE(sum.ok());
  preheat::testing::write_file(dir / "c.warc.gz", out);
  const std::vector<boost::json::object> records = read_with_warcio(dir / "c.warc.gz");
  ASSERT_EQ(records.size(), 15u);
  EXPECT_EQ(str(records[0].at("type")), "warcinfo");
  for (std::size_t i = 0; i < 7; ++i) {
    const boost::json::object& request = records[1 + 2 * i];
    const boost::json::object& response = records[2 + 2 * i];
    const std::string uri = "http://h/p" + std::to_string(i);
    EXPECT_EQ(str(request.at("type")), "request");
    EXPECT_EQ(str(response.at("type")), "response");
    EXPECT_EQ(str(request.at("uri")), uri);
    EXPECT_EQ(str(response.at("uri")), uri);
    EXPECT_EQ(str(request.at("concurrent_to")), str(response.at("id")));
    EXPECT_EQ(response.at("status").as_int64(), 200);
    EXPECT_EQ(response.at("payload_length").as_int64(), static_cast<std::int64_t>(bodies[i].size())) << uri;
    EXPECT_EQ(str(response.at("payload_sha1_hex")), sha1_hex(bodies[i])) << uri;
    // The digest header, as node computes it from the payload warcio read.
    EXPECT_EQ(str(response.at("payload_digest")), str(response.at("payload_sha1_warc"))) << uri;
  }
}
#endif

}  // namespace
}  // namespace preheat::exports
