// /export.warc.gz: the archive streamed in chunks by both servers. What
// arrives is a complete WARC (every gzip member decompresses alone; one
// warcinfo, then request + response per stored body, payloads as stored),
// and a download that is stuck (its client does not read) never stops the
// server from answering other requests.
#include <sqlite3.h>

#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/export/export_test_util.h"
#include "tests/serve/serve_test_util.h"
#include "tests/support/support.h"

namespace preheat::serve::testing {
namespace {

using ::testing::HasSubstr;

// Decodes a chunked body; throws when it is cut before the last chunk.
std::string dechunk(std::string_view body) {
  std::string out;
  for (;;) {
    const std::size_t eol = body.find("\r\n");
    if (eol == std::string_view::npos) throw std::runtime_error("cut inside a chunk size");
    const std::size_t size = std::stoul(std::string(body.substr(0, eol)), nullptr, 16);
    body.remove_prefix(eol + 2);
    if (size == 0) return out;
    if (body.size() < size + 2) throw std::runtime_error("cut inside a chunk");
    out.append(body.substr(0, size));
    body.remove_prefix(size + 2);
  }
}

// `n` pages with `body_bytes` of random (incompressible) body each.
std::vector<std::string> make_bodies_db(const std::string& path, int n, std::size_t body_bytes) {
  auto s = store::open_crawl_store(path);
  EXPECT_TRUE(s.ok());
  std::mt19937 rng(3);
  std::vector<std::string> bodies;
  store::WriteBatch b;
  for (int i = 0; i < n; ++i) {
    store::PageRecord p = page("http://site/" + std::to_string(i), 200, "t", {});
    std::string body(body_bytes, '\0');
    for (char& c : body) c = static_cast<char>(rng());
    bodies.push_back(body);
    p.keep_body = true;
    p.request_block = "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: site\r\n\r\n";
    p.response_block = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n";
    p.body = std::move(body);
    b.pages.push_back(std::move(p));
  }
  EXPECT_TRUE((*s)->write(b).ok());
  return bodies;
}

class DownloadTest : public ::testing::TestWithParam<ModeEngine> {
 protected:
  ServeOptions options() const {
    ServeOptions o;
    o.mode = std::get<0>(GetParam());
    o.threads = 2;
    o.db_threads = 2;
    return o;
  }
  ServeDb engine_{std::get<1>(GetParam())};
  std::string db_ = engine_.location();
};

TEST_P(DownloadTest, TheArchiveIsCompleteAndHoldsTheStoredPayloads) {
  const std::vector<std::string> bodies = make_bodies_db(db_, 150, 3000);  // ~3 pieces of 64 rows
  ServerThread server(db_, options());
  const Reply r = get(server.port(), "/export.warc.gz");
  ASSERT_EQ(r.status, 200) << r.head;
  EXPECT_THAT(r.head, HasSubstr("Transfer-Encoding: chunked"));
  EXPECT_THAT(r.head, HasSubstr("application/warc"));
  EXPECT_THAT(r.head, HasSubstr("filename=\"crawl.warc.gz\""));
  const std::vector<std::string> members = exports::testing::gunzip_members(dechunk(r.body));
  ASSERT_EQ(members.size(), 1 + 2 * bodies.size());
  EXPECT_EQ(exports::testing::parse_record(members[0]).fields.at("WARC-Type"), "warcinfo");
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    const auto request = exports::testing::parse_record(members[1 + 2 * i]);
    const auto response = exports::testing::parse_record(members[2 + 2 * i]);
    EXPECT_EQ(request.fields.at("WARC-Type"), "request");
    EXPECT_EQ(response.fields.at("WARC-Type"), "response");
    EXPECT_EQ(response.fields.at("WARC-Target-URI"), "http://site/" + std::to_string(i));
    EXPECT_TRUE(response.block.ends_with(bodies[i])) << i;
  }
  // HEAD: the head only, and the server goes on.
  const Reply head = get(server.port(), "/export.warc.gz", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(get(server.port(), "/healthz").status, 200);
}

TEST_P(DownloadTest, AnEmptyCrawlIsAnArchiveWithItsWarcinfoOnly) {
  make_crawl_db(db_);  // pages without stored bodies
  ServerThread server(db_, options());
  const Reply r = get(server.port(), "/export.warc.gz");
  ASSERT_EQ(r.status, 200);
  const std::vector<std::string> members = exports::testing::gunzip_members(dechunk(r.body));
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(exports::testing::parse_record(members[0]).fields.at("WARC-Type"), "warcinfo");
}

TEST_P(DownloadTest, AStuckDownloadDoesNotStopOtherRequests) {
  // 20 MB of incompressible bodies: more than loopback's socket buffers hold,
  // so the server cannot finish while the client reads nothing.
  make_bodies_db(db_, 320, 64 * 1024);
  ServerThread server(db_, options());
  RawConnection download(server.port());
  ASSERT_TRUE(download.send("GET /export.warc.gz HTTP/1.1\r\nHost: x\r\n\r\n"));
  // Wait until it has started (its first database call ran), then do not read.
  while (server.stats().requests == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(get(server.port(), "/api/stats").status, 200);
  EXPECT_EQ(get(server.port(), "/api/page?url=http%3A%2F%2Fsite%2F1").status, 200);
  EXPECT_EQ(get(server.port(), "/metrics").status, 200);
  // Now read it all: it is complete.
  const Reply r = parse_reply(download.read_all());
  ASSERT_EQ(r.status, 200);
  const std::vector<std::string> members = exports::testing::gunzip_members(dechunk(r.body));
  EXPECT_EQ(members.size(), 1u + 2 * 320);
}

TEST_P(DownloadTest, ADatabaseThatFailsAtOnceIsA500) {
  make_bodies_db(db_, 3, 10);
  ServerThread server(db_, options());
  run_sql(db_, "DROP TABLE bodies");
  const Reply r = get(server.port(), "/export.warc.gz");
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, HasSubstr("the crawl database failed"));
  EXPECT_EQ(get(server.port(), "/healthz").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Modes, DownloadTest, modes_and_engines(), mode_engine_name);

}  // namespace
}  // namespace preheat::serve::testing
