// The real HTTP clients (curl multi on the loop, blocking curl) against the
// testsite on loopback: every fault gives the right error class, the process
// stays healthy, limits hold (from recorded timings), cancellation is clean.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "fetch/curl_blocking_fetcher.h"
#include "fetch/curl_multi_fetcher.h"
#include "runtime/runtime.h"
#include "runtime/scope.h"
#include "tests/testsite/running_server.h"
#include "testsite/site_model.h"
#include "tests/support/support.h"

namespace preheat::fetch {
namespace {

using namespace std::chrono_literals;
using runtime::Task;
using testsite::testing::RunningServer;

testsite::SiteModel& site() {
  static testsite::SiteModel model([] {
    testsite::SiteOptions o;
    o.pages = 200;
    o.faults = testsite::FaultSet::all();
    return o;
  }());
  return model;
}

RunningServer& server() {
  static RunningServer s(site(), testsite::ServerOptions{});
  return s;
}

// Stops the shared server before the process exits: static destructors must
// not run while its thread still serves (ASan caught a page streamed from a
// destroyed static).
class StopServerAtExit : public ::testing::Environment {
 public:
  void TearDown() override { server().stop(); }
};
const ::testing::Environment* const kStopServer = ::testing::AddGlobalTestEnvironment(new StopServerAtExit);

std::string url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(server().port()) + path; }

// The first `n` pages of the site (all answer 200) on the server at `port`.
std::vector<std::string> pages(std::uint16_t port, std::size_t n) {
  auto all = site().ground_truth("http://127.0.0.1:" + std::to_string(port) + "/");
  EXPECT_TRUE(all.ok());
  all->resize(std::min(n, all->size()));
  return *all;
}

// The clients under test: the blocking libcurl fetcher (sequential mode),
// and the multi fetcher of the async modes with plain http:// over libcurl
// or over the native HTTP/1.1 client (fetch/detail/http1_transport.h). Every
// behaviour test runs against each: libcurl is the native client's oracle.
struct Client {
  ExecutionMode mode = ExecutionMode::kAsync;
  bool native = false;
};

std::string client_name(const Client& c) {
  if (c.mode == ExecutionMode::kSequential) return "Sequential";
  return c.native ? "AsyncNative" : "AsyncCurl";
}

std::unique_ptr<Fetcher> make_client(runtime::Runtime& rt, const Client& c, FetchOptions options = {}) {
  options.native_http1 = c.native;
  return c.mode == ExecutionMode::kSequential ? make_curl_blocking_fetcher(rt, options)
                                              : make_curl_multi_fetcher(rt, options);
}

// Fetches `u` with a fresh runtime and fetcher of the given client.
FetchResult get(const Client& client, const std::string& u, FetchOptions options = {}) {
  runtime::Runtime rt({.mode = client.mode});
  auto fetcher = make_client(rt, client, options);
  auto main = [&]() -> Task<FetchResult> {
    Request r;
    r.url = u;
    co_return co_await fetcher->fetch(r);
  };
  return rt.run_for_result(main());
}

class CurlFetcherTest : public ::testing::TestWithParam<Client> {};

TEST_P(CurlFetcherTest, FetchesAPage) {
  FetchResult r = get(GetParam(), url("/"));
  ASSERT_TRUE(r.ok()) << r.error->message;
  EXPECT_EQ(r.response.status, 200);
  EXPECT_EQ(r.response.content_type.rfind("text/html", 0), 0u) << r.response.content_type;
  EXPECT_EQ(r.response.charset, "utf-8");
  EXPECT_NE(r.response.body.find("<html"), std::string::npos);
  EXPECT_EQ(r.response.http_version, "1.1");
  EXPECT_GT(r.response.timings.total, Duration::zero());
  EXPECT_EQ(r.response.final_url, url("/"));
}

// A one-shot server on loopback that records the raw request it receives
// and answers `answer`: what curl really sent, byte for byte.
struct RawServer {
  explicit RawServer(std::string answer) : acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port = acceptor.local_endpoint().port();
    thread = std::thread([this, answer = std::move(answer)] {
      boost::asio::ip::tcp::socket socket(io);
      acceptor.accept(socket);
      boost::asio::streambuf buf;
      const std::size_t n = boost::asio::read_until(socket, buf, "\r\n\r\n");
      request.assign(boost::asio::buffers_begin(buf.data()), boost::asio::buffers_begin(buf.data()) + n);
      boost::asio::write(socket, boost::asio::buffer(answer));
    });
  }
  // The request, once the answer was written.
  std::string received() {
    if (thread.joinable()) thread.join();
    return request;
  }
  ~RawServer() {
    if (thread.joinable()) thread.join();
  }
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor;
  std::uint16_t port = 0;
  std::string request;
  std::thread thread;
};

TEST_P(CurlFetcherTest, TheRebuiltRequestIsWhatCurlSentAndTheHeaderBlockWhatCameBack) {
  const std::string head = "HTTP/1.1 200 OK\r\nX-Odd:  spaced \r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n";
  std::string sent;
  FetchResult r;
  {
    RawServer raw(head + "ok");
    const std::string u = "http://127.0.0.1:" + std::to_string(raw.port) + "/a/b?c=d";
    runtime::Runtime rt({.mode = GetParam().mode});
    FetchOptions options;
    options.user_agent = "preheat-test/1";
    auto fetcher = make_client(rt, GetParam(), options);
    auto main = [&]() -> Task<FetchResult> {
      Request q;
      q.url = u;
      q.headers = {{"X-Extra", "1"}};
      co_return co_await fetcher->fetch(q);
    };
    r = rt.run_for_result(main());
    sent = raw.received();
  }
  ASSERT_TRUE(r.ok()) << r.error->message;
  EXPECT_EQ(r.response.request_block, sent);
  EXPECT_EQ(r.response.header_block, head);
  EXPECT_EQ(r.response.body, "ok");
}

TEST_P(CurlFetcherTest, ValidatorsAndEveryXRobotsTagHeaderAreKeptA304IsNoError) {
  // Two X-Robots-Tag headers stay two lines: an agent prefix scopes its own
  // header only (crawl/robots_directives.h).
  const std::string head =
      "HTTP/1.1 304 Not Modified\r\nETag: \"v2\"\r\nLast-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
      "X-Robots-Tag: googlebot: noindex\r\nx-robots-tag: nofollow\r\n\r\n";
  FetchResult r;
  std::string sent;
  {
    RawServer raw(head);
    runtime::Runtime rt({.mode = GetParam().mode});
    auto fetcher = make_client(rt, GetParam());
    auto main = [&]() -> Task<FetchResult> {
      Request q;
      q.url = "http://127.0.0.1:" + std::to_string(raw.port) + "/";
      q.headers = {{"If-None-Match", "\"v1\""}};
      co_return co_await fetcher->fetch(q);
    };
    r = rt.run_for_result(main());
    sent = raw.received();
  }
  ASSERT_TRUE(r.ok()) << r.error->message;
  EXPECT_EQ(r.response.status, 304);
  EXPECT_EQ(r.response.etag, "\"v2\"");
  EXPECT_EQ(r.response.last_modified, "Mon, 01 Jan 2024 00:00:00 GMT");
  EXPECT_EQ(r.response.x_robots_tag, "googlebot: noindex\nnofollow");
  EXPECT_NE(sent.find("\r\nIf-None-Match: \"v1\"\r\n"), std::string::npos) << sent;
}

// Every coding preheat asks for (Accept-Encoding: gzip, br, zstd) arrives
// decoded, whichever transport decodes it; bodies made by the command line
// encoders.
TEST_P(CurlFetcherTest, EveryAcceptedContentCodingArrivesDecoded) {
  std::string plain;
  for (int i = 0; i < 2000; ++i) plain += "line " + std::to_string(i) + " of the page\n";
  preheat::testing::TempDir dir;
  preheat::testing::write_file(dir / "plain", plain);
  for (const std::string coding : {"gzip", "br", "zstd"}) {
    const std::string tool = coding == "br" ? "brotli -c" : coding == "zstd" ? "zstd -q -c" : "gzip -c";
    const std::string body = preheat::testing::command_output(tool + " < '" + (dir / "plain").string() + "'");
    ASSERT_FALSE(body.empty()) << tool;
    RawServer raw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: " + coding +
                  "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    FetchResult r = get(GetParam(), "http://127.0.0.1:" + std::to_string(raw.port) + "/");
    ASSERT_TRUE(r.ok()) << coding << ": " << r.error->message;
    EXPECT_EQ(r.response.body, plain) << coding;
    EXPECT_EQ(r.response.wire_bytes, body.size()) << coding;
    EXPECT_EQ(r.response.content_encoding, coding);
  }
}

TEST_P(CurlFetcherTest, HttpErrorsCarryStatusAndRetryAfter) {
  struct Case {
    std::string path;
    FetchErrorKind kind;
    int status;
    bool retryable;
  };
  const Case cases[] = {
      {"/fault/500", FetchErrorKind::kHttp5xx, 500, true},
      {"/fault/503", FetchErrorKind::kHttp5xx, 503, true},
      {"/fault/429", FetchErrorKind::kHttp4xx, 429, true},
      {"/no/such/page", FetchErrorKind::kHttp4xx, 404, false},
  };
  for (const Case& c : cases) {
    FetchResult r = get(GetParam(), url(c.path));
    ASSERT_FALSE(r.ok()) << c.path;
    EXPECT_EQ(r.error->kind, c.kind) << c.path;
    EXPECT_EQ(r.error->status, c.status) << c.path;
    EXPECT_EQ(r.error->retryable(), c.retryable) << c.path;
  }
  EXPECT_EQ(get(GetParam(), url("/fault/503")).error->retry_after, std::optional<Duration>(1s));
  EXPECT_EQ(get(GetParam(), url("/fault/429")).error->retry_after, std::optional<Duration>(2s));
  // An HTTP-date about 5 s ahead (second granularity: 4 to 5 s).
  auto dated = get(GetParam(), url("/fault/429-date")).error->retry_after;
  ASSERT_TRUE(dated.has_value());
  EXPECT_GE(*dated, 3s);
  EXPECT_LE(*dated, 6s);
}

TEST_P(CurlFetcherTest, ResetMidBodyIsAProtocolError) {
  FetchResult r = get(GetParam(), url("/fault/reset"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kProtocol) << r.error->message;
  EXPECT_TRUE(r.error->retryable());
  EXPECT_LT(r.response.body.size(), 65536u);
}

TEST_P(CurlFetcherTest, AStalledBodyTimesOut) {
  FetchOptions o;
  o.stall_time = 1s;
  FetchResult r = get(GetParam(), url("/fault/stall"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kStallTimeout) << r.error->message;
  EXPECT_EQ(r.response.body.size(), 1000u);
}

TEST_P(CurlFetcherTest, RedirectsLoopsAndChains) {
  FetchResult loop = get(GetParam(), url("/fault/redirect-loop/a"));
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.error->kind, FetchErrorKind::kRedirectLoop);
  EXPECT_EQ(loop.response.redirects.size(), 2u);

  FetchResult capped = get(GetParam(), url("/fault/redirect-chain/0"), {.max_redirects = 10});
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.error->kind, FetchErrorKind::kTooManyRedirects);

  FetchResult followed = get(GetParam(), url("/fault/redirect-chain/0"), {.max_redirects = 20});
  ASSERT_TRUE(followed.ok()) << followed.error->message;
  EXPECT_EQ(followed.response.redirects.size(), 15u);
  EXPECT_EQ(followed.response.final_url, url("/fault/redirect-chain/15"));
  std::vector<int> statuses;
  for (const auto& h : followed.response.redirects) statuses.push_back(h.status);
  for (int s : {301, 302, 303, 307, 308}) EXPECT_NE(std::find(statuses.begin(), statuses.end(), s), statuses.end());
}

TEST_P(CurlFetcherTest, AGzipBombStopsAtTheDecompressedLimit) {
  FetchOptions o;
  o.max_decompressed_bytes = 8u << 20;
  FetchResult r = get(GetParam(), url("/fault/gzip-bomb"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kTooLarge) << r.error->message;
  EXPECT_LE(r.response.body.size(), o.max_decompressed_bytes);
  EXPECT_EQ(r.response.content_encoding, "gzip");
}

TEST_P(CurlFetcherTest, AnOversizeBodyIsRefused) {
  FetchResult r = get(GetParam(), url("/fault/oversize"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kTooLarge) << r.error->message;
  EXPECT_LE(r.response.body.size(), FetchOptions{}.max_body_bytes);
}

TEST_P(CurlFetcherTest, BinaryAndInvalidUtf8ArriveIntact) {
  for (const char* path : {"/fault/binary", "/fault/bad-utf8"}) {
    FetchResult r = get(GetParam(), url(path));
    ASSERT_TRUE(r.ok()) << path << ": " << r.error->message;
    EXPECT_GT(r.response.body.size(), 0u);
    EXPECT_EQ(r.response.body.size(), r.response.content_length.value_or(r.response.body.size()));
  }
}

TEST_P(CurlFetcherTest, ARefusedConnection) {
  // A port that was free a moment ago: nothing listens there.
  runtime::asio::io_context io;
  runtime::asio::ip::tcp::acceptor a(io, {runtime::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = a.local_endpoint().port();
  a.close();
  FetchResult r = get(GetParam(), "http://127.0.0.1:" + std::to_string(port) + "/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kRefused) << r.error->message;
}

// A fleet worker that hands a host to another one closes its idle
// connections there (Fetcher::close_idle): the server sees them end. Only
// the native HTTP/1.1 client can (libcurl keeps its own pool).
TEST(CurlFetcherCloseIdleTest, TheNativeClientClosesAHostsIdleConnections) {
  RunningServer own(site(), testsite::ServerOptions{});
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  FetchOptions options;
  options.native_http1 = true;
  auto fetcher = make_curl_multi_fetcher(rt, options);
  const std::string base = "http://127.0.0.1:" + std::to_string(own.port());
  const auto urls = pages(own.port(), 1);
  auto main = [&]() -> Task<void> {
    Request r;
    r.url = urls.front();
    EXPECT_TRUE((co_await fetcher->fetch(r)).ok());
  };
  rt.run(main());
  EXPECT_EQ(own.stats().open_connections, 1u) << "the connection was not kept";
  fetcher->close_idle(base);
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (own.stats().open_connections > 0 && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(own.stats().open_connections, 0u);
  EXPECT_EQ(own.stats().connections, 1u);
}

TEST_P(CurlFetcherTest, KeepAliveReusesOneConnection) {
  testsite::ServerOptions options;
  RunningServer own(site(), options);
  runtime::Runtime rt({.mode = GetParam().mode});
  auto fetcher = make_client(rt, GetParam());
  int ok = 0;
  const auto urls = pages(own.port(), 20);
  auto main = [&]() -> Task<void> {
    for (const std::string& u : urls) {
      Request r;
      r.url = u;
      ok += (co_await fetcher->fetch(r)).ok();
    }
  };
  rt.run(main());
  EXPECT_EQ(ok, 20);
  EXPECT_EQ(own.stats().connections, 1u);
}

// A total timeout on a kept-alive connection is a total timeout, not a
// connect timeout (curl reports a connect time of 0 for a reused connection).
TEST_P(CurlFetcherTest, ATotalTimeoutOnAReusedConnectionIsNotAConnectTimeout) {
  FetchOptions o;
  o.total_timeout = 1s;
  o.stall_time = 30s;  // so that the total timeout fires first
  runtime::Runtime rt({.mode = GetParam().mode});
  auto fetcher = make_client(rt, GetParam(), o);
  std::optional<FetchResult> first, stalled;
  auto main = [&]() -> Task<void> {
    Request a;
    a.url = url("/");
    first = co_await fetcher->fetch(a);
    Request b;
    b.url = url("/fault/stall");
    stalled = co_await fetcher->fetch(b);
  };
  rt.run(main());
  ASSERT_TRUE(first->ok());
  ASSERT_FALSE(stalled->ok());
  EXPECT_EQ(stalled->error->kind, FetchErrorKind::kTotalTimeout) << stalled->error->message;
}

TEST_P(CurlFetcherTest, StaysHealthyAfterEveryFault) {
  FetchOptions o;
  o.stall_time = 1s;
  for (const char* path : {"/fault/reset", "/fault/gzip-bomb", "/fault/binary", "/fault/redirect-loop/a"}) {
    (void)get(GetParam(), url(path), o);
  }
  FetchResult r = get(GetParam(), url("/"));
  EXPECT_TRUE(r.ok());
}

INSTANTIATE_TEST_SUITE_P(Clients, CurlFetcherTest,
                         ::testing::Values(Client{ExecutionMode::kSequential, false}, Client{ExecutionMode::kAsync, false},
                                           Client{ExecutionMode::kAsync, true}),
                         [](const auto& info) { return client_name(info.param); });

// The async modes' fetcher, with plain http:// over libcurl or the native client.
class MultiFetcherTest : public ::testing::TestWithParam<bool> {
 protected:
  Client client() const { return Client{ExecutionMode::kAsync, GetParam()}; }
};

TEST_P(MultiFetcherTest, TransfersOverlapAndStayUnderTheLimit) {
  testsite::ServerOptions options;
  options.latency.base = 100ms;
  RunningServer slow(site(), options);
  trace::Recorder rec(steady_clock());
  runtime::Runtime rt({.mode = ExecutionMode::kAsync, .recorder = &rec});
  auto fetcher = make_client(rt, client(), {.max_in_flight = 6, .max_per_host = 6});
  int ok = 0;
  const auto urls = pages(slow.port(), 24);
  // The lambda outlives every coroutine it starts (a capturing lambda made
  // inside the loop would die at the end of each iteration, its coroutine
  // still running: clang's build caught that).
  auto one = [&](std::size_t i) -> Task<void> {
    Request r;
    r.url = urls[i];
    r.task = static_cast<trace::TaskId>(i);
    ok += (co_await fetcher->fetch(r)).ok();
  };
  auto main = [&]() -> Task<void> {
    runtime::Scope scope(rt.executor());
    for (std::size_t i = 0; i < urls.size(); ++i) scope.spawn(one(i));
    co_await scope.join();
  };
  rt.run(main());
  EXPECT_EQ(ok, 24);
  // From the recorded timings: how many transfers were waiting for their
  // first byte at once.
  std::vector<std::pair<std::int64_t, int>> edges;
  for (const auto& s : rec.snapshot().spans) {
    if (s.kind != trace::EventKind::kFirstByte) continue;
    edges.emplace_back(s.start_ns, +1);
    edges.emplace_back(s.end_ns, -1);
  }
  ASSERT_EQ(edges.size(), 48u);
  std::sort(edges.begin(), edges.end());
  int now = 0;
  int peak = 0;
  for (const auto& [t, d] : edges) peak = std::max(peak, now += d);
  EXPECT_GE(peak, 2);  // they overlapped
  EXPECT_LE(peak, 6);  // never more than the limit
  EXPECT_LE(slow.stats().peak_connections, 6u);
}

// A host name goes through curl's threaded resolver, whose own sockets the
// multi fetcher watches too (released at once when curl is done with them,
// unlike connection sockets, which stay registered while curl keeps the
// connection: see curl_multi_fetcher.cc). "localhost" may also offer ::1,
// where nothing listens: a failed connection attempt on the way.
TEST_P(MultiFetcherTest, ANamedHostKeepsOneConnection) {
  testsite::ServerOptions options;
  RunningServer own(site(), options);
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  auto fetcher = make_client(rt, client());
  int ok = 0;
  std::vector<std::string> urls;
  for (const std::string& u : pages(own.port(), 10)) {
    urls.push_back("http://localhost:" + std::to_string(own.port()) + u.substr(u.find('/', 7)));
  }
  auto main = [&]() -> Task<void> {
    for (int round = 0; round < 3; ++round) {
      for (const std::string& u : urls) {
        Request r;
        r.url = u;
        const FetchResult result = co_await fetcher->fetch(r);
        ok += result.ok();
        EXPECT_TRUE(result.ok()) << u << ": " << result.error->message;
      }
    }
  };
  rt.run(main());
  EXPECT_EQ(ok, 30);
  EXPECT_EQ(own.stats().connections, 1u);
  EXPECT_EQ(own.stats().requests, 30u);
}

TEST_P(MultiFetcherTest, ATotalTimeout) {
  testsite::ServerOptions options;
  options.latency.base = 3000ms;
  RunningServer slow(site(), options);
  FetchOptions o;
  o.total_timeout = 200ms;
  FetchResult r = get(client(), "http://127.0.0.1:" + std::to_string(slow.port()) + "/", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kTotalTimeout) << r.error->message;
}

TEST_P(MultiFetcherTest, CancellingInFlightTransfersIsClean) {
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  auto fetcher = make_client(rt, client());
  int cancelled = 0;
  bool after_ok = false;
  auto stalled = [&]() -> Task<void> {
    Request r;
    r.url = url("/fault/stall");
    try {
      co_await fetcher->fetch(r);
    } catch (const boost::system::system_error&) {
      ++cancelled;
      throw;
    }
  };
  auto main = [&]() -> Task<void> {
    {
      runtime::Scope scope(rt.executor());
      for (int i = 0; i < 5; ++i) scope.spawn(stalled());
      // Once all five are in flight (the body has started), stop them.
      while (fetcher->in_flight() < 5) co_await rt.wait(5ms);
      co_await rt.wait(100ms);
      scope.cancel();
      try {
        co_await scope.join();
      } catch (const boost::system::system_error&) {
      }
    }
    EXPECT_EQ(fetcher->in_flight(), 0u);
    Request again;
    again.url = url("/");
    after_ok = (co_await fetcher->fetch(again)).ok();
  };
  rt.run(main());
  EXPECT_EQ(cancelled, 5);
  EXPECT_TRUE(after_ok);
}

INSTANTIATE_TEST_SUITE_P(Transports, MultiFetcherTest, ::testing::Bool(),
                         [](const auto& info) { return std::string(info.param ? "Native" : "Curl"); });

}  // namespace
}  // namespace preheat::fetch
