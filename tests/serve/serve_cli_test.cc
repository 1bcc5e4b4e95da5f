// `preheat serve` end to end: the real binary, a request in flight when
// SIGTERM arrives is answered, then the process exits 0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/cli/subprocess.h"
#include "tests/serve/serve_test_util.h"
#include "tests/store/store_test_helpers.h"
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

// Starts `preheat serve` on `db`, GETs `target`, stops it with SIGTERM.
std::pair<Reply, ProcessResult> serve_once(const preheat::testing::TempDir& dir, const std::string& db,
                                           const std::string& target) {
  const std::uint16_t port = free_port();
  Subprocess p(PREHEAT_BINARY, {"serve", "--db", db, "--listen", "127.0.0.1:" + std::to_string(port)}, dir.path());
  bool up = false;
  for (int i = 0; i < 1000 && !up; ++i) {
    try {
      RawConnection probe(port);
      up = true;
    } catch (const std::runtime_error&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  Reply reply = up ? get(port, target) : Reply{};
  p.send_signal(SIGTERM);
  return {reply, p.wait(std::chrono::steady_clock::now() + std::chrono::seconds(30))};
}

// On both engines: PostgreSQL's /api/search answered 503 before its search was built.
class ServeCliSearchTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ServeCliSearchTest, TheFirstStartBuildsTheSearchIndexAndAnUnchangedDatabaseIsNotIndexedAgain) {
  preheat::testing::TempDir dir;
  store::testing::EngineDb engine(GetParam());
  const std::string db = engine.location();
  {
    auto s = store::open_crawl_store(db);
    ASSERT_TRUE(s.ok());
    store::WriteBatch b;
    for (int i = 0; i < 3; ++i) {
      store::PageRecord p = page("http://s/" + std::to_string(i), 200, "Page " + std::to_string(i), {});
      p.text = "crumble number " + std::to_string(i);
      b.pages.push_back(std::move(p));
    }
    ASSERT_TRUE((*s)->write(b).ok());
  }
  auto [first, first_run] = serve_once(dir, db, "/api/search?q=crumble");
  EXPECT_TRUE(first_run.exited && first_run.exit_code == 0) << first_run.describe();
  EXPECT_THAT(first_run.err, HasSubstr("search index built: 3 pages indexed in"));
  EXPECT_EQ(first.status, 200);
  EXPECT_THAT(first.body, HasSubstr("\"total\":3"));

  auto [second, second_run] = serve_once(dir, db, "/api/search?q=crumble");
  EXPECT_TRUE(second_run.exited && second_run.exit_code == 0) << second_run.describe();
  EXPECT_THAT(second_run.err, ::testing::Not(HasSubstr("search index")));
  EXPECT_THAT(second.body, HasSubstr("\"total\":3"));
}

INSTANTIATE_TEST_SUITE_P(Engines, ServeCliSearchTest, store::testing::engines(), store::testing::engine_name);

TEST(ServeCliUsageTest, AMissingDatabaseExitsTwo) {
  preheat::testing::TempDir dir;
  const ProcessResult r =
      preheat::testing::run_process(PREHEAT_BINARY, {"serve", "--db", (dir / "none.db").string()}, dir.path());
  EXPECT_TRUE(r.exited && r.exit_code == 2) << r.describe();
  EXPECT_THAT(r.err, HasSubstr("no crawl database at"));
}

}  // namespace
}  // namespace preheat::serve::testing
