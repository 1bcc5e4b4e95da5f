// The sync server's Beast code: Beast's blocking read and write over a
// BlockingStream (a socket with a deadline; Asio's own blocking reads wait
// forever, SO_RCVTIMEO or not).
#include "serve/sync_server.h"

#include <cerrno>
#include <cstdio>
#include <chrono>
#include <thread>
#include <variant>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "serve/http_glue.h"
#include "serve/metrics.h"
#include "serve/handlers.h"
#include "serve/router.h"
#include "serve/warc_download.h"

namespace preheat::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kMaxThreads = 1024;
constexpr int kPollSliceMs = 100;  // how soon a stop is noticed

// A connected socket (non-blocking fd) as Beast's SyncReadStream and
// SyncWriteStream: every read and write waits at most until the deadline.
class BlockingStream {
 public:
  BlockingStream(int fd, const std::atomic<bool>& stopping) : fd_(fd), stopping_(stopping) {}

  // The next reads must complete by `deadline`; `abortable`: a stop may end
  // the wait while no byte of the request has arrived.
  void expect(Clock::time_point deadline, bool abortable) {
    deadline_ = deadline;
    abortable_ = abortable;
  }

  template <class Buffers>
  std::size_t read_some(const Buffers& buffers, boost::system::error_code& ec) {
    const asio::mutable_buffer b = first(buffers);
    for (;;) {
      if (!wait(POLLIN, ec)) return 0;
      const ssize_t n = ::recv(fd_, b.data(), b.size(), 0);
      if (n > 0) {
        abortable_ = false;
        ec = {};
        return static_cast<std::size_t>(n);
      }
      if (n == 0) {
        ec = asio::error::eof;
        return 0;
      }
      if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
        ec = boost::system::error_code(errno, boost::system::system_category());
        return 0;
      }
    }
  }
  template <class Buffers>
  std::size_t read_some(const Buffers& buffers) {
    boost::system::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

  template <class Buffers>
  std::size_t write_some(const Buffers& buffers, boost::system::error_code& ec) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
      const asio::const_buffer b = *it;
      if (b.size() == 0) continue;
      for (;;) {
        if (!wait(POLLOUT, ec)) return 0;
        const ssize_t n = ::send(fd_, b.data(), b.size(), MSG_NOSIGNAL);
        if (n >= 0) {
          ec = {};
          return static_cast<std::size_t>(n);
        }
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
          ec = boost::system::error_code(errno, boost::system::system_category());
          return 0;
        }
      }
    }
    ec = {};
    return 0;
  }
  template <class Buffers>
  std::size_t write_some(const Buffers& buffers) {
    boost::system::error_code ec;
    const std::size_t n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  template <class Buffers>
  static asio::mutable_buffer first(const Buffers& buffers) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
      const asio::mutable_buffer b = *it;
      if (b.size() != 0) return b;
    }
    return {};
  }

  // Waits until the socket is ready for `events`; false (and `ec`) on the
  // deadline or a stop.
  bool wait(short events, boost::system::error_code& ec) {
    for (;;) {
      if (abortable_ && stopping_.load(std::memory_order_relaxed)) {
        ec = asio::error::operation_aborted;
        return false;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
      if (left <= 0) {
        ec = beast::error::timeout;
        return false;
      }
      pollfd p{fd_, events, 0};
      const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, kPollSliceMs)));
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) {
        ec = boost::system::error_code(errno, boost::system::system_category());
        return false;
      }
    }
  }

  int fd_;
  const std::atomic<bool>& stopping_;
  Clock::time_point deadline_ = Clock::now();
  bool abortable_ = false;
};

}  // namespace

Result<std::unique_ptr<SyncServer>> SyncServer::open(const std::string& db_path, const ServeOptions& options) {
  if (options.threads < 1 || options.threads > kMaxThreads) {
    return Status::invalid_argument("threads must be between 1 and " + std::to_string(kMaxThreads));
  }
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.listen.host, ec);
  if (ec) return Status::invalid_argument("listen address '" + options.listen.host + "': " + ec.message());
  std::vector<std::unique_ptr<store::CrawlStore>> stores;
  for (int i = 0; i < options.threads; ++i) {
    Result<std::unique_ptr<store::CrawlStore>> s = store::open_crawl_store(db_path, {.read_only = true});
    if (!s.ok()) return s.status();
    stores.push_back(std::move(*s));
  }
  asio::io_context unused;
  asio::ip::tcp::acceptor a(unused);
  const asio::ip::tcp::endpoint endpoint(address, options.listen.port);
  const auto fail = [&] {
    return Status::io_error("cannot listen on " + options.listen.to_string() + ": " + ec.message());
  };
  a.open(endpoint.protocol(), ec);
  if (ec) return fail();
  a.set_option(asio::socket_base::reuse_address(true), ec);
  a.bind(endpoint, ec);
  if (ec) return fail();
  a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail();
  a.native_non_blocking(true, ec);  // threads race for each connection: the losers see EAGAIN
  const std::uint16_t port = a.local_endpoint().port();
  const int fd = a.release(ec);
  if (ec) return fail();
  return std::unique_ptr<SyncServer>(new SyncServer(fd, port, options, std::move(stores)));
}

SyncServer::SyncServer(int listen_fd, std::uint16_t port, ServeOptions options,
                       std::vector<std::unique_ptr<store::CrawlStore>> stores)
    : listen_fd_(listen_fd), port_(port), options_(std::move(options)), stores_(std::move(stores)) {}

SyncServer::~SyncServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::string SyncServer::url() const {
  ListenAddress a = options_.listen;
  a.port = port_;
  return "http://" + a.to_string() + "/";
}

void SyncServer::serve() {
  std::vector<std::thread> threads;
  for (auto& s : stores_) {
    store::CrawlStore* mine = s.get();
    threads.emplace_back([this, mine] { worker(*mine); });
  }
  for (std::thread& t : threads) t.join();
}

void SyncServer::stop() { stopping_.store(true); }

void SyncServer::worker(store::CrawlStore& store) {
  while (!stopping_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollSliceMs) <= 0) continue;
    if (stopping_.load()) break;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;  // another thread took it, or the peer gave up
    serve_connection(fd, store);
    ::close(fd);
  }
}

namespace {

// /export.warc.gz in the classic model: this thread makes each piece and
// sends it (blocking) before making the next (serve/warc_download.h).
template <class Stream>
void download(Stream& stream, const HttpRequest& req, store::CrawlStore& store, InFlight& counted,
              std::chrono::milliseconds write_timeout) {
  boost::system::error_code ec;
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  WarcDownload warc(now_ms);
  const bool head_only = req.method() == http::verb::head;
  Result<std::string_view> piece = head_only ? Result<std::string_view>(std::string_view()) : warc.next(store);
  if (!piece.ok()) {
    HttpResponse msg = to_message(store_failure(piece.status(), false), req.version(), false, false);
    stream.expect(Clock::now() + write_timeout, false);
    http::write(stream, msg, ec);
    if (!ec) counted.answered(500);
    return;
  }
  http::response<http::empty_body> head = download_head(req.version());
  http::response_serializer<http::empty_body> serializer(head);
  stream.expect(Clock::now() + write_timeout, false);
  http::write_header(stream, serializer, ec);
  if (ec) return;
  if (head_only) {
    counted.answered(200);
    return;
  }
  for (;;) {
    if (!piece->empty()) {
      stream.expect(Clock::now() + write_timeout, false);
      boost::asio::write(stream, http::make_chunk(boost::asio::buffer(piece->data(), piece->size())), ec);
      if (ec) return;
    }
    if (warc.done()) break;
    piece = warc.next(store);
    if (!piece.ok()) {
      std::fprintf(stderr, "preheat serve: /export.warc.gz stopped: %s\n", piece.status().message().c_str());
      return;  // closed without the last chunk: the client sees a truncated download
    }
  }
  stream.expect(Clock::now() + write_timeout, false);
  boost::asio::write(stream, http::make_chunk_last(), ec);
  if (!ec) counted.answered(200);
}

}  // namespace

void SyncServer::serve_connection(int fd, store::CrawlStore& store) {
  const OpenConnection counted(counters_);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const ServeLimits& limits = options_.limits;
  BlockingStream stream(fd, stopping_);
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  for (std::size_t n = 1; !stopping_.load(); ++n) {
    http::request_parser<http::string_body> parser;
    apply_limits(parser, limits);
    stream.expect(Clock::now() + limits.request_timeout, buffer.size() == 0);
    http::read(stream, buffer, parser, ec);
    if (ec) {
      const unsigned status = parse_error_status(ec);
      if (status != 0) {
        InFlight in_flight(counters_);
        HttpResponse msg = to_message(error_response(static_cast<int>(status)), 11, false, false);
        stream.expect(Clock::now() + limits.write_timeout, false);
        http::write(stream, msg, ec);
        if (!ec) in_flight.answered(static_cast<int>(status));
      }
      break;
    }
    const HttpRequest& req = parser.get();
    InFlight in_flight(counters_);
    std::variant<Response, Routed, ServerPage> routed = route(req.method_string(), req.target(), limits);
    if (const ServerPage* page = std::get_if<ServerPage>(&routed); page && *page == ServerPage::kExportWarc) {
      DbCall call(counters_);
      call.running();
      download(stream, req, store, in_flight, limits.write_timeout);
      break;  // the download closes its connection
    }
    Response r;
    if (const Routed* handler = std::get_if<Routed>(&routed)) {
      DbCall call(counters_);
      call.running();  // this thread is the database's: nothing queues
      const std::chrono::milliseconds latency = db_latency(options_, handler->request);
      if (latency.count() > 0) std::this_thread::sleep_for(latency);  // the thread waits with the database
      r = run_handler(*handler, store);
    } else if (std::holds_alternative<ServerPage>(routed)) {
      r = metrics_response(counters_.snapshot(), {"sync", options_.threads});
    } else {
      r = std::move(std::get<Response>(routed));
    }
    const bool keep_alive = req.keep_alive() && n < limits.max_requests_per_connection && !stopping_.load();
    const int status = r.status;
    HttpResponse msg = to_message(std::move(r), req.version(), keep_alive, req.method() == http::verb::head);
    stream.expect(Clock::now() + limits.write_timeout, false);
    http::write(stream, msg, ec);
    if (!ec) in_flight.answered(status);
    if (ec || !keep_alive) break;
  }
  ::shutdown(fd, SHUT_WR);
}

}  // namespace preheat::serve
