// `preheat serve` end to end: the real binary, a request in flight when
// SIGTERM arrives is answered, then the process exits 0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/cli/subprocess.h"
#include "tests/serve/serve_test_util.h"
#include "tests/support/support.h"

namespace preheat::serve::testing {
namespace {

using ::testing::HasSubstr;
using preheat::testing::ProcessResult;
using preheat::testing::Subprocess;

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class ServeCliTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ServeCliTest, SigtermDrainsTheRequestInFlightAndExitsZero) {
  preheat::testing::TempDir dir;
  const std::string db = (dir / "crawl.db").string();
  make_crawl_db(db);
  const std::uint16_t port = free_port();
  Subprocess p(PREHEAT_BINARY,
               {"serve", "--db", db, "--listen", "127.0.0.1:" + std::to_string(port), "--mode", GetParam(),
                "--simulate-db-latency", "800"},
               dir.path());
  bool up = false;
  for (int i = 0; i < 500 && !up; ++i) {
    try {
      RawConnection probe(port);
      up = true;
    } catch (const std::runtime_error&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ASSERT_TRUE(up) << "the server never accepted a connection";
  EXPECT_EQ(get(port, "/healthz").status, 200);
  Reply slow;
  std::thread client([&] { slow = get(port, "/api/stats"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the request is waiting on the database
  p.send_signal(SIGTERM);
  client.join();
  EXPECT_EQ(slow.status, 200);
  const ProcessResult r = p.wait(std::chrono::steady_clock::now() + std::chrono::seconds(30));
  EXPECT_TRUE(r.exited && r.exit_code == 0) << r.describe();
  EXPECT_EQ(r.out, "listening on http://127.0.0.1:" + std::to_string(port) + "/\n");
  EXPECT_THAT(r.err, HasSubstr("stopped after 2 requests"));
}

INSTANTIATE_TEST_SUITE_P(Modes, ServeCliTest, ::testing::Values("async", "sync"));

TEST(ServeCliUsageTest, AMissingDatabaseExitsTwo) {
  preheat::testing::TempDir dir;
  const ProcessResult r =
      preheat::testing::run_process(PREHEAT_BINARY, {"serve", "--db", (dir / "none.db").string()}, dir.path());
  EXPECT_TRUE(r.exited && r.exit_code == 2) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("no crawl database at"));
}

}  // namespace
}  // namespace preheat::serve::testing
