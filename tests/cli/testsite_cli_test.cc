// End-to-end tests of `preheat testsite`: the real binary on 127.0.0.1, a
// request through a raw socket, SIGTERM, and the exit codes.
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/cli/subprocess.h"
#include "tests/support/support.h"
#include "tests/testsite/http_client.h"

namespace preheat::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const fs::path kBinary = PREHEAT_BINARY;

// A listening socket on 127.0.0.1 and a free port; closed with the object.
class Listener {
 public:
  explicit Listener(bool listen_now) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    if (listen_now) ::listen(fd_, 1);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~Listener() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) {
    out.push_back(text.substr(at, nl - at));
  }
  return out;
}

TEST(CliTestsiteTest, PrintUrlsPrintsTheGroundTruth) {
  TempDir dir;
  const ProcessResult r = run_process(
      kBinary, {"testsite", "--print-urls", "--pages", "20", "--base-url", "http://127.0.0.1:9/"}, dir.path());
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  const std::vector<std::string> urls = lines(r.out);
  ASSERT_EQ(urls.size(), 20u) << r.out;
  EXPECT_TRUE(std::is_sorted(urls.begin(), urls.end()));
  EXPECT_EQ(urls.front(), "http://127.0.0.1:9/");
  EXPECT_THAT(r.out, HasSubstr("http://127.0.0.1:9/list?sort=asc&page=13\n"));

  const ProcessResult by_listen =
      run_process(kBinary, {"testsite", "--print-urls", "--pages", "20", "--listen", "127.0.0.1:9"}, dir.path());
  EXPECT_EQ(by_listen.out, r.out);
}

TEST(CliTestsiteTest, BadUsageExitsTwo) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const std::vector<Case> cases = {
      {{"--faults", "500,nope"}, "unknown fault 'nope' (valid: 500, 503, 429"},
      {{"--latency", "fast"}, "latency 'fast': expected MS or MS:JITTER"},
      {{"--listen", "example.com:80"}, "listen address 'example.com:80'"},
      {{"--pages", "0"}, "--pages: Value 0 not in range"},
      {{"--threads", "0"}, "--threads: Value 0 not in range"},
      {{"--root", "/nonexistent/dir"}, "root '/nonexistent/dir'"},
      {{"--root", ".", "--pages", "5"}, "--pages excludes --root"},
      {{"--print-urls"}, "--print-urls needs the port"},
      {{"--print-urls", "--base-url", "ftp://x/"}, "base URL 'ftp://x/'"},
      {{"--base-url", "http://x/"}, "requires --print-urls"},
  };
  TempDir dir;
  for (const Case& c : cases) {
    std::vector<std::string> args = {"testsite"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    SCOPED_TRACE(::testing::PrintToString(args));
    const ProcessResult r = run_process(kBinary, args, dir.path());
    EXPECT_TRUE(r.exited && r.exit_code == 2) << r.describe();
    EXPECT_THAT(r.err, HasSubstr(c.err));
    EXPECT_EQ(r.out, "");
  }
}

TEST(CliTestsiteTest, ServesUntilSigtermThenExitsZero) {
  TempDir dir;
  Listener probe(false);
  const std::uint16_t port = probe.port();
  probe.close();  // the port is free again (a tiny race with other programs, acceptable in a test)
  const std::string log = (dir / "requests.log").string();
  Subprocess p(kBinary,
               {"testsite", "--listen", "127.0.0.1:" + std::to_string(port), "--pages", "50", "--faults", "all",
                "--latency", "5:5", "--log", log},
               dir.path());
  std::unique_ptr<testsite::testing::HttpConnection> c;
  for (int i = 0; i < 500 && !c; ++i) {
    try {
      c = std::make_unique<testsite::testing::HttpConnection>(port);
    } catch (const std::runtime_error&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // not up yet
    }
  }
  ASSERT_TRUE(c) << "the server never accepted a connection";
  EXPECT_EQ(c->get("/").status, 200);
  EXPECT_EQ(c->get("/fault/500").status, 500);
  p.send_signal(SIGTERM);
  const ProcessResult r = p.wait(std::chrono::steady_clock::now() + std::chrono::seconds(30));
  EXPECT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  EXPECT_EQ(r.out, "listening on http://127.0.0.1:" + std::to_string(port) + "/\n");
  EXPECT_THAT(r.err, HasSubstr("stopped after 2 requests on 1 connections"));
  const std::vector<std::string> logged = lines(read_file(log));
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_THAT(logged[1], HasSubstr(" GET /fault/500 500 "));
}

TEST(CliTestsiteTest, APortInUseExitsOne) {
  TempDir dir;
  Listener taken(true);
  const ProcessResult r =
      run_process(kBinary, {"testsite", "--listen", "127.0.0.1:" + std::to_string(taken.port())}, dir.path());
  EXPECT_TRUE(r.exited && r.exit_code == 1) << r.describe();
  EXPECT_THAT(r.err, StartsWith("preheat testsite: cannot listen on 127.0.0.1:" + std::to_string(taken.port()) +
                                ": Address already in use"));
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace preheat::testing
