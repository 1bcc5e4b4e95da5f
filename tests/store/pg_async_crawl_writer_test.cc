// The crawler's async writer on PostgreSQL (store/postgres/pg_async_crawl_writer.h):
// the same write-side programs run by the async driver must leave exactly
// what the blocking store leaves (same batches into two databases, every
// table compared row by row), claim the same rows, refuse the same input,
// and fail as values when the server ends its connection. Its lease renewal
// takes over from the store's LeaseKeeper thread.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "runtime/runtime.h"
#include "runtime/scope.h"
#include "store/async_crawl_writer.h"
#include "store/crawl_store.h"
#include "store/postgres/pg_async_crawl_writer.h"
#include "tests/store/pg_async_test_support.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/postgres_server.h"
#include "tests/support/thread_count.h"

namespace preheat::store {
namespace {

using namespace preheat::store::testing;
using preheat::testing::PostgresTestDb;
using preheat::testing::thread_count;
using runtime::Task;

// Every row of every crawl table, in key order: two databases that were
// written the same way print the same.
std::string dump(const std::string& uri) {
  std::string out;
  for (const char* sql : {
           "SELECT id, url FROM urls ORDER BY id",
           "SELECT url_id, state, depth, attempts, next_due_ms, discovered_from, host, claimed_by FROM frontier "
           "ORDER BY url_id",
           "SELECT url_id, final_url_id, status, depth, attempts, fetched_at_ms, elapsed_s, bytes, wire_bytes, "
           "content_hash, run_id, error_class, content_type, etag, last_modified, title, text, checked_at_ms, "
           "not_modified FROM pages ORDER BY url_id",
           "SELECT from_id, seq, to_id, tag, rel, anchor FROM links ORDER BY from_id, seq",
           "SELECT page_id, hop, from_id, to_id, status FROM redirects ORDER BY page_id, hop",
           "SELECT page_id, md5(request_block), md5(response_block), md5(body), length(body) FROM bodies "
           "ORDER BY page_id"}) {
    out += std::string(sql) + "\n" + pg_test::psql_value(uri, sql);
  }
  return out;
}

PageRecord done_page(std::string url, int depth, const std::vector<std::string>& links) {
  PageRecord p = page(std::move(url), depth, links);
  for (const std::string& l : links) p.discovered.push_back(new_url(l, depth + 1));
  return p;
}

// Batches that go through every path of the write program: seeds, pages with
// links, discovered URLs and a binary body, a redirect, a queued retry, a
// failure, a 304 with a stored page (revalidated) and one without (a page).
std::vector<WriteBatch> batches() {
  std::vector<WriteBatch> out;
  out.push_back(seeds({"https://a.test/", "https://b.test/"}));
  PageRecord a = done_page("https://a.test/", 0, {"https://a.test/1", "https://a.test/2", "https://a.test/3"});
  a.keep_body = true;
  a.request_block = "GET / HTTP/1.1\r\n\r\n";
  a.response_block = "HTTP/1.1 200 OK\r\n\r\n";
  a.body = std::string("<html>\0\xff\xfe bytes", 16);
  a.etag = "\"v1\"";
  PageRecord b = done_page("https://b.test/home", 0, {"https://a.test/1"});
  b.redirects.push_back(RedirectRecord{"https://b.test/", "https://b.test/home", 301});
  PageRecord b0 = b;
  b0.url = "https://b.test/";
  b0.discovered.clear();
  out.push_back(pages({a, b0, b}));
  PageRecord retry = page("https://a.test/1", 1);
  retry.state = FrontierState::kQueued;
  retry.attempts = 1;
  retry.next_due_ms = 5000;
  PageRecord failed = page("https://a.test/2", 1);
  failed.state = FrontierState::kFailed;
  failed.status = 0;
  failed.error_class = "timeout";
  out.push_back(pages({retry, failed}));
  PageRecord same = page("https://a.test/", 0);
  same.not_modified = true;
  same.checked_at_ms = 9000;
  same.etag = "\"v2\"";
  PageRecord fresh304 = page("https://a.test/3", 1);
  fresh304.not_modified = true;
  out.push_back(pages({same, fresh304}));
  return out;
}

struct Claimed {
  std::vector<std::string> urls;
  std::vector<std::string> etags;
  std::optional<std::int64_t> next_due;
};

Claimed claimed_of(const std::vector<FrontierEntry>& entries, std::optional<std::int64_t> next_due) {
  Claimed c;
  for (const FrontierEntry& e : entries) {
    c.urls.push_back(e.url);
    c.etags.push_back(e.previous ? e.previous->etag + "/" + std::to_string(e.previous->status) : "-");
  }
  c.next_due = next_due;
  return c;
}

Task<Status> write_all(AsyncCrawlWriter& w, const std::vector<WriteBatch>& all) {
  for (const WriteBatch& b : all) {
    Status s = co_await w.write(b);
    if (!s.ok()) co_return s;
  }
  co_return Status();
}

Task<Claimed> claim_async(AsyncCrawlWriter& w, std::size_t limit, std::int64_t now) {
  Result<std::vector<FrontierEntry>> c = co_await w.claim_due(limit, now);
  if (!c.ok()) throw std::runtime_error(c.status().to_string());
  Result<std::optional<std::int64_t>> due = co_await w.next_due_ms();
  if (!due.ok()) throw std::runtime_error(due.status().to_string());
  co_return claimed_of(*c, *due);
}

std::shared_ptr<AsyncCrawlWriter> writer_for(CrawlStore& store, runtime::Runtime& rt) {
  return store.async_writer(AsyncWriterExecutor{rt.executor()});
}

TEST(PgAsyncCrawlWriterTest, WritesAndClaimsExactlyAsTheBlockingStore) {
  PostgresTestDb blocking_db, async_db;
  auto blocking = open_store(blocking_db.uri());
  auto on_loop = open_store(async_db.uri());
  ASSERT_TRUE(blocking && on_loop);
  for (const WriteBatch& b : batches()) {
    const Status s = blocking->write(b);
    ASSERT_TRUE(s.ok()) << s.to_string();
  }
  Result<std::vector<FrontierEntry>> c = blocking->claim_due(10, 6000);
  ASSERT_TRUE(c.ok());
  const Claimed want = claimed_of(*c, *blocking->next_due_ms());

  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  std::shared_ptr<AsyncCrawlWriter> w = writer_for(*on_loop, rt);
  ASSERT_TRUE(w);
  const std::vector<WriteBatch> all = batches();
  Status written = rt.run_for_result(write_all(*w, all));
  ASSERT_TRUE(written.ok()) << written.to_string();
  const Claimed got = rt.run_for_result(claim_async(*w, 10, 6000));

  EXPECT_EQ(dump(async_db.uri()), dump(blocking_db.uri()));
  EXPECT_EQ(got.urls, want.urls);
  EXPECT_EQ(got.etags, want.etags);
  EXPECT_EQ(got.next_due, want.next_due);
  EXPECT_FALSE(want.urls.empty());
  EXPECT_EQ(*on_loop->page_count(), *blocking->page_count());
}

TEST(PgAsyncCrawlWriterTest, ARefusedBatchIsRefusedAsByTheBlockingStoreAndNothingIsWritten) {
  PostgresTestDb db;
  auto store = open_store(db.uri());
  ASSERT_TRUE(store);
  PageRecord bad = page("https://a.test/3");
  bad.state = FrontierState::kClaimed;
  const std::vector<WriteBatch> refused = {pages({page("https://a.test/4"), bad})};
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  std::shared_ptr<AsyncCrawlWriter> w = writer_for(*store, rt);
  const Status async_status = rt.run_for_result(write_all(*w, refused));
  const Status blocking_status = store->write(refused[0]);
  EXPECT_EQ(async_status.code(), Status::Code::kInvalidArgument) << async_status.to_string();
  EXPECT_EQ(async_status.to_string(), blocking_status.to_string());
  EXPECT_EQ(*store->page_count(), 0);
}

TEST(PgAsyncCrawlWriterTest, FleetClaimsThroughTheAsyncWriterHandOutEveryRowOnceAndReportTheHeldHosts) {
  PostgresTestDb blocking_db, async_db;
  const FleetOptions fleet{"w", 60000, /*renew_in_background=*/false};
  auto blocking = open_store(blocking_db.uri(), {.fleet = fleet});
  auto on_loop = open_store(async_db.uri(), {.fleet = fleet});
  ASSERT_TRUE(blocking && on_loop);
  WriteBatch seed;
  for (const char* host : {"https://a.test/", "https://b.test/", "https://c.test/"}) {
    for (int i = 0; i < 5; ++i) seed.seeds.push_back(new_url(std::string(host) + std::to_string(i)));
  }
  ASSERT_TRUE(blocking->write(seed).ok());
  ASSERT_TRUE(on_loop->write(seed).ok());
  std::set<std::string> want;
  for (int round = 0; round < 10; ++round) {
    Result<std::vector<FrontierEntry>> c = blocking->claim_due(4, 1000);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    for (const FrontierEntry& e : *c) want.insert(e.url);
  }

  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  std::shared_ptr<AsyncCrawlWriter> w = writer_for(*on_loop, rt);
  std::set<std::string> got;
  std::size_t handed_out = 0;
  for (int round = 0; round < 10; ++round) {
    const Claimed c = rt.run_for_result(claim_async(*w, 4, 1000));
    handed_out += c.urls.size();
    got.insert(c.urls.begin(), c.urls.end());
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(got.size(), 15u);
  EXPECT_EQ(handed_out, 15u) << "a row was handed out twice";
  EXPECT_EQ(*on_loop->held_hosts(), *blocking->held_hosts());
  EXPECT_EQ(on_loop->held_hosts()->size(), 3u);
  Result<bool> left = rt.run_for_result(w->fleet_work_left(1000));
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(*left, *blocking->fleet_work_left(1000));
}

// The server ends the writer's backend between two batches: the next call
// is an io_error value (not a crash, not a hang), the committed batch stays,
// the failed one left nothing, and a new writer goes on where it stopped.
TEST(PgAsyncCrawlWriterTest, AConnectionTheServerEndsIsAnErrorValueAndANewWriterResumes) {
  PostgresTestDb db;
  auto store = open_store(db.uri());
  ASSERT_TRUE(store);
  const std::vector<WriteBatch> all = batches();
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  std::shared_ptr<AsyncCrawlWriter> w = writer_for(*store, rt);
  ASSERT_TRUE(rt.run_for_result(write_all(*w, {all[0], all[1]})).ok());
  auto* pg = dynamic_cast<postgres::PgAsyncCrawlWriter*>(w.get());
  ASSERT_NE(pg, nullptr);
  ASSERT_NE(pg->backend_pid(), 0);
  EXPECT_EQ(pg_test::psql_value(db.uri(), "SELECT pg_terminate_backend(" + std::to_string(pg->backend_pid()) + ")"),
            "t\n");
  const Status lost = rt.run_for_result(write_all(*w, {all[2]}));
  EXPECT_EQ(lost.code(), Status::Code::kIoError) << lost.to_string();
  EXPECT_EQ(*store->page_count(), 3) << "the committed batches stay";

  std::shared_ptr<AsyncCrawlWriter> again = writer_for(*store, rt);
  const Status resumed = rt.run_for_result(write_all(*again, {all[2], all[3]}));
  EXPECT_TRUE(resumed.ok()) << resumed.to_string();
  PostgresTestDb reference_db;
  auto reference = open_store(reference_db.uri());
  for (const WriteBatch& b : all) ASSERT_TRUE(reference->write(b).ok());
  EXPECT_EQ(*store->page_count(), *reference->page_count());
  EXPECT_EQ(store->stats()->links, reference->stats()->links);
}

Task<std::string> renew_then_stop(AsyncCrawlWriter& w, std::string uri, int* threads_while_renewing) {
  runtime::Scope scope(co_await runtime::asio::this_coro::executor);
  scope.spawn(w.renew_leases());
  // The renewal ran once it moved the lease forward past what open() wrote.
  const std::string before = pg_test::psql_value(uri, "SELECT lease_until_ms FROM fleet_workers WHERE worker = 'w'");
  auto control = co_await pg_test::must_connect(co_await runtime::asio::this_coro::executor, uri);
  std::string now;
  do {
    now = co_await pg_test::must_value(*control, "SELECT lease_until_ms FROM fleet_workers WHERE worker = 'w'");
  } while (now + "\n" == before);
  *threads_while_renewing = thread_count();
  w.stop_renewing();
  co_await scope.join();
  co_return now;
}

TEST(PgAsyncCrawlWriterTest, LeaseRenewalMovesToTheLoopAndTheKeeperThreadEnds) {
  PostgresTestDb db;
  const int before_open = thread_count();
  auto store = open_store(db.uri(), {.fleet = FleetOptions{"w", 600}});
  ASSERT_TRUE(store);
  EXPECT_EQ(thread_count(), before_open + 1) << "the LeaseKeeper thread renews from open";
  runtime::Runtime rt({.mode = ExecutionMode::kAsync});
  std::shared_ptr<AsyncCrawlWriter> w = writer_for(*store, rt);
  int threads_while_renewing = 0;
  const std::string renewed = rt.run_for_result(renew_then_stop(*w, db.uri(), &threads_while_renewing));
  EXPECT_FALSE(renewed.empty());
  EXPECT_EQ(threads_while_renewing, before_open) << "renewals run on the loop, no keeper thread";
  // Back in blocking use after the run (the crawl's last batch): the store
  // writes on, and renews itself when a third of the lease went by.
  ASSERT_TRUE(store->write(seeds({"https://a.test/"})).ok());
  EXPECT_EQ(thread_count(), before_open);
}

}  // namespace
}  // namespace preheat::store
