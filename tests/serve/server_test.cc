// Both servers on loopback: every route, malformed requests, slowloris,
// keep-alive, the drain, and the article's point: in async mode a request
// stuck on a slow database call does not delay a fast one.
#include <mutex>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "serve/request.h"
#include "tests/serve/serve_test_util.h"
#include "tests/support/support.h"

namespace preheat::serve::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ServeOptions options_for(ServeMode mode) {
  ServeOptions o;
  o.mode = mode;
  o.threads = mode == ServeMode::kSync ? 3 : 1;
  o.limits.request_timeout = std::chrono::milliseconds(700);
  return o;
}

class ServerTest : public ::testing::TestWithParam<ModeEngine> {
 protected:
  void SetUp() override { make_crawl_db(db_); }
  static ServeMode mode() { return std::get<0>(GetParam()); }
  ServeDb engine_{std::get<1>(GetParam())};
  std::string db_ = engine_.location();
};

TEST_P(ServerTest, EveryRouteAnswers) {
  ServerThread server(db_, options_for(mode()));
  const struct {
    std::string target;
    int status;
    std::string type;
  } cases[] = {
      {"/", 200, "text/html"},
      {"/healthz", 200, "text/plain"},
      {"/stats", 200, "text/html"},
      {"/api/stats", 200, "application/json"},
      {"/page?url=http%3A%2F%2Fsite%2F", 200, "text/html"},
      {"/api/page?url=http%3A%2F%2Fsite%2Fa", 200, "application/json"},
      {"/broken", 200, "text/html"},
      {"/api/broken", 200, "application/json"},
      {"/search?q=alert", 200, "text/html"},
      {"/api/search?q=cakes", 200, "application/json"},
      {"/nope", 404, "text/html"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    const Reply r = get(server.port(), c.target);
    EXPECT_EQ(r.status, c.status) << r.head;
    EXPECT_THAT(r.head, HasSubstr("Content-Type: " + c.type));
    EXPECT_THAT(r.body, Not(HasSubstr("<script>")));
  }
}

TEST_P(ServerTest, MalformedRequestsGetCleanAnswersAndTheServerStaysHealthy) {
  ServerThread server(db_, options_for(mode()));
  const struct {
    std::string name;
    std::string bytes;
    int status;
  } cases[] = {
      {"oversized headers", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n", 431},
      {"bad method", "DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 405},
      {"garbage", std::string("\x01\x02\x03 hello there\r\n\r\n"), 400},
      {"too-long target", "GET /" + std::string(6000, 'a') + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 414},
      {"broken chunked body",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400},
      {"body too large", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n", 413},
      {"bad version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
      {"absolute target", "GET http://x/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Reply r = exchange(server.port(), c.bytes);
    EXPECT_EQ(r.status, c.status) << r.head;
  }
  EXPECT_EQ(get(server.port(), "/healthz").status, 200);
  const Reply not_allowed = exchange(server.port(), "PUT / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(not_allowed.head, HasSubstr("Allow: GET, HEAD"));
}

TEST_P(ServerTest, KeepAliveAnswersPipelinedRequestsInOrderAndHeadHasNoBody) {
  ServerThread server(db_, options_for(mode()));
  RawConnection c(server.port());
  c.send(
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nHEAD /api/stats HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string all = c.read_all();
  const std::size_t first = all.find("HTTP/1.1 200");
  const std::size_t second = all.find("HTTP/1.1 200", first + 1);
  const std::size_t third = all.find("HTTP/1.1 404");
  ASSERT_NE(first, std::string::npos) << all;
  ASSERT_NE(second, std::string::npos) << all;
  ASSERT_NE(third, std::string::npos) << all;
  EXPECT_LT(second, third);
  // The HEAD answer (second) is followed directly by the third status line.
  const std::size_t head_end = all.find("\r\n\r\n", second);
  EXPECT_EQ(head_end + 4, third);
  EXPECT_THAT(all.substr(second, third - second), HasSubstr("application/json"));
}

TEST_P(ServerTest, SlowlorisIsCutOffWhileOthersAreServed) {
  ServerThread server(db_, options_for(mode()));
  RawConnection slow(server.port());
  ASSERT_TRUE(slow.send("GET / HTTP/1.1\r\nHost: x\r\n"));
  // Trickle a header byte now and then: never a complete request.
  std::thread trickle([&slow] {
    for (int i = 0; i < 30; ++i) {
      if (!slow.send("X")) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  EXPECT_EQ(get(server.port(), "/healthz").status, 200);
  EXPECT_TRUE(slow.closed_by_server());  // after request_timeout (700 ms), not the 10 s guard
  trickle.join();
  EXPECT_EQ(get(server.port(), "/api/stats").status, 200);
}

TEST_P(ServerTest, StopDrainsARequestInFlight) {
  ServeOptions o = options_for(mode());
  o.db_latency_for = [](const Request& r) {
    return std::chrono::milliseconds(r.param("slow") ? 400 : 0);
  };
  ServerThread server(db_, o);
  Reply slow;
  std::thread client([&] { slow = get(server.port(), "/api/stats?slow=1"); });
  while (server.stats().in_flight == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server.stop();  // returns once drained
  client.join();
  EXPECT_EQ(slow.status, 200);
  EXPECT_THAT(slow.head, HasSubstr("Connection: close"));
}

// The database breaks under a running server (here: a table dropped by
// another connection): the pages that need it answer 500 naming the failure,
// in HTML and JSON; the server stays up and /healthz and /metrics still work.
TEST_P(ServerTest, ADatabaseFailureIsA500AndTheServerStaysHealthy) {
  ServerThread server(db_, options_for(mode()));
  ASSERT_EQ(get(server.port(), "/api/broken").status, 200);
  run_sql(db_, engine_.postgres() ? "DROP TABLE links CASCADE" : "DROP TABLE links");
  const Reply api = get(server.port(), "/api/broken");
  EXPECT_EQ(api.status, 500);
  EXPECT_THAT(api.body, HasSubstr("the crawl database failed"));
  EXPECT_THAT(api.head, HasSubstr("application/json"));
  const Reply html = get(server.port(), "/broken");
  EXPECT_EQ(html.status, 500);
  EXPECT_THAT(html.body, HasSubstr("links"));  // names what failed (no such table: links)
  EXPECT_EQ(get(server.port(), "/healthz").status, 200);
  EXPECT_EQ(get(server.port(), "/metrics").status, 200);
  EXPECT_EQ(get(server.port(), "/api/stats").status, 500);  // counts links too
}

// Search over the wire: results, hostile query strings straight in the
// request line (percent-encoded NUL, invalid UTF-8, FTS5 syntax, quotes),
// keep-alive, and the server healthy afterwards.
TEST_P(ServerTest, SearchAnswersEveryQueryAndStaysHealthy) {
  ServerThread server(db_, options_for(mode()));
  const Reply found = get(server.port(), "/search?q=cakes+oven");
  EXPECT_EQ(found.status, 200);
  EXPECT_THAT(found.body, HasSubstr("1 page matches"));
  EXPECT_THAT(found.body, HasSubstr("<mark>cakes</mark>"));
  const Reply json = get(server.port(), "/api/search?q=cafe&per_page=5");
  EXPECT_EQ(json.status, 200);
  EXPECT_THAT(json.body, HasSubstr("\"total\":1"));
  EXPECT_THAT(json.body, HasSubstr("\"url\":\"http://site/a\""));

  const struct {
    std::string query;  // as sent, already percent-encoded
    int html;
    int api;
  } cases[] = {
      {"", 200, 400},
      {"%22", 200, 400},
      {"%00", 200, 400},
      {"%FF%FE", 200, 400},
      {"alert%00site", 200, 200},
      {"NEAR(alert%20site)", 200, 200},
      {"title:alert", 200, 200},
      {"%22unbalanced", 200, 200},
      {"-alert", 200, 400},
      {"alert)%20AND%20(", 200, 200},
      {"%27%20OR%201=1%20--", 200, 200},
      {"%3Cscript%3Ealert(1)%3C/script%3E", 200, 200},
      {std::string(3000, 'x'), 200, 200},
      {std::string(5000, 'x'), 414, 414},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.query.substr(0, 60));
    const Reply html = get(server.port(), "/search?q=" + c.query);
    EXPECT_EQ(html.status, c.html) << html.head;
    EXPECT_THAT(html.body, Not(HasSubstr("<script>")));
    EXPECT_EQ(get(server.port(), "/api/search?q=" + c.query).status, c.api);
  }
  // Several searches on one keep-alive connection.
  RawConnection keep(server.port());
  keep.send("GET /api/search?q=alert HTTP/1.1\r\nHost: x\r\n\r\nGET /search?q=%22 HTTP/1.1\r\nHost: x\r\n\r\n"
            "GET /search?q=cakes HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string all = keep.read_all();
  std::size_t ok = 0;
  for (std::size_t at = all.find("HTTP/1.1 200"); at != std::string::npos; at = all.find("HTTP/1.1 200", at + 1)) ++ok;
  EXPECT_EQ(ok, 3u) << all.substr(0, 400);
  EXPECT_EQ(get(server.port(), "/healthz").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Modes, ServerTest, modes_and_engines(), mode_engine_name);

// Alice's request waits 1.5 s on the (simulated) database; Bob's, sent while
// Alice waits, 0.3 s (so that the order cannot flip by thread scheduling on
// the client side). Returns who finished first.
std::vector<std::string> alice_then_bob(const std::string& db, ServeMode mode, int threads) {
  ServeOptions o = options_for(mode);
  o.threads = threads;
  o.db_threads = 1;
  o.db_latency_for = [](const Request& r) {
    return std::chrono::milliseconds(r.param("alice") ? 1500 : 300);
  };
  ServerThread server(db, o);
  std::mutex m;
  std::vector<std::string> finished;
  std::thread alice([&] {
    const Reply r = get(server.port(), "/api/stats?alice=1");
    EXPECT_EQ(r.status, 200);
    const std::lock_guard<std::mutex> lock(m);
    finished.push_back("alice");
  });
  while (server.stats().in_flight == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::thread bob([&] {
    const Reply r = get(server.port(), "/api/stats");
    EXPECT_EQ(r.status, 200);
    const std::lock_guard<std::mutex> lock(m);
    finished.push_back("bob");
  });
  alice.join();
  bob.join();
  return finished;
}

TEST(ServerOrderTest, AsyncASlowDatabaseCallDoesNotDelayAFastRequest) {
  preheat::testing::TempDir dir;
  const std::string db = (dir / "crawl.db").string();
  make_crawl_db(db);
  // One io thread and one database thread: Bob still finishes first.
  EXPECT_THAT(alice_then_bob(db, ServeMode::kAsync, 1), ::testing::ElementsAre("bob", "alice"));
}

// The same on PostgreSQL: the simulated latency is a timer before the
// query, and the query itself runs on the loop (no reader thread at all).
TEST(ServerOrderTest, AsyncOnPostgresASlowDatabaseCallDoesNotDelayAFastRequest) {
  preheat::testing::PostgresTestDb pg;
  make_crawl_db(pg.uri());
  EXPECT_THAT(alice_then_bob(pg.uri(), ServeMode::kAsync, 1), ::testing::ElementsAre("bob", "alice"));
}

TEST(ServerOrderTest, SyncWithOneThreadMakesBobWaitForAlice) {
  preheat::testing::TempDir dir;
  const std::string db = (dir / "crawl.db").string();
  make_crawl_db(db);
  EXPECT_THAT(alice_then_bob(db, ServeMode::kSync, 1), ::testing::ElementsAre("alice", "bob"));
}

}  // namespace
}  // namespace preheat::serve::testing
