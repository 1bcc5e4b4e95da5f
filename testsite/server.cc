// The one translation unit with the Beast HTTP code of the testsite.
#include "testsite/server.h"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <utility>

#include <strings.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "base/version.h"
#include "runtime/scope.h"
#include "testsite/civil_date.h"
#include "testsite/conditional.h"

namespace preheat::testsite {

namespace asio = runtime::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using runtime::Task;

namespace {

constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxRequestBody = 64 * 1024;
constexpr std::size_t kStreamChunk = 64 * 1024;
constexpr int kMaxThreads = 64;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

const std::string& server_name() {
  // Never destroyed: sessions on other threads may still use it at exit.
  static const std::string& name = *new std::string(std::string("preheat-testsite/") + kVersion);
  return name;
}

// "2024-05-01T12:00:00.123Z".
std::string iso_time(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::int64_t secs = ms / 1000;
  const CivilDate d = CivilDate::from_days_since_epoch(secs / 86400);
  const std::int64_t s = secs % 86400;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d.%03dZ", d.to_string().c_str(), static_cast<int>(s / 3600),
                static_cast<int>(s / 60 % 60), static_cast<int>(s % 60), static_cast<int>(ms % 1000));
  return buf;
}

// What becomes of the connection after a response.
enum class After { kKeepAlive, kClose, kGone };

}  // namespace

struct Server::Shared {
  Shared(const Site& s, const ServerOptions& o) : site(s), options(o) {}
  ~Shared() {
    if (log != nullptr) std::fclose(log);
  }

  const Site& site;
  const ServerOptions options;
  std::atomic<std::uint64_t> open{0};
  std::atomic<std::uint64_t> peak{0};
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> requests{0};
  std::mutex log_mutex;
  std::FILE* log = nullptr;
};

struct Server::Loop {
  explicit Loop(const asio::any_io_executor& ex) : acceptor(ex) {}
  explicit Loop(std::unique_ptr<asio::io_context> ctx) : context(std::move(ctx)), acceptor(*context) {}

  std::unique_ptr<asio::io_context> context;  // null for the first loop (the caller's)
  tcp::acceptor acceptor;
  std::thread thread;
  asio::cancellation_signal stop;
};

namespace {

using Shared = Server::Shared;

// Counts one open connection for as long as it lives.
class OpenConnection {
 public:
  explicit OpenConnection(Shared& s) : shared_(s) {
    shared_.connections.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t now = shared_.open.fetch_add(1, std::memory_order_relaxed) + 1;
    std::uint64_t peak = shared_.peak.load(std::memory_order_relaxed);
    while (now > peak && !shared_.peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
  }
  ~OpenConnection() { shared_.open.fetch_sub(1, std::memory_order_relaxed); }
  OpenConnection(const OpenConnection&) = delete;
  OpenConnection& operator=(const OpenConnection&) = delete;

 private:
  Shared& shared_;
};

void log_request(Shared& shared, std::string_view method, std::string_view target, unsigned status, std::uint64_t bytes,
                 std::chrono::milliseconds delay) {
  if (shared.log == nullptr) return;
  const std::string line = iso_time(std::chrono::system_clock::now()) + " " + std::string(method) + " " +
                           std::string(target) + " " + std::to_string(status) + " " + std::to_string(bytes) +
                           " open=" + std::to_string(shared.open.load(std::memory_order_relaxed)) +
                           " delay_ms=" + std::to_string(delay.count()) + "\n";
  const std::lock_guard<std::mutex> lock(shared.log_mutex);
  std::fwrite(line.data(), 1, line.size(), shared.log);
  std::fflush(shared.log);
}

template <class Body>
void set_header(http::response<Body>& res, const SiteResponse& r, bool keep_alive) {
  res.result(r.status);
  res.set(http::field::server, server_name());
  for (const auto& [name, value] : r.headers) res.insert(name, value);
  res.content_length(r.declared_length());
  res.keep_alive(keep_alive);
}

// The request's target and host as the Site sees them: an absolute-form
// target ("http://host/p/1") gives its own host.
struct Addressed {
  std::string_view target;
  std::string_view host;
  bool ok = true;
};

Addressed address(std::string_view target, std::string_view host) {
  if (!target.empty() && target.front() == '/') return {target, host};
  if (target.size() < 7 || strncasecmp(target.data(), "http://", 7) != 0) return {target, host, false};
  const std::string_view rest = target.substr(7);
  const std::size_t slash = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, slash);
  if (slash == std::string_view::npos) return {"/", authority};
  if (rest[slash] == '?') return {target, host, false};  // "http://host?q" would need a target of its own
  return {rest.substr(slash), authority};
}

// Writes `r` (header only for HEAD), applying its delivery. Returns the body
// bytes sent and what becomes of the connection.
Task<std::pair<std::uint64_t, After>> write_response(beast::tcp_stream& stream, SiteResponse& r, unsigned version,
                                                     bool head, bool keep_alive, asio::steady_timer& timer,
                                                     std::chrono::seconds idle_timeout) {
  stream.expires_after(idle_timeout);
  if (r.delivery == Delivery::kWhole && !r.shared_body) {
    http::response<http::string_body> res(http::status::ok, version);
    set_header(res, r, keep_alive);
    const std::uint64_t bytes = head ? 0 : r.body.size();
    if (!head) res.body() = std::move(r.body);
    co_await http::async_write(stream, res, asio::use_awaitable);
    co_return std::make_pair(bytes, keep_alive ? After::kKeepAlive : After::kClose);
  }

  http::response<http::empty_body> res(http::status::ok, version);
  const bool breaks_off = r.delivery == Delivery::kResetAfter || r.delivery == Delivery::kStallAfter;
  const bool keep = keep_alive && !breaks_off;
  set_header(res, r, keep);
  co_await http::async_write(stream, res, asio::use_awaitable);
  if (head) co_return std::make_pair(std::uint64_t{0}, keep ? After::kKeepAlive : After::kClose);

  std::uint64_t sent = 0;
  switch (r.delivery) {
    case Delivery::kWhole:  // a shared body
      sent = co_await asio::async_write(stream, asio::buffer(*r.shared_body), asio::use_awaitable);
      co_return std::make_pair(sent, keep_alive ? After::kKeepAlive : After::kClose);
    case Delivery::kStream: {
      std::vector<char> chunk(kStreamChunk);
      while (sent < r.content_length) {
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), r.content_length - sent));
        const std::size_t n = r.stream(sent, std::span<char>(chunk.data(), want));
        if (n == 0) co_return std::make_pair(sent, After::kClose);  // cannot keep the promise: end the connection
        stream.expires_after(idle_timeout);
        sent += co_await asio::async_write(stream, asio::buffer(chunk.data(), n), asio::use_awaitable);
      }
      co_return std::make_pair(sent, keep_alive ? After::kKeepAlive : After::kClose);
    }
    case Delivery::kResetAfter: {
      sent = co_await asio::async_write(stream, asio::buffer(r.body), asio::use_awaitable);
      boost::system::error_code ec;
      stream.socket().set_option(asio::socket_base::linger(true, 0), ec);
      stream.socket().close(ec);  // with linger 0: a reset, not a FIN
      co_return std::make_pair(sent, After::kGone);
    }
    case Delivery::kStallAfter: {
      sent = co_await asio::async_write(stream, asio::buffer(r.body), asio::use_awaitable);
      stream.expires_never();
      timer.expires_after(r.stall);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      co_return std::make_pair(sent, After::kClose);
    }
  }
  co_return std::make_pair(sent, After::kClose);
}

// Answers one parsed request.
Task<After> handle(beast::tcp_stream& stream, const http::request<http::string_body>& req, Shared& shared,
                   asio::steady_timer& timer) {
  shared.requests.fetch_add(1, std::memory_order_relaxed);  // before the answer: a client that has it sees it counted
  const std::string_view method = req.method_string();
  const std::string_view raw_target = req.target();
  const bool head = req.method() == http::verb::head;
  const bool keep_alive = req.keep_alive();

  std::string fallback_host;
  std::string_view host = req[http::field::host];
  if (host.empty() && req.version() < 11) {
    boost::system::error_code ec;
    const tcp::endpoint local = stream.socket().local_endpoint(ec);
    fallback_host = local.address().is_v6() ? "[" + local.address().to_string() + "]:" + std::to_string(local.port())
                                            : local.address().to_string() + ":" + std::to_string(local.port());
    host = fallback_host;
  }
  const Addressed where = address(raw_target, host);

  SiteResponse r;
  std::chrono::milliseconds delay{0};
  if (req.method() != http::verb::get && !head) {
    r = error_response(405);
    r.headers.emplace_back("Allow", "GET, HEAD");
  } else if (!where.ok) {
    r = error_response(400, "the target must start with '/' or http://");
  } else if (where.host.empty()) {
    r = error_response(400, "HTTP/1.1 needs a Host header");
  } else {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const SiteRequest site_request{where.target, where.host,
                                   std::chrono::duration_cast<std::chrono::seconds>(now).count()};
    r = shared.site.respond(site_request);
    if (is_not_modified(r, req[http::field::if_none_match], req[http::field::if_modified_since])) {
      r = not_modified_response(r);
    }
    delay = delay_for(shared.options.latency, shared.options.seed, where.target);
  }
  if (delay.count() > 0) {
    timer.expires_after(delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
  const unsigned status = r.status;
  const auto [bytes, after] =
      co_await write_response(stream, r, req.version(), head, keep_alive, timer, shared.options.idle_timeout);
  log_request(shared, method, raw_target, status, bytes, delay);
  co_return after;
}

// The status for a request Beast could not parse, or 0 when the peer simply
// went away (nobody to answer).
unsigned parse_error_status(const boost::system::error_code& ec) {
  if (ec.category() != http::make_error_code(http::error::bad_target).category()) return 0;
  if (ec == http::error::partial_message || ec == http::error::end_of_stream) return 0;
  if (ec == http::error::header_limit) return 431;
  if (ec == http::error::body_limit) return 413;
  if (ec == http::error::bad_version) return 505;  // Beast reads HTTP/1.0 and HTTP/1.1 only
  return 400;
}

// Answers `status` with a small page, then the caller closes the connection.
Task<void> refuse(beast::tcp_stream& stream, unsigned status, std::string_view method, std::string_view target,
                  Shared& shared, asio::steady_timer& timer) {
  shared.requests.fetch_add(1, std::memory_order_relaxed);
  SiteResponse r = error_response(status);
  const auto [bytes, after] = co_await write_response(stream, r, 11, false, false, timer, shared.options.idle_timeout);
  log_request(shared, method, target, status, bytes, std::chrono::milliseconds(0));
}

Task<void> session(tcp::socket socket, Shared& shared) {
  const OpenConnection counted(shared);
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  asio::steady_timer timer(stream.get_executor());
  try {
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(kMaxHeaderBytes);
      parser.body_limit(kMaxRequestBody);
      stream.expires_after(shared.options.idle_timeout);
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        const unsigned status = parse_error_status(ec);
        if (status != 0) co_await refuse(stream, status, "-", "-", shared, timer);
        break;
      }
      const After after = co_await handle(stream, parser.get(), shared, timer);
      if (after == After::kGone) co_return;
      if (after == After::kClose) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  } catch (...) {
    // The peer reset or vanished, a write timed out, or the server is
    // stopping: only this connection ends (nothing else depends on it).
  }
}

Task<void> accept_loop(tcp::acceptor& acceptor, Shared& shared) {
  const auto executor = co_await asio::this_coro::executor;
  runtime::Scope sessions(executor);
  asio::steady_timer backoff(executor);
  std::exception_ptr error;
  try {
    bool reported = false;
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) {
        sessions.spawn(session(std::move(socket), shared));
        continue;
      }
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
      // Out of file descriptors, or a connection aborted before it was
      // accepted: transient. Say it once, breathe, go on.
      if (!reported) {
        std::fprintf(stderr, "preheat testsite: accept failed: %s (continuing)\n", ec.message().c_str());
        reported = true;
      }
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
  } catch (...) {
    error = std::current_exception();  // cancelled at a co_await
  }
  // Once this coroutine is cancelled, Asio throws at every co_await before it
  // even starts, join() included; a scope destroyed unjoined aborts. So clear
  // the cancellation, join, then report the cancellation.
  const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
  const bool cancelled = state.cancelled() != asio::cancellation_type::none;
  co_await asio::this_coro::reset_cancellation_state();
  sessions.cancel();
  co_await sessions.join();
  if (error) std::rethrow_exception(error);
  if (cancelled) throw boost::system::system_error(asio::error::operation_aborted);
}

}  // namespace

Result<std::unique_ptr<Server>> Server::open(const asio::any_io_executor& executor, const Site& site,
                                             const ServerOptions& options) {
  if (options.threads < 1 || options.threads > kMaxThreads) {
    return Status::invalid_argument("threads must be between 1 and " + std::to_string(kMaxThreads));
  }
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.listen.host, ec);
  if (ec) return Status::invalid_argument("listen address '" + options.listen.host + "': " + ec.message());
  tcp::endpoint endpoint(address, options.listen.port);

  auto shared = std::make_unique<Shared>(site, options);
  if (!options.log_path.empty()) {
    shared->log = std::fopen(options.log_path.c_str(), "w");
    if (shared->log == nullptr) return Status::io_error("cannot write the log " + options.log_path);
  }
  std::vector<std::unique_ptr<Loop>> loops;
  for (int i = 0; i < options.threads; ++i) {
    auto loop =
        i == 0 ? std::make_unique<Loop>(executor) : std::make_unique<Loop>(std::make_unique<asio::io_context>(1));
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
    endpoint.port(a.local_endpoint().port());  // port 0: the others join the port the first one got
    loops.push_back(std::move(loop));
  }
  return std::unique_ptr<Server>(new Server(std::move(shared), std::move(loops), endpoint.port()));
}

Server::Server(std::unique_ptr<Shared> shared, std::vector<std::unique_ptr<Loop>> loops, std::uint16_t port)
    : shared_(std::move(shared)), loops_(std::move(loops)), port_(port) {}

Server::~Server() {
  for (auto& loop : loops_) {
    if (loop->thread.joinable()) {
      // serve() never ran to its end (it always joins): stop the thread now.
      loop->context->stop();
      loop->thread.join();
    }
  }
}

std::string Server::url() const {
  ListenAddress a = shared_->options.listen;
  a.port = port_;
  return "http://" + a.to_string() + "/";
}

Task<void> Server::serve() {
  for (std::size_t i = 1; i < loops_.size(); ++i) {
    Loop& loop = *loops_[i];
    auto ignore = [](std::exception_ptr) {};  // cancelled when serve() ends; nothing else can fail
    asio::co_spawn(*loop.context, accept_loop(loop.acceptor, *shared_),
                   asio::bind_cancellation_slot(loop.stop.slot(), ignore));
    loop.thread = std::thread([&loop] { loop.context->run(); });
  }
  std::exception_ptr error;
  try {
    co_await accept_loop(loops_[0]->acceptor, *shared_);
  } catch (...) {
    error = std::current_exception();
  }
  for (std::size_t i = 1; i < loops_.size(); ++i) {
    Loop& loop = *loops_[i];
    asio::post(*loop.context, [&loop] {
      boost::system::error_code ec;
      loop.acceptor.close(ec);
      loop.stop.emit(asio::cancellation_type::terminal);
    });
  }
  // The other loops end within a moment (their sessions are cancelled);
  // blocking this loop for that moment at shutdown is fine.
  for (std::size_t i = 1; i < loops_.size(); ++i) loops_[i]->thread.join();
  if (error) std::rethrow_exception(error);
}

void Server::stop() {
  // Only the first loop's acceptor: once its accept loop ends, serve()
  // closes the other loops' acceptors itself and returns, and the server may
  // be destroyed right after. Posting to every loop from here raced with
  // that: the first post could end serve() while this loop still read
  // loops_ (a crash seen once in ~300 runs of SeveralIoThreadsShareThePort).
  tcp::acceptor& acceptor = loops_.front()->acceptor;
  asio::post(acceptor.get_executor(), [&acceptor] {
    boost::system::error_code ec;
    acceptor.close(ec);
  });
}

ServerStats Server::stats() const {
  return ServerStats{shared_->open.load(), shared_->peak.load(), shared_->connections.load(), shared_->requests.load()};
}

}  // namespace preheat::testsite
