// The one translation unit with the async server's Beast code.
#include "serve/async_server.h"

#include <array>
#include <cstdio>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <variant>

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "runtime/scope.h"
#include "serve/http_glue.h"
#include "serve/metrics.h"
#include "serve/handlers.h"
#include "serve/router.h"
#include "serve/warc_download.h"

namespace preheat::serve {

namespace asio = runtime::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using runtime::Task;

namespace {

constexpr int kMaxThreads = 64;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
constexpr std::string_view kBusy =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 31\r\nRetry-After: 1\r\n"
    "Connection: close\r\n\r\ntoo many connections, try again\n";

// A connection as the drain sees it: its stream, and whether it is waiting
// for a request (then the drain closes it) or answering one (then it ends
// after the answer).
struct Conn {
  beast::tcp_stream* stream = nullptr;
  bool reading = false;
};

}  // namespace

struct AsyncServer::Shared {
  Shared(runtime::Runtime& r, ServeReaders& d, const ServeOptions& o) : rt(r), readers(d), options(o) {}
  runtime::Runtime& rt;
  ServeReaders& readers;
  const ServeOptions options;
  Counters counters;
  MetricsInfo metrics_info() const { return {"async", readers.db_threads()}; }
};

struct AsyncServer::Loop {
  explicit Loop(const asio::any_io_executor& ex) : acceptor(ex), drain_timer(ex) {}
  explicit Loop(std::unique_ptr<asio::io_context> ctx)
      : context(std::move(ctx)), acceptor(*context), drain_timer(*context) {}

  std::unique_ptr<asio::io_context> context;  // null for the first loop (the runtime's)
  // This loop's database reads (declared after `context`: destroyed before it).
  std::unique_ptr<ServeReader> reader;
  tcp::acceptor acceptor;
  asio::steady_timer drain_timer;
  std::thread thread;
  asio::cancellation_signal stop;
  // Touched only on this loop's thread:
  std::unordered_set<Conn*> conns;
  bool draining = false;
  runtime::Scope* sessions = nullptr;
};

namespace {

using Shared = AsyncServer::Shared;
using Loop = AsyncServer::Loop;

class Registered {
 public:
  Registered(Loop& loop, Conn& conn) : loop_(loop), conn_(conn) { loop_.conns.insert(&conn_); }
  ~Registered() { loop_.conns.erase(&conn_); }
  Registered(const Registered&) = delete;
  Registered& operator=(const Registered&) = delete;

 private:
  Loop& loop_;
  Conn& conn_;
};

// The handler, after the simulated latency (a timer: no thread is held while
// Alice's database is slow); its reads go where the loop's reader sends them
// (serve_reader.h: a reader thread on SQLite, this loop on PostgreSQL).
Task<Response> query(Shared& shared, ServeReader& reader, const Routed& routed) {
  const std::chrono::milliseconds latency = db_latency(shared.options, routed.request);
  if (latency.count() > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(latency);
    co_await timer.async_wait(asio::use_awaitable);
  }
  Response r = co_await run_handler(routed, reader);
  co_return r;
}

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The next piece of a download, made off the io thread (serve/warc_download.h).
Task<Result<std::string_view>> next_piece(ServeReader& reader, WarcDownload& warc) {
  Result<std::string_view> piece = co_await reader.warc_next(warc);
  co_return piece;
}

// /export.warc.gz: the head, then one chunk per piece; the connection closes
// after it. Returns false (the connection does not stay open).
Task<bool> download(beast::tcp_stream& stream, const HttpRequest& req, Shared& shared, ServeReader& reader,
                    InFlight& counted) {
  const std::chrono::milliseconds write_timeout = shared.options.limits.write_timeout;
  WarcDownload warc(unix_now_ms());
  Result<std::string_view> piece = std::string_view();
  if (req.method() != http::verb::head) piece = co_await next_piece(reader, warc);
  if (!piece.ok()) {
    HttpResponse msg = to_message(store_failure(piece.status(), false), req.version(), false, false);
    stream.expires_after(write_timeout);
    co_await http::async_write(stream, msg, asio::use_awaitable);
    counted.answered(500);
    co_return false;
  }
  http::response<http::empty_body> head = download_head(req.version());
  http::response_serializer<http::empty_body> serializer(head);
  stream.expires_after(write_timeout);
  co_await http::async_write_header(stream, serializer, asio::use_awaitable);
  if (req.method() == http::verb::head) {
    counted.answered(200);
    co_return false;
  }
  for (;;) {
    if (!piece->empty()) {
      const auto chunk = http::make_chunk(asio::buffer(piece->data(), piece->size()));
      stream.expires_after(write_timeout);
      co_await asio::async_write(stream, chunk, asio::use_awaitable);
    }
    if (warc.done()) break;
    piece = co_await next_piece(reader, warc);
    if (!piece.ok()) {
      std::fprintf(stderr, "preheat serve: /export.warc.gz stopped: %s\n", piece.status().message().c_str());
      co_return false;  // closed without the last chunk: the client sees a truncated download
    }
  }
  const auto last = http::make_chunk_last();
  stream.expires_after(write_timeout);
  co_await asio::async_write(stream, last, asio::use_awaitable);
  counted.answered(200);
  co_return false;
}

// Writes `r`: its head rendered here and the body as a second buffer (no
// Beast message: response_head() in http_glue.h), or through Beast when an
// extra header needs its rules.
Task<void> send(beast::tcp_stream& stream, Response r, unsigned version, bool keep_alive, bool head,
                std::chrono::milliseconds timeout) {
  std::optional<std::string> block = response_head(r, version, keep_alive);
  stream.expires_after(timeout);
  if (!block) {
    HttpResponse msg = to_message(std::move(r), version, keep_alive, head);
    co_await http::async_write(stream, msg, asio::use_awaitable);
    co_return;
  }
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(*block), head ? asio::const_buffer() : asio::buffer(r.body)};
  co_await asio::async_write(stream, buffers, asio::use_awaitable);
}

// Answers one parsed request; returns whether the connection stays open.
Task<bool> answer(beast::tcp_stream& stream, const HttpRequest& req, Shared& shared, ServeReader& reader, bool keep,
                  const bool& draining) {
  InFlight counted(shared.counters);
  std::variant<Response, Routed, ServerPage> routed = route(req.method_string(), req.target(), shared.options.limits);
  if (const ServerPage* page = std::get_if<ServerPage>(&routed); page && *page == ServerPage::kExportWarc) {
    const bool kept = co_await download(stream, req, shared, reader, counted);
    co_return kept;
  }
  Response r;
  if (const Routed* handler = std::get_if<Routed>(&routed)) {
    r = co_await query(shared, reader, *handler);
  } else if (std::holds_alternative<ServerPage>(routed)) {
    r = metrics_response(shared.counters.snapshot(), shared.metrics_info());
  } else {
    r = std::move(std::get<Response>(routed));
  }
  const bool keep_alive = keep && !draining;
  const int status = r.status;
  co_await send(stream, std::move(r), req.version(), keep_alive, req.method() == http::verb::head,
                shared.options.limits.write_timeout);
  counted.answered(status);
  co_return keep_alive;
}

// Answers a request Beast could not parse; the caller closes.
Task<void> refuse(beast::tcp_stream& stream, unsigned status, Shared& shared) {
  InFlight counted(shared.counters);
  HttpResponse msg = to_message(error_response(static_cast<int>(status)), 11, false, false);
  stream.expires_after(shared.options.limits.write_timeout);
  co_await http::async_write(stream, msg, asio::use_awaitable);
  counted.answered(static_cast<int>(status));
}

Task<void> session(tcp::socket socket, Shared& shared, Loop& loop) {
  const OpenConnection counted(shared.counters);
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  Conn conn{&stream};
  const Registered registered(loop, conn);
  const ServeLimits& limits = shared.options.limits;
  try {
    for (std::size_t n = 1; !loop.draining; ++n) {
      http::request_parser<http::string_body> parser;
      apply_limits(parser, limits);
      // One deadline for the whole request: a client trickling bytes
      // (slowloris) is cut off like an idle one.
      stream.expires_after(limits.request_timeout);
      conn.reading = true;
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      conn.reading = false;
      if (ec) {
        const unsigned status = parse_error_status(ec);
        if (status != 0) co_await refuse(stream, status, shared);
        break;
      }
      const bool keep = parser.get().keep_alive() && n < limits.max_requests_per_connection;
      const bool kept = co_await answer(stream, parser.get(), shared, *loop.reader, keep, loop.draining);
      if (!kept) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  } catch (...) {
    // The peer reset or vanished, a write timed out, or the drain ran out of
    // time: only this connection ends.
  }
}

void refuse_busy(tcp::socket& socket) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  asio::write(socket, asio::buffer(kBusy), ec);
  socket.close(ec);
}

void begin_drain(Loop& loop, std::chrono::milliseconds timeout) {
  if (loop.draining) return;
  loop.draining = true;
  boost::system::error_code ec;
  loop.acceptor.close(ec);
  for (Conn* c : loop.conns) {
    if (c->reading) c->stream->cancel();
  }
  loop.drain_timer.expires_after(timeout);
  loop.drain_timer.async_wait([&loop](boost::system::error_code e) {
    if (!e && loop.sessions != nullptr) loop.sessions->cancel();
  });
}

Task<void> accept_loop(Loop& loop, Shared& shared) {
  const auto executor = co_await asio::this_coro::executor;
  runtime::Scope sessions(executor);
  loop.sessions = &sessions;
  asio::steady_timer backoff(executor);
  std::exception_ptr error;
  try {
    bool reported = false;
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await loop.acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) {
        if (shared.counters.open.load(std::memory_order_relaxed) >= shared.options.limits.max_connections) {
          refuse_busy(socket);
          continue;
        }
        sessions.spawn(session(std::move(socket), shared, loop));
        continue;
      }
      if (ec == asio::error::operation_aborted || !loop.acceptor.is_open()) break;
      if (!reported) {
        std::fprintf(stderr, "preheat serve: accept failed: %s (continuing)\n", ec.message().c_str());
        reported = true;
      }
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
  } catch (...) {
    error = std::current_exception();  // cancelled at a co_await
  }
  // As in testsite/server.cc: clear the cancellation, join, then report it.
  const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
  const bool cancelled = state.cancelled() != asio::cancellation_type::none;
  co_await asio::this_coro::reset_cancellation_state();
  if (error || cancelled) sessions.cancel();
  co_await sessions.join();
  loop.sessions = nullptr;
  loop.drain_timer.cancel();
  if (error) std::rethrow_exception(error);
  if (cancelled) throw boost::system::system_error(asio::error::operation_aborted);
}

}  // namespace

Result<std::unique_ptr<AsyncServer>> AsyncServer::open(runtime::Runtime& rt, ServeReaders& readers,
                                                       const ServeOptions& options) {
  if (options.threads < 1 || options.threads > kMaxThreads) {
    return Status::invalid_argument("threads must be between 1 and " + std::to_string(kMaxThreads));
  }
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.listen.host, ec);
  if (ec) return Status::invalid_argument("listen address '" + options.listen.host + "': " + ec.message());
  tcp::endpoint endpoint(address, options.listen.port);

  auto shared = std::make_unique<Shared>(rt, readers, options);
  std::vector<std::unique_ptr<Loop>> loops;
  for (int i = 0; i < options.threads; ++i) {
    auto loop =
        i == 0 ? std::make_unique<Loop>(rt.executor()) : std::make_unique<Loop>(std::make_unique<asio::io_context>(1));
    tcp::acceptor& a = loop->acceptor;
    const auto fail = [&](const char* what) {
      return Status::io_error("cannot listen on " + options.listen.to_string() + ": " + what + ec.message());
    };
    a.open(endpoint.protocol(), ec);
    if (ec) return fail("");
    a.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return fail("SO_REUSEADDR: ");
    if (options.threads > 1) a.set_option(ReusePort(true), ec);
    if (ec) return fail("SO_REUSEPORT: ");
    a.bind(endpoint, ec);
    if (ec) return fail("");
    a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("");
    endpoint.port(a.local_endpoint().port());
    loop->reader = readers.for_loop(a.get_executor(), shared->counters);
    loops.push_back(std::move(loop));
  }
  return std::unique_ptr<AsyncServer>(new AsyncServer(std::move(shared), std::move(loops), endpoint.port()));
}

AsyncServer::AsyncServer(std::unique_ptr<Shared> shared, std::vector<std::unique_ptr<Loop>> loops,
                         std::uint16_t port)
    : shared_(std::move(shared)), loops_(std::move(loops)), port_(port) {}

AsyncServer::~AsyncServer() {
  for (auto& loop : loops_) {
    if (loop->thread.joinable()) {
      loop->context->stop();
      loop->thread.join();
    }
  }
}

std::string AsyncServer::url() const {
  ListenAddress a = shared_->options.listen;
  a.port = port_;
  return "http://" + a.to_string() + "/";
}

Task<void> AsyncServer::serve() {
  for (std::size_t i = 1; i < loops_.size(); ++i) {
    Loop& loop = *loops_[i];
    auto ignore = [](std::exception_ptr) {};  // cancelled when serve() ends; nothing else can fail
    asio::co_spawn(*loop.context, accept_loop(loop, *shared_), asio::bind_cancellation_slot(loop.stop.slot(), ignore));
    loop.thread = std::thread([&loop] { loop.context->run(); });
  }
  std::exception_ptr error;
  try {
    co_await accept_loop(*loops_[0], *shared_);
  } catch (...) {
    error = std::current_exception();
  }
  // Stopped by stop(): every loop drains on its own. Cancelled: cancel the others too.
  for (std::size_t i = 1; i < loops_.size() && error; ++i) {
    Loop& loop = *loops_[i];
    asio::post(*loop.context, [&loop] {
      boost::system::error_code ec;
      loop.acceptor.close(ec);
      loop.stop.emit(asio::cancellation_type::terminal);
    });
  }
  for (std::size_t i = 1; i < loops_.size(); ++i) loops_[i]->thread.join();
  if (error) std::rethrow_exception(error);
}

void AsyncServer::stop() {
  const std::chrono::milliseconds timeout = shared_->options.limits.drain_timeout;
  // Copied first: once the last loop has its post, serve() may return and
  // the server be destroyed, so this function must not touch loops_ (or any
  // member) after it. A loop not yet posted to cannot have ended: serve()
  // waits for every loop's drain, which only a post from here starts.
  std::vector<Loop*> loops;
  for (auto& l : loops_) loops.push_back(l.get());
  for (Loop* loop : loops) {
    asio::post(loop->acceptor.get_executor(), [loop, timeout] { begin_drain(*loop, timeout); });
  }
}

ServerStats AsyncServer::stats() const { return shared_->counters.snapshot(); }

}  // namespace preheat::serve
