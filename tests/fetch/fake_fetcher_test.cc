// The fetch core (limits, redirects, status errors, cancellation) through the
// fake transport, on virtual time: deterministic.
#include "fetch/fake_fetcher.h"

#include <gtest/gtest.h>

#include "fetch/redirect_follower.h"
#include "runtime/runtime.h"
#include "runtime/scope.h"

namespace preheat::fetch {
namespace {

using namespace std::chrono_literals;
using runtime::Task;

struct Fixture {
  ManualClock clock;
  runtime::Runtime rt{{.mode = ExecutionMode::kAsync, .manual_clock = &clock}};
};

FetchResult fetch_one(Fixture& f, FakeFetcher& fetcher, std::string url, bool follow = true) {
  auto main = [&]() -> Task<FetchResult> {
    Request r;
    r.url = url;
    r.follow_redirects = follow;
    co_return co_await fetcher.fetch(r);
  };
  return f.rt.run_for_result(main());
}

TEST(FakeFetcherTest, LimitsHoldOverallAndPerHostAndTransfersOverlap) {
  Fixture f;
  FakeFetcher fetcher(f.rt, {.max_in_flight = 5, .max_per_host = 2});
  std::vector<std::string> urls;
  for (int i = 0; i < 10; ++i) {
    for (const char* host : {"http://a.test/", "http://b.test/", "http://c.test/"}) {
      urls.push_back(host + std::to_string(i));
      fetcher.add_page(urls.back(), "x", "text/html", 10ms);
    }
  }
  int ok = 0;
  // Defined once, outside the loop: it must outlive the coroutines it starts.
  auto one = [&](std::string u) -> Task<void> {
    Request r;
    r.url = u;
    FetchResult res = co_await fetcher.fetch(r);
    ok += res.ok();
  };
  auto main = [&]() -> Task<void> {
    runtime::Scope scope(f.rt.executor());
    for (const auto& u : urls) scope.spawn(one(u));
    co_await scope.join();
  };
  const TimePoint start = f.clock.now();
  f.rt.run(main());
  EXPECT_EQ(ok, 30);
  EXPECT_EQ(fetcher.peak_in_flight(), 5u);
  EXPECT_EQ(fetcher.peak_per_host("http://a.test:80"), 2u);
  EXPECT_EQ(fetcher.peak_per_host("http://b.test:80"), 2u);
  EXPECT_EQ(fetcher.in_flight(), 0u);
  // 30 requests of 10 ms, 5 at a time: 60 ms, not 300.
  EXPECT_EQ(f.clock.now() - start, 60ms);
}

TEST(FakeFetcherTest, RedirectChainIsRecorded) {
  Fixture f;
  FakeFetcher fetcher(f.rt, {});
  fetcher.add_redirect("http://a.test/start", 301, "/middle");
  fetcher.add_redirect("http://a.test/middle", 302, "http://b.test/end?x=1#frag");
  fetcher.add_page("http://b.test/end?x=1", "done");
  FetchResult r = fetch_one(f, fetcher, "http://a.test/start");
  ASSERT_TRUE(r.ok()) << r.error->message;
  EXPECT_EQ(r.response.status, 200);
  EXPECT_EQ(r.response.body, "done");
  EXPECT_EQ(r.response.url, "http://a.test/start");
  EXPECT_EQ(r.response.final_url, "http://b.test/end?x=1");
  ASSERT_EQ(r.response.redirects.size(), 2u);
  EXPECT_EQ(r.response.redirects[0].from, "http://a.test/start");
  EXPECT_EQ(r.response.redirects[0].status, 301);
  EXPECT_EQ(r.response.redirects[0].to, "http://a.test/middle");
  EXPECT_EQ(r.response.redirects[1].to, "http://b.test/end?x=1");
}

TEST(FakeFetcherTest, RedirectLoopIsDetected) {
  Fixture f;
  FakeFetcher fetcher(f.rt, {});
  fetcher.add_redirect("http://a.test/1", 302, "/2");
  fetcher.add_redirect("http://a.test/2", 302, "/3");
  fetcher.add_redirect("http://a.test/3", 302, "/1");
  FetchResult r = fetch_one(f, fetcher, "http://a.test/1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kRedirectLoop);
  EXPECT_FALSE(r.error->retryable());
  EXPECT_EQ(r.response.redirects.size(), 3u);
  EXPECT_EQ(fetcher.hops().size(), 3u);  // it stopped before fetching /1 again
}

// A chain of 15 redirects r0 -> r1 -> ... -> r15, then a page.
void add_chain_of_15(FakeFetcher& fetcher) {
  for (int i = 0; i < 15; ++i) {
    fetcher.add_redirect("http://a.test/r" + std::to_string(i), 307, "/r" + std::to_string(i + 1));
  }
  fetcher.add_page("http://a.test/r15", "end");
}

TEST(FakeFetcherTest, TooManyRedirects) {
  Fixture f;
  FakeFetcher fetcher(f.rt, {.max_redirects = 10});
  add_chain_of_15(fetcher);
  FetchResult r = fetch_one(f, fetcher, "http://a.test/r0");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kTooManyRedirects);
  EXPECT_EQ(fetcher.hops().size(), 11u);

  FakeFetcher generous(f.rt, {.max_redirects = 15});
  add_chain_of_15(generous);
  FetchResult ok = fetch_one(f, generous, "http://a.test/r0");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.response.redirects.size(), 15u);
}

TEST(FakeFetcherTest, NotFollowingReturnsTheRedirect) {
  Fixture f;
  FakeFetcher fetcher(f.rt, {});
  fetcher.add_redirect("http://a.test/old", 301, "/new");
  FetchResult r = fetch_one(f, fetcher, "http://a.test/old", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.response.status, 301);
  EXPECT_EQ(r.response.location, "/new");
}

// redirect_check sees each target, resolved; a refusal stops the fetch at
// that redirect: the 3xx is the answer, the refused target never requested.
TEST(FakeFetcherTest, RedirectCheckCanRefuseAHop) {
  Fixture f;
  FakeFetcher fetcher(f.rt, {});
  fetcher.add_redirect("http://a.test/start", 301, "/middle");
  fetcher.add_redirect("http://a.test/middle", 302, "/private/x");
  fetcher.add_page("http://a.test/private/x", "secret");
  std::vector<std::string> asked;
  auto main = [&]() -> Task<FetchResult> {
    Request r;
    r.url = "http://a.test/start";
    r.redirect_check = [&asked](const std::string& target) {
      asked.push_back(target);
      return target.find("/private/") != std::string::npos ? std::string("Disallow: /private/") : std::string();
    };
    co_return co_await fetcher.fetch(r);
  };
  FetchResult r = f.rt.run_for_result(main());
  ASSERT_TRUE(r.ok()) << r.error->message;
  EXPECT_EQ(r.response.status, 302);
  EXPECT_EQ(r.response.final_url, "http://a.test/middle");
  EXPECT_EQ(r.response.redirect_refused, "Disallow: /private/");
  ASSERT_EQ(r.response.redirects.size(), 2u);
  EXPECT_EQ(r.response.redirects[1].to, "http://a.test/private/x");
  EXPECT_EQ(asked, (std::vector<std::string>{"http://a.test/middle", "http://a.test/private/x"}));
  EXPECT_EQ(fetcher.hops(), (std::vector<std::string>{"http://a.test/start", "http://a.test/middle"}));
  // Without a check the same chain is followed to its end.
  EXPECT_EQ(fetch_one(f, fetcher, "http://a.test/start").response.body, "secret");
}

TEST(FakeFetcherTest, RedirectToAnotherSchemeIsAnError) {
  Fixture f;
  FakeFetcher fetcher(f.rt, {});
  fetcher.add_redirect("http://a.test/x", 302, "ftp://a.test/file");
  FetchResult r = fetch_one(f, fetcher, "http://a.test/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kProtocol);
}

TEST(FakeFetcherTest, HttpStatusesBecomeErrorsWithRetryability) {
  struct Case {
    int status;
    std::string retry_after;
    FetchErrorKind kind;
    bool retryable;
    std::optional<Duration> wait;
  };
  const Case cases[] = {
      {404, "", FetchErrorKind::kHttp4xx, false, std::nullopt},
      {410, "", FetchErrorKind::kHttp4xx, false, std::nullopt},
      {429, "30", FetchErrorKind::kHttp4xx, true, std::chrono::seconds(30)},
      {408, "", FetchErrorKind::kHttp4xx, true, std::nullopt},
      {500, "", FetchErrorKind::kHttp5xx, true, std::nullopt},
      {501, "", FetchErrorKind::kHttp5xx, false, std::nullopt},
      {503, "7", FetchErrorKind::kHttp5xx, true, std::chrono::seconds(7)},
  };
  for (const Case& c : cases) {
    Fixture f;
    FakeFetcher fetcher(f.rt, {});
    Response resp;
    resp.status = c.status;
    resp.retry_after = c.retry_after;
    resp.body = "error page";
    fetcher.add_response("http://a.test/x", resp);
    FetchResult r = fetch_one(f, fetcher, "http://a.test/x");
    ASSERT_FALSE(r.ok()) << c.status;
    EXPECT_EQ(r.error->kind, c.kind) << c.status;
    EXPECT_EQ(r.error->status, c.status);
    EXPECT_EQ(r.error->retryable(), c.retryable) << c.status;
    EXPECT_EQ(r.error->retry_after, c.wait) << c.status;
    EXPECT_EQ(r.response.body, "error page");  // the body is kept (a 404 page has links too)
  }
}

TEST(FakeFetcherTest, BadUrlsAreRefusedWithoutAHop) {
  for (const char* url : {"ftp://a.test/x", "not a url", "", "/relative/path", "mailto:someone@a.test"}) {
    Fixture f;
    FakeFetcher fetcher(f.rt, {});
    FetchResult r = fetch_one(f, fetcher, url);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error->kind, FetchErrorKind::kBadUrl) << url;
    EXPECT_TRUE(fetcher.hops().empty());
  }
}

TEST(FakeFetcherTest, TransportErrorsPassThrough) {
  Fixture f;
  FakeFetcher fetcher(f.rt, {});
  fetcher.add_error("http://a.test/x", FetchErrorKind::kDns);
  FetchResult r = fetch_one(f, fetcher, "http://a.test/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kDns);
  EXPECT_TRUE(r.error->retryable());
}

TEST(FakeFetcherTest, CancellingAQueuedFetchFreesEverything) {
  Fixture f;
  FakeFetcher fetcher(f.rt, {.max_in_flight = 1});
  fetcher.add_page("http://a.test/slow", "x", "text/html", 100ms);
  fetcher.add_page("http://a.test/next", "y", "text/html", 1ms);
  runtime::asio::cancellation_signal stop;
  bool slow_ok = false;
  bool next_cancelled = false;
  auto get = [&](std::string url) -> Task<FetchResult> {
    Request r;
    r.url = url;
    co_return co_await fetcher.fetch(r);
  };
  runtime::asio::co_spawn(f.rt.loop(), get("http://a.test/slow"),
                          [&](std::exception_ptr e, FetchResult r) { slow_ok = !e && r.ok(); });
  f.rt.poll();
  runtime::asio::co_spawn(f.rt.loop(), get("http://a.test/next"),
                          runtime::asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e, FetchResult) {
                            next_cancelled = e != nullptr;
                          }));
  f.rt.poll();
  EXPECT_EQ(fetcher.in_flight(), 1u);
  stop.emit(runtime::asio::cancellation_type::terminal);
  f.rt.poll();
  EXPECT_TRUE(next_cancelled);
  f.rt.advance(100ms);
  EXPECT_TRUE(slow_ok);
  EXPECT_EQ(fetcher.in_flight(), 0u);
  EXPECT_EQ(fetcher.hops(), (std::vector<std::string>{"http://a.test/slow"}));
}

TEST(FakeFetcherTest, QueueTimeIsMeasured) {
  Fixture f;
  FakeFetcher fetcher(f.rt, {.max_in_flight = 1});
  fetcher.add_page("http://a.test/1", "x", "text/html", 10ms);
  fetcher.add_page("http://a.test/2", "y", "text/html", 10ms);
  std::vector<FetchResult> results(2);
  auto one = [&](int i) -> Task<void> {
    Request r;
    r.url = "http://a.test/" + std::to_string(i + 1);
    results[i] = co_await fetcher.fetch(r);
  };
  auto main = [&]() -> Task<void> {
    runtime::Scope scope(f.rt.executor());
    for (int i = 0; i < 2; ++i) scope.spawn(one(i));
    co_await scope.join();
  };
  f.rt.run(main());
  EXPECT_EQ(results[0].response.timings.queued, 0ms);
  EXPECT_EQ(results[1].response.timings.queued, 10ms);
  EXPECT_EQ(results[1].response.timings.total, 20ms);
}

TEST(FakeFetcherTest, ConditionalHeadersGoToTheRequestedUrlOnlyNotToRedirectTargets) {
  Fixture f;
  FakeFetcher fetcher(f.rt, {});
  fetcher.add_redirect("http://a.test/old", 301, "/new");
  fetcher.add_page("http://a.test/new", "x");
  auto main = [&]() -> Task<FetchResult> {
    Request r;
    r.url = "http://a.test/old";
    r.headers = {{"If-None-Match", "\"1\""}, {"X-Keep", "yes"}, {"if-modified-since", "Mon, 01 Jan 2024 00:00:00 GMT"}};
    co_return co_await fetcher.fetch(r);
  };
  const FetchResult r = f.rt.run_for_result(main());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(fetcher.hop_requests().size(), 2u);
  EXPECT_EQ(fetcher.hop_requests()[0].headers.size(), 3u);
  const std::vector<std::pair<std::string, std::string>> later = {{"X-Keep", "yes"}};
  EXPECT_EQ(fetcher.hop_requests()[1].url, "http://a.test/new");
  EXPECT_EQ(fetcher.hop_requests()[1].headers, later);
  // Without conditional headers nothing is copied: the same request to every hop.
  EXPECT_FALSE(for_redirect_targets(Request{.url = "http://a.test/", .headers = later}).has_value());
}

}  // namespace
}  // namespace preheat::fetch
