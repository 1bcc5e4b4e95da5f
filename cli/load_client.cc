#include "cli/load_client.h"

// Asio's coroutine frames and GCC 12 (as crawl/crawler.cc).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <unordered_set>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "base/interrupt.h"
#include "runtime/scope.h"

namespace preheat::cli {

namespace asio = runtime::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using runtime::Task;

namespace {

constexpr auto kInterruptPoll = std::chrono::milliseconds(50);

TimePoint now() { return std::chrono::steady_clock::now(); }

// What the clients of one run share (all on one loop: no locks).
struct Run {
  explicit Run(LoadSpec s) : spec(std::move(s)), endpoint(asio::ip::make_address_v4("127.0.0.1"), spec.port) {}
  const LoadSpec spec;
  const tcp::endpoint endpoint;
  LoadResult result;
  std::size_t next_target = 0;
  std::size_t clients_running = 0;
  std::unordered_set<beast::tcp_stream*> streams;  // closed at once on Ctrl-C
  bool stopping = false;

  const std::string& take_target() { return spec.targets[next_target++ % spec.targets.size()]; }
  void fail(const std::string& what) {
    if (result.failures++ == 0) result.first_failure = what;
  }
};

// One client's connection, known to the run while it lives.
class Watched {
 public:
  Watched(Run& run, beast::tcp_stream& stream) : run_(run), stream_(stream) {
    run_.streams.insert(&stream_);
    ++run_.clients_running;
  }
  ~Watched() {
    run_.streams.erase(&stream_);
    --run_.clients_running;
  }
  Watched(const Watched&) = delete;
  Watched& operator=(const Watched&) = delete;

 private:
  Run& run_;
  beast::tcp_stream& stream_;
};

struct Exchange {
  boost::system::error_code ec;
  int status = 0;
  bool fresh = false;  // on a connection opened for this request
};

http::request<http::empty_body> make_get(const std::string& target, bool keep_alive) {
  http::request<http::empty_body> req(http::verb::get, target, 11);
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::user_agent, "preheat-demo");
  req.keep_alive(keep_alive);
  return req;
}

void close(beast::tcp_stream& stream) {
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.socket().close(ignored);
}

// One request and its answer; errors in the result (Beast's timeout at the
// run's end, operation_aborted on Ctrl-C, or the connection's trouble).
Task<Exchange> exchange(Run& run, beast::tcp_stream& stream, beast::flat_buffer& buffer) {
  Exchange x;
  stream.expires_at(run.spec.deadline);
  if (!stream.socket().is_open()) {
    x.fresh = true;
    buffer.clear();
    co_await stream.async_connect(run.endpoint, asio::redirect_error(asio::use_awaitable, x.ec));
    if (x.ec) co_return x;
    boost::system::error_code ignored;
    stream.socket().set_option(tcp::no_delay(true), ignored);
  }
  const http::request<http::empty_body> req = make_get(run.take_target(), run.spec.keep_alive);
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, x.ec));
  if (x.ec) co_return x;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buffer, res, asio::redirect_error(asio::use_awaitable, x.ec));
  if (x.ec) co_return x;
  x.status = static_cast<int>(res.result_int());
  if (!run.spec.keep_alive || !res.keep_alive()) close(stream);
  co_return x;
}

// Records one exchange; false when the client should stop.
bool record(Run& run, beast::tcp_stream& stream, TimePoint sent, const Exchange& x) {
  Sample s{.sent = sent, .done = now(), .status = x.status};
  if (!x.ec) {
    if (s.status < 200 || s.status > 299) run.fail("HTTP status " + std::to_string(s.status));
    run.result.samples.push_back(s);
    return true;
  }
  close(stream);
  if (x.ec == beast::error::timeout || x.ec == asio::error::operation_aborted) {
    // The deadline came (or Ctrl-C) while this request waited: unanswered.
    s.done = std::min(s.done, run.spec.deadline);
    s.status = 0;
    run.result.samples.push_back(s);
    return false;
  }
  run.fail(x.ec.message());
  // A reused connection the server closed is opened again; a new one that
  // fails ends this client (no retry loop against a dead server).
  return !x.fresh;
}

Task<void> client(Run& run) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  const Watched watched(run, stream);
  beast::flat_buffer buffer;
  for (std::size_t n = 0; !run.stopping && now() < run.spec.end; ++n) {
    if (run.spec.requests_per_client != 0 && n == run.spec.requests_per_client) break;
    const TimePoint sent = now();
    const Exchange x = co_await exchange(run, stream, buffer);
    if (!record(run, stream, sent, x)) break;
  }
  close(stream);
}

// Ctrl-C: close every connection (their waits end with operation_aborted).
Task<void> watch_interrupt(Run& run) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (run.clients_running > 0) {
    if (interrupt_requested()) {
      run.stopping = true;
      run.result.interrupted = true;
      for (beast::tcp_stream* s : run.streams) s->cancel();
      co_return;
    }
    timer.expires_after(kInterruptPoll);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace

Task<LoadResult> run_load(LoadSpec spec) {
  Run run(std::move(spec));
  runtime::Scope clients(co_await asio::this_coro::executor);
  for (std::size_t i = 0; i < run.spec.clients; ++i) clients.spawn(client(run));
  clients.spawn(watch_interrupt(run));
  co_await clients.join();
  co_return std::move(run.result);
}

}  // namespace preheat::cli
