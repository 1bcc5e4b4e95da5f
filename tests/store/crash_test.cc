// Crash safety: a batch is one transaction. A process that dies inside a
// write (by _exit from inside the transaction, or by SIGKILL at a random
// moment) leaves exactly the batches it committed.
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/crawl_store.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/support.h"

namespace preheat::store {
namespace {

using namespace preheat::store::testing;

constexpr int kPagesPerBatch = 20;
constexpr int kLinksPerPage = 10;

std::string page_url(int batch, int i) {
  return "https://a.test/b" + std::to_string(batch) + "/p" + std::to_string(i);
}

// Batch `b`: a seed, and pages each linking to 10 new URLs (discovered).
WriteBatch make_batch(int b) {
  WriteBatch batch;
  batch.seeds = {new_url("https://a.test/seed" + std::to_string(b))};
  for (int i = 0; i < kPagesPerBatch; ++i) {
    PageRecord p = page(page_url(b, i), 1);
    p.text = std::string(2000, 'x');
    for (int l = 0; l < kLinksPerPage; ++l) {
      const std::string to = page_url(b, i) + "/l" + std::to_string(l);
      p.links.push_back(LinkRecord{to, "", "", "a"});
      p.discovered.push_back(new_url(to, 2));
    }
    batch.pages.push_back(std::move(p));
  }
  return batch;
}

// How many of batches [0, limit) are in the store; fails the test when a
// batch is there only in part, or when the present ones are not a prefix.
int complete_batches(CrawlStore& store, int limit) {
  int present = 0;
  for (int b = 0; b < limit; ++b) {
    int pages_found = 0;
    for (int i = 0; i < kPagesPerBatch; ++i) {
      const std::optional<PageRecord> p = *store.find_page(page_url(b, i));
      if (!p) continue;
      ++pages_found;
      EXPECT_EQ(p->links.size(), static_cast<std::size_t>(kLinksPerPage)) << page_url(b, i);
    }
    EXPECT_TRUE(pages_found == 0 || pages_found == kPagesPerBatch) << "batch " << b << " has " << pages_found;
    if (pages_found == 0) break;
    EXPECT_EQ(present, b) << "batches are not a prefix";
    ++present;
  }
  CrawlStats st = *store.stats();
  EXPECT_EQ(st.pages, present * kPagesPerBatch);
  EXPECT_EQ(st.links, present * kPagesPerBatch * kLinksPerPage);
  // seed + pages + link targets per batch
  EXPECT_EQ(st.urls, present * (1 + kPagesPerBatch * (1 + kLinksPerPage)));
  EXPECT_EQ(st.frontier[FrontierState::kQueued], present * (1 + kPagesPerBatch * kLinksPerPage));
  return present;
}

class CrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashTest, ExitInsideABatchLeavesOnlyTheCommittedOnes) {
  EngineDb db(GetParam());
  const std::string path = db.location();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child: no test macros, only an exit code.
    bool armed = false;
    OpenOptions options;
    options.after_first_page_for_test = [&] {
      if (armed) ::_exit(42);  // a crash with the transaction open
    };
    Result<std::unique_ptr<CrawlStore>> store = open_crawl_store(path, options);
    if (!store.ok()) ::_exit(2);
    for (int b = 0; b < 3; ++b) {
      if (!(*store)->write(make_batch(b)).ok()) ::_exit(3);
    }
    armed = true;
    (void)(*store)->write(make_batch(3));
    ::_exit(4);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_EQ(WEXITSTATUS(wstatus), 42);

  auto store = open_store(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(complete_batches(*store, 10), 3);
  EXPECT_FALSE(*store->find_page(page_url(3, 0)));
  const std::vector<std::string> frontier = frontier_urls(*store);
  EXPECT_FALSE(std::binary_search(frontier.begin(), frontier.end(), "https://a.test/seed3"));
  EXPECT_TRUE(std::binary_search(frontier.begin(), frontier.end(), "https://a.test/seed2"));
  // And the store writes on from there.
  ASSERT_TRUE(store->write(make_batch(3)).ok());
  EXPECT_EQ(complete_batches(*store, 10), 4);
}

TEST_P(CrashTest, KillNineLosesAtMostTheBatchInFlight) {
  EngineDb db(GetParam());
  const std::string path = db.location();
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipe_fds[0]);
    Result<std::unique_ptr<CrawlStore>> store = open_crawl_store(path);
    if (!store.ok()) ::_exit(2);
    for (int b = 0; b < 1000; ++b) {
      if (!(*store)->write(make_batch(b)).ok()) ::_exit(3);
      const char committed = 'c';
      if (::write(pipe_fds[1], &committed, 1) != 1) ::_exit(4);
    }
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  // Let a few batches commit, then kill it wherever it is.
  int committed = 0;
  char c;
  while (committed < 5 && ::read(pipe_fds[0], &c, 1) == 1) ++committed;
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  while (::read(pipe_fds[0], &c, 1) == 1) ++committed;  // acknowledged before the kill
  ::close(pipe_fds[0]);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "the child finished 1000 batches before the kill";

  auto store = open_store(path);
  ASSERT_TRUE(store);
  const int present = complete_batches(*store, 1000);
  // Every acknowledged batch is there; at most the one in flight was too
  // (committed, killed before it said so).
  EXPECT_GE(present, committed);
  EXPECT_LE(present, committed + 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, CrashTest, engines(), engine_name);

}  // namespace
}  // namespace preheat::store
