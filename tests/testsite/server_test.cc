// The server against real sockets on 127.0.0.1 (a free port), with a raw
// client (tests/testsite/http_client.h) that shows exactly what was sent.
// No timing assertions: latency is checked through the log the server keeps.
#include "testsite/server.h"

#include <chrono>
#include <memory>
#include <thread>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <zlib.h>

#include "tests/support/support.h"
#include "tests/testsite/html_links.h"
#include "tests/testsite/http_client.h"
#include "tests/testsite/running_server.h"
#include "testsite/fault_pages.h"
#include "testsite/site_model.h"

namespace preheat::testsite {
namespace {

using testing::HttpConnection;
using testing::HttpReply;
using testing::RunningServer;
using namespace std::chrono_literals;

SiteModel& all_faults_site() {
  static SiteModel site(SiteOptions{.pages = 200, .faults = FaultSet::all()});
  return site;
}

// Waits (polling, bounded) until `done` holds; a guard against hangs, not a timing check.
template <class F>
bool eventually(F done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

TEST(ServerTest, ServesPagesWithTheirContentType) {
  RunningServer server(all_faults_site(), ServerOptions{});
  HttpConnection c(server.port());
  const HttpReply r = c.get("/p/1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.header("server").rfind("preheat-testsite/", 0), 0u);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.body, all_faults_site().respond(SiteRequest{"/p/1", "127.0.0.1", 0}).body);
}

TEST(ServerTest, KeepAliveAndPipelining) {
  RunningServer server(all_faults_site(), ServerOptions{});
  HttpConnection c(server.port());
  EXPECT_EQ(c.get("/").status, 200);
  EXPECT_EQ(c.get("/list?sort=asc&page=3").status, 200);
  c.send(
      "GET /p/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /nope HTTP/1.1\r\nHost: a\r\n\r\nGET /p/2 HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(c.read_reply().status, 200);
  EXPECT_EQ(c.read_reply().status, 404);
  EXPECT_EQ(c.read_reply().status, 200);
  EXPECT_EQ(server.stats().connections, 1u);
  EXPECT_EQ(server.stats().requests, 5u);
}

TEST(ServerTest, MethodsTargetsAndMalformedRequests) {
  RunningServer server(all_faults_site(), ServerOptions{});
  {
    HttpConnection c(server.port());
    EXPECT_EQ(c.get("/does/not/exist").status, 404);
    const HttpReply post = c.get("/", "POST");
    EXPECT_EQ(post.status, 405);
    EXPECT_EQ(post.header("allow"), "GET, HEAD");
    c.send("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
    EXPECT_EQ(c.read_reply().status, 405);
    const HttpReply head = c.get("/p/1", "HEAD");  // no body, or the next reply would be garbage
    EXPECT_EQ(head.status, 200);
    EXPECT_GT(head.content_length(), 1000u);
    EXPECT_EQ(c.get("/p/2").status, 200);
    EXPECT_EQ(c.get("http://127.0.0.1/p/2").status, 200);  // absolute form
  }
  struct Case {
    std::string request;
    int status;
  };
  const Case bad[] = {
      {"GARBAGE\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\n\r\n", 400},               // no Host
      {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},  // a Host that could break out of HTML
      {"GET p/1 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
      {"GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(20000, 'x') + "\r\n\r\n", 431},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n", 413},
  };
  for (const Case& c : bad) {
    HttpConnection conn(server.port());
    conn.send(c.request);
    EXPECT_EQ(conn.read_reply().status, c.status) << c.request.substr(0, 40);
  }
  HttpConnection after(server.port());
  EXPECT_EQ(after.get("/").status, 200);  // still serving
}

TEST(ServerTest, Http10ClosesAndGetsTheLocalHost) {
  RunningServer server(all_faults_site(), ServerOptions{});
  HttpConnection c(server.port());
  c.send("GET /robots.txt HTTP/1.0\r\n\r\n");
  const HttpReply r = c.read_reply();
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Sitemap: http://127.0.0.1:" + std::to_string(server.port()) + "/sitemap.xml"),
            std::string::npos)
      << r.body;
  EXPECT_TRUE(c.at_eof());
}

TEST(ServerTest, LatencyIsAppliedAsDeclaredAndTheLogSaysSo) {
  preheat::testing::TempDir dir;
  const std::string log = (dir / "requests.log").string();
  const Latency latency{30ms, 10ms};
  {
    RunningServer server(all_faults_site(), ServerOptions{.latency = latency, .seed = 5, .log_path = log});
    HttpConnection c(server.port());
    for (const char* target : {"/", "/p/1", "/p/2", "/nope"}) {
      const HttpReply r = c.get(target);
      EXPECT_EQ(r.status, std::string(target) == "/nope" ? 404 : 200);
      EXPECT_TRUE(r.complete);
    }
  }
  const std::string text = preheat::testing::read_file(log);
  std::vector<std::string> lines;
  for (std::size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) {
    lines.push_back(text.substr(at, nl - at));
  }
  ASSERT_EQ(lines.size(), 4u) << text;
  const std::pair<const char*, int> expected[] = {{"/", 200}, {"/p/1", 200}, {"/p/2", 200}, {"/nope", 404}};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto [target, status] = expected[i];
    const std::string tail = std::string(" GET ") + target + " " + std::to_string(status) + " ";
    EXPECT_NE(lines[i].find(tail), std::string::npos) << lines[i];
    EXPECT_NE(lines[i].find(" open=1 delay_ms=" + std::to_string(delay_for(latency, 5, target).count())),
              std::string::npos)
        << lines[i];
    EXPECT_EQ(lines[i].size() > 24 && lines[i][10] == 'T' && lines[i][23] == 'Z', true) << lines[i];
  }
}

TEST(ServerTest, StatusFaultsAndRedirects) {
  RunningServer server(all_faults_site(), ServerOptions{});
  HttpConnection c(server.port());
  EXPECT_EQ(c.get("/fault/500").status, 500);
  const HttpReply unavailable = c.get("/fault/503");
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(unavailable.header("retry-after"), "1");
  const HttpReply busy = c.get("/fault/429");
  EXPECT_EQ(busy.status, 429);
  EXPECT_EQ(busy.header("retry-after"), "2");
  const HttpReply dated = c.get("/fault/429-date");
  EXPECT_EQ(dated.status, 429);
  EXPECT_EQ(dated.header("retry-after").size(), 29u);  // "Tue, 14 Nov 2023 22:13:25 GMT"
  EXPECT_EQ(dated.header("retry-after").substr(25), " GMT");

  std::string url = "http://127.0.0.1/fault/redirect-chain/0";
  int redirects = 0;
  HttpReply r = c.get(testing::target_of(url));
  while (r.status / 100 == 3 && redirects < 50) {
    url = *testing::resolve_href(url, r.header("location"));
    ++redirects;
    r = c.get(testing::target_of(url));
  }
  EXPECT_EQ(redirects, 15);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(c.get("/fault/redirect-loop/a").header("location"), "/fault/redirect-loop/b");
  EXPECT_EQ(c.get("/fault/redirect-loop/b").header("location"), "a");
}

TEST(ServerTest, ResetBreaksTheConnectionMidBody) {
  RunningServer server(all_faults_site(), ServerOptions{});
  HttpConnection c(server.port());
  const HttpReply r = c.get("/fault/reset");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_length(), kCutBodyBytes);
  EXPECT_FALSE(r.complete);
  EXPECT_LE(r.body.size(), kCutAfterBytes);
  EXPECT_EQ(r.error, ECONNRESET);
  HttpConnection next(server.port());
  EXPECT_EQ(next.get("/").status, 200);
}

TEST(ServerTest, StallSendsFewerBytesThanPromised) {
  RunningServer server(all_faults_site(), ServerOptions{});
  HttpConnection c(server.port(), 1s);
  const HttpReply r = c.get("/fault/stall");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_length(), kCutBodyBytes);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.body.size(), kCutAfterBytes);
  EXPECT_EQ(r.error, EAGAIN);  // the read timed out: the server is still "sending"
  EXPECT_TRUE(eventually([&] { return server.stats().open_connections == 1; }));
  server.stop();  // ends the stalled session at once: stop() never waits 60 s
  EXPECT_EQ(server.stats().open_connections, 0u);
}

TEST(ServerTest, GzipBombOversizeAndBinary) {
  RunningServer server(all_faults_site(), ServerOptions{});
  HttpConnection c(server.port());
  const HttpReply bomb = c.get("/fault/gzip-bomb");
  EXPECT_EQ(bomb.status, 200);
  EXPECT_EQ(bomb.header("content-encoding"), "gzip");
  EXPECT_TRUE(bomb.complete);
  EXPECT_LT(bomb.body.size(), 2u << 20);
  // The first megabyte of the body alone inflates to far more than itself.
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::vector<unsigned char> out(64 << 20);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bomb.body.data()));
  z.avail_in = 100'000;
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  inflate(&z, Z_NO_FLUSH);
  EXPECT_GT(z.total_out, 50u << 20);
  inflateEnd(&z);

  std::uint64_t bytes = 0;
  c.send("GET /fault/oversize HTTP/1.1\r\nHost: a\r\n\r\n");
  const HttpReply big = c.read_reply(false, &bytes);
  EXPECT_EQ(big.status, 200);
  EXPECT_EQ(big.content_length(), kOversizeBytes);
  EXPECT_EQ(bytes, kOversizeBytes);
  EXPECT_TRUE(big.complete);

  const HttpReply bin = c.get("/fault/binary");
  EXPECT_EQ(bin.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(bin.body.find('\0'), std::string::npos);
  EXPECT_EQ(c.get("/").status, 200);  // the same connection still works
}

TEST(ServerTest, HoldsManyConnectionsAndStopsWithThemOpen) {
  RunningServer server(all_faults_site(), ServerOptions{});
  std::vector<std::unique_ptr<HttpConnection>> idle;
  for (int i = 0; i < 200; ++i) idle.push_back(std::make_unique<HttpConnection>(server.port()));
  EXPECT_TRUE(eventually([&] { return server.stats().open_connections == 200; }));
  EXPECT_EQ(idle[17]->get("/p/3").status, 404);
  EXPECT_EQ(idle[199]->get("/p/4").status, 200);
  EXPECT_EQ(server.stats().peak_connections, 200u);
  server.stop();
  EXPECT_EQ(server.stats().open_connections, 0u);
  EXPECT_EQ(server.stats().connections, 200u);
  EXPECT_TRUE(idle[0]->at_eof());
}

TEST(ServerTest, SeveralIoThreadsShareThePort) {
  RunningServer server(all_faults_site(), ServerOptions{.threads = 3});
  std::vector<std::unique_ptr<HttpConnection>> conns;
  for (int i = 0; i < 30; ++i) {
    conns.push_back(std::make_unique<HttpConnection>(server.port()));
    EXPECT_EQ(conns.back()->get("/p/1").status, 200);
  }
  EXPECT_EQ(server.stats().requests, 30u);
  EXPECT_EQ(server.stats().open_connections, 30u);
  server.stop();
  EXPECT_EQ(server.stats().open_connections, 0u);
}

TEST(ServerTest, AnAddressInUseIsAClearError) {
  RunningServer first(all_faults_site(), ServerOptions{});
  runtime::asio::io_context io;
  ServerOptions options;
  options.listen.port = first.port();
  auto second = Server::open(io.get_executor(), all_faults_site(), options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kIoError);
  EXPECT_EQ(second.status().message(),
            "cannot listen on 127.0.0.1:" + std::to_string(first.port()) + ": Address already in use");
  EXPECT_FALSE(Server::open(io.get_executor(), all_faults_site(), ServerOptions{.threads = 0}).ok());
}

}  // namespace
}  // namespace preheat::testsite
