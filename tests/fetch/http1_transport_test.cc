// Odd but legal, and hostile, HTTP/1.1 answers from a scripted server, sent
// to the async fetcher with plain http:// over libcurl and over the native
// client (fetch/detail/http1_transport.h): both must give the same outcome.
// libcurl is the oracle here; the native client must not do worse.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "fetch/curl_multi_fetcher.h"
#include "runtime/runtime.h"

namespace preheat::fetch {
namespace {

using runtime::Task;
namespace asio = boost::asio;

// Answers one request per connection, in order: connection i gets
// answers[i] and is then closed. Records the requests.
struct ScriptedServer {
  explicit ScriptedServer(std::vector<std::string> answers)
      : acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    port = acceptor.local_endpoint().port();
    thread = std::thread([this, answers = std::move(answers)] {
      for (const std::string& answer : answers) {
        asio::ip::tcp::socket socket(io);
        acceptor.accept(socket);
        asio::streambuf buf;
        boost::system::error_code ec;
        asio::read_until(socket, buf, "\r\n\r\n", ec);
        if (ec) continue;
        ++requests;
        asio::write(socket, asio::buffer(answer), ec);
        socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
      }
    });
  }
  ~ScriptedServer() {
    if (thread.joinable()) thread.join();
  }
  std::string url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(port) + path; }

  asio::io_context io;
  asio::ip::tcp::acceptor acceptor;
  std::uint16_t port = 0;
  int requests = 0;
  std::thread thread;
};

class Http1TransportTest : public ::testing::TestWithParam<bool> {
 protected:
  // Fetches each URL in turn with one fetcher (so connections can be kept).
  std::vector<FetchResult> fetch_all(const std::vector<std::string>& urls, FetchOptions options = {}) {
    options.native_http1 = GetParam();
    runtime::Runtime rt({.mode = ExecutionMode::kAsync});
    auto fetcher = make_curl_multi_fetcher(rt, options);
    std::vector<FetchResult> out;
    auto main = [&]() -> Task<void> {
      for (const std::string& u : urls) {
        Request r;
        r.url = u;
        out.push_back(co_await fetcher->fetch(r));
      }
    };
    rt.run(main());
    return out;
  }
  FetchResult fetch_one(const std::string& url, FetchOptions options = {}) { return fetch_all({url}, options)[0]; }
};

TEST_P(Http1TransportTest, AnInterimResponseIsSkippedForTheRealOne) {
  const std::string real = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\n";
  ScriptedServer s({"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" + real + "hello"});
  FetchResult r = fetch_one(s.url());
  ASSERT_TRUE(r.ok()) << r.error->message;
  EXPECT_EQ(r.response.status, 200);
  EXPECT_EQ(r.response.body, "hello");
  EXPECT_EQ(r.response.header_block, real);
}

TEST_P(Http1TransportTest, ABodyWithoutALengthEndsWithTheConnection) {
  ScriptedServer s({"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nuntil the end"});
  FetchResult r = fetch_one(s.url());
  ASSERT_TRUE(r.ok()) << r.error->message;
  EXPECT_EQ(r.response.body, "until the end");
}

TEST_P(Http1TransportTest, AChunkedBodyIsJoined) {
  ScriptedServer s({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\n\r\n"});
  FetchResult r = fetch_one(s.url());
  ASSERT_TRUE(r.ok()) << r.error->message;
  EXPECT_EQ(r.response.body, "hello world");
}

TEST_P(Http1TransportTest, GarbageInsteadOfAResponseIsAProtocolError) {
  ScriptedServer s({"SSH-2.0-OpenSSH_9.2\r\n\r\n"});
  FetchResult r = fetch_one(s.url());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kProtocol) << r.error->message;
}

TEST_P(Http1TransportTest, ATruncatedBodyIsAProtocolErrorWithWhatArrived) {
  ScriptedServer s({"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this"});
  FetchResult r = fetch_one(s.url());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kProtocol) << r.error->message;
  EXPECT_EQ(r.response.status, 200);
}

TEST_P(Http1TransportTest, BadChunkSizesAreAProtocolError) {
  ScriptedServer s({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"});
  FetchResult r = fetch_one(s.url());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kProtocol) << r.error->message;
}

TEST_P(Http1TransportTest, HeadersOverTheLimitAreTooLarge) {
  std::string head = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 200; ++i) head += "X-Filler-" + std::to_string(i) + ": " + std::string(100, 'x') + "\r\n";
  ScriptedServer s({head + "Content-Length: 2\r\n\r\nok"});
  FetchOptions o;
  o.max_header_bytes = 8 * 1024;
  FetchResult r = fetch_one(s.url(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kTooLarge) << r.error->message;
}

TEST_P(Http1TransportTest, AnAnnouncedOversizeBodyIsRefused) {
  ScriptedServer s({"HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\nabc"});
  FetchOptions o;
  o.max_body_bytes = 1000;
  FetchResult r = fetch_one(s.url(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kTooLarge) << r.error->message;
  EXPECT_LE(r.response.body.size(), 1000u);
}

// The server says keep-alive, then closes the connection while it is idle:
// the next request is sent again on a new connection, not failed.
TEST_P(Http1TransportTest, AKeptConnectionTheServerClosedIsReplacedNotFailed) {
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  ScriptedServer s({ok, ok});
  std::vector<FetchResult> rs = fetch_all({s.url("/a"), s.url("/b")});
  ASSERT_EQ(rs.size(), 2u);
  for (const FetchResult& r : rs) {
    ASSERT_TRUE(r.ok()) << r.error->message;
    EXPECT_EQ(r.response.body, "ok");
  }
  EXPECT_EQ(s.requests, 2);
}

TEST_P(Http1TransportTest, AHeadAnswerHasNoBodyWhateverItAnnounces) {
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Encoding: gzip\r\n\r\n";
  ScriptedServer s({ok});
  FetchOptions o;
  o.native_http1 = GetParam();
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  auto fetcher = make_curl_multi_fetcher(rt, o);
  auto main = [&]() -> Task<FetchResult> {
    Request r;
    r.url = s.url();
    r.method = "HEAD";
    co_return co_await fetcher->fetch(r);
  };
  FetchResult r = rt.run_for_result(main());
  ASSERT_TRUE(r.ok()) << r.error->message;
  EXPECT_EQ(r.response.status, 200);
  EXPECT_TRUE(r.response.body.empty());
  EXPECT_EQ(r.response.content_length, std::optional<std::uint64_t>(1234));
}

INSTANTIATE_TEST_SUITE_P(Transports, Http1TransportTest, ::testing::Bool(),
                         [](const auto& info) { return std::string(info.param ? "Native" : "Curl"); });

}  // namespace
}  // namespace preheat::fetch
