// The one translation unit with the Beast code of the HTTP client.
#include "fetch/detail/http1_transport.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/basic_parser.hpp>

#include "fetch/detail/content_decoder.h"
#include "fetch/detail/response_headers.h"
#include "fetch/host_key.h"
#include "fetch/request_block.h"

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 warns about Asio's coroutine frame allocator (a false positive, as
// in crawl/crawler.cc).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace preheat::fetch::detail {

namespace {

namespace asio = runtime::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using runtime::Task;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 16 * 1024;
constexpr auto kDnsCacheTime = std::chrono::seconds(300);

struct Connection {
  explicit Connection(asio::io_context& loop) : stream(loop) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;  // bytes read and not parsed yet
};

FetchError error(FetchErrorKind kind, std::string message) { return FetchError{kind, std::move(message), 0, {}}; }

std::string seconds_text(Duration d) {
  char s[32];
  std::snprintf(s, sizeof s, "%g", to_seconds(d));
  return s;
}

// A socket operation's failure from the task being cancelled: rethrown, as
// Fetcher::fetch promises (beast's own timeouts are beast::error::timeout).
void throw_if_aborted(const beast::error_code& ec) {
  if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec, "cancelled");
}

// What one exchange (request out, response in) learned besides the response.
struct Exchange {
  bool stale = false;     // a reused connection failed before any response byte
  bool reusable = false;  // complete, keep-alive, nothing read past the end
  std::uint64_t bytes_in = 0;
  Clock::time_point sent{};
  Clock::time_point first_byte{};
};

// "http://host:port" -> host (IPv6 brackets removed) and port.
std::pair<std::string, std::string> split_key(const std::string& key) {
  const std::string_view rest = std::string_view(key).substr(key.find("://") + 3);
  const std::size_t colon = rest.rfind(':');
  std::string_view host = rest.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return {std::string(host), std::string(rest.substr(colon + 1))};
}

// Parses a response straight into a Response: the kept headers through
// take_response_header (shared with libcurl's transport) and the body
// appended to Response::body. Beast's response_parser<string_body> would
// first build a field object per header (an allocation each) and a body
// string zero-filled before each copy; with those this client spent ~10k
// more instructions per request (callgrind, nginx, 16 in flight).
class Parser final : public http::basic_parser<false> {
 public:
  Parser(Response& r, std::uint64_t reserve_limit) : r_(r), reserve_limit_(reserve_limit) {}
  int status() const { return r_.status; }

 private:
  using string_view = boost::core::string_view;
  void on_request_impl(http::verb, string_view, string_view, int, beast::error_code& ec) override {
    ec = http::error::bad_method;  // a response parser never sees a request
  }
  void on_response_impl(int code, string_view, int version, beast::error_code&) override {
    r_.status = code;
    r_.http_version = version == 10 ? "1.0" : "1.1";
    clear_response_headers(r_);  // after an interim 1xx, the real response's only
    r_.body.clear();
  }
  void on_field_impl(http::field, string_view name, string_view value, beast::error_code&) override {
    take_response_header(r_, std::string_view(name.data(), name.size()), std::string_view(value.data(), value.size()));
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, beast::error_code&) override {
    // One allocation for the announced size (bounded: a hint, not a promise).
    if (length) r_.body.reserve(static_cast<std::size_t>(std::min(*length, reserve_limit_)));
  }
  std::size_t on_body_impl(string_view s, beast::error_code&) override {
    r_.body.append(s.data(), s.size());
    return s.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view s, beast::error_code&) override {
    r_.body.append(s.data(), s.size());
    return s.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  Response& r_;
  std::uint64_t reserve_limit_;
};

}  // namespace

struct Http1Transport::Impl {
  Impl(asio::io_context& l, const FetchOptions& o)
      : loop(l),
        options(o),
        user_agent(o.user_agent.empty() ? default_user_agent() : o.user_agent),
        resolver(l),
        max_idle(std::max<std::size_t>(1, o.max_in_flight)) {}

  Task<HopResult> hop(const std::string& url, const Request& request);
  Task<std::unique_ptr<Connection>> connect(const std::string& key, HopResult& out, Clock::time_point deadline);
  Task<tcp::resolver::results_type> resolve(const std::string& host, const std::string& port, HopResult& out);
  Task<Exchange> exchange(Connection& conn, HopResult& out, bool head, bool reused, Clock::time_point deadline);
  Task<void> read_response(Connection& conn, std::optional<Parser>& parser, HopResult& out, Exchange& x,
                           bool head, bool reused, Clock::time_point deadline);
  void new_parser(std::optional<Parser>& parser, Response& r, bool head) const;
  void on_read_error(const beast::error_code& ec, Parser& parser, HopResult& out, Exchange& x, bool reused,
                     Clock::time_point deadline);
  void complete(Parser& parser, HopResult& out, Exchange& x, const Connection& conn, bool head);

  std::unique_ptr<Connection> take_idle(const std::string& key);
  void give_back(const std::string& key, std::unique_ptr<Connection> conn);

  asio::io_context& loop;
  const FetchOptions& options;
  std::string user_agent;
  tcp::resolver resolver;
  struct CachedName {
    tcp::resolver::results_type results;
    Clock::time_point expires;
  };
  std::unordered_map<std::string, CachedName> dns;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle;
  std::size_t idle_count = 0;
  std::size_t max_idle;
};

std::unique_ptr<Connection> Http1Transport::Impl::take_idle(const std::string& key) {
  auto it = idle.find(key);
  if (it == idle.end() || it->second.empty()) return nullptr;
  std::unique_ptr<Connection> c = std::move(it->second.back());
  it->second.pop_back();
  --idle_count;
  return c;
}

void Http1Transport::Impl::give_back(const std::string& key, std::unique_ptr<Connection> conn) {
  if (idle_count >= max_idle) return;  // closed with `conn`
  conn->stream.expires_never();
  idle[key].push_back(std::move(conn));
  ++idle_count;
}

Task<tcp::resolver::results_type> Http1Transport::Impl::resolve(const std::string& host, const std::string& port,
                                                                HopResult& out) {
  beast::error_code ec;
  const asio::ip::address literal = asio::ip::make_address(host, ec);
  if (!ec) {
    const auto port_number = static_cast<unsigned short>(std::strtoul(port.c_str(), nullptr, 10));
    co_return tcp::resolver::results_type::create(tcp::endpoint(literal, port_number), host, port);
  }
  const std::string name = host + ":" + port;
  const auto now = Clock::now();
  if (auto it = dns.find(name); it != dns.end() && it->second.expires > now) co_return it->second.results;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  tcp::resolver::results_type results = co_await resolver.async_resolve(host, port, token);
  throw_if_aborted(ec);
  if (ec || results.empty()) {
    out.error = error(FetchErrorKind::kDns, "could not resolve host: " + host + (ec ? " (" + ec.message() + ")" : ""));
    co_return results;
  }
  if (dns.size() > 4096) dns.clear();  // a crawl of many hosts: start the cache over
  dns[name] = CachedName{results, now + kDnsCacheTime};
  co_return results;
}

Task<std::unique_ptr<Connection>> Http1Transport::Impl::connect(const std::string& key, HopResult& out,
                                                               Clock::time_point deadline) {
  const auto [host, port] = split_key(key);
  const auto t0 = Clock::now();
  tcp::resolver::results_type endpoints = co_await resolve(host, port, out);
  const auto t1 = Clock::now();
  out.response.timings.dns = std::chrono::duration_cast<Duration>(t1 - t0);
  if (out.error) co_return nullptr;
  auto conn = std::make_unique<Connection>(loop);
  conn->stream.expires_at(std::min(deadline, t1 + options.connect_timeout));
  beast::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  co_await conn->stream.async_connect(endpoints, token);
  throw_if_aborted(ec);
  out.response.timings.connect = std::chrono::duration_cast<Duration>(Clock::now() - t1);
  if (ec == beast::error::timeout) {
    out.error = error(FetchErrorKind::kConnectTimeout, "no connection to " + host + " port " + port + " within " +
                                                           seconds_text(options.connect_timeout) + " s");
    co_return nullptr;
  }
  if (ec) {
    out.error = error(FetchErrorKind::kRefused, "could not connect to " + host + " port " + port + ": " + ec.message());
    co_return nullptr;
  }
  beast::error_code ignored;
  conn->stream.socket().set_option(tcp::no_delay(true), ignored);
  co_return conn;
}

Task<HopResult> Http1Transport::Impl::hop(const std::string& url, const Request& request) {
  HopResult out;
  out.response.url = url;
  out.response.final_url = url;
  const bool head = request.method == "HEAD";
  out.response.request_block = request_block(head ? "HEAD" : "GET", url, "1.1",
                                             RequestIdentity{user_agent, options.accept_encoding}, request.headers);
  const std::string key = host_key(url);
  if (key.empty()) {
    out.error = error(FetchErrorKind::kBadUrl, "cannot parse the URL: " + url);
    co_return out;
  }
  const auto start = Clock::now();
  const auto deadline = start + options.total_timeout;
  std::unique_ptr<Connection> conn = take_idle(key);
  Exchange x;
  if (conn) {
    x = co_await exchange(*conn, out, head, true, deadline);
    if (x.stale) {
      // The server closed the kept connection while it was idle: ask again
      // on a new one, as if it had never been kept.
      const std::string block = std::move(out.response.request_block);
      out = HopResult{};
      out.response.url = url;
      out.response.final_url = url;
      out.response.request_block = block;
      conn.reset();
    }
  }
  if (!conn) {
    conn = co_await connect(key, out, deadline);
    if (conn) x = co_await exchange(*conn, out, head, false, deadline);
  }
  const auto end = Clock::now();
  Timings& t = out.response.timings;
  t.total = std::chrono::duration_cast<Duration>(end - start);
  if (x.first_byte != Clock::time_point{}) {
    t.first_byte = std::chrono::duration_cast<Duration>(x.first_byte - x.sent);
    t.download = std::chrono::duration_cast<Duration>(end - x.first_byte);
  }
  if (conn && x.reusable && !out.error) give_back(key, std::move(conn));
  co_return out;
}

Task<Exchange> Http1Transport::Impl::exchange(Connection& conn, HopResult& out, bool head, bool reused,
                                              Clock::time_point deadline) {
  Exchange x;
  conn.stream.expires_at(deadline);
  beast::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  const auto request_bytes = asio::buffer(out.response.request_block);
  co_await asio::async_write(conn.stream, request_bytes, token);
  throw_if_aborted(ec);
  x.sent = Clock::now();
  if (ec) {
    x.stale = reused;
    if (!reused) out.error = error(FetchErrorKind::kProtocol, "sending the request failed: " + ec.message());
    co_return x;
  }
  std::optional<Parser> parser;
  new_parser(parser, out.response, head);
  co_await read_response(conn, parser, out, x, head, reused, deadline);
  if (!x.stale && !out.error) complete(*parser, out, x, conn, head);
  co_return x;
}

void Http1Transport::Impl::new_parser(std::optional<Parser>& parser, Response& r, bool head) const {
  parser.emplace(r, std::min(options.max_body_bytes, options.max_decompressed_bytes));
  parser->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(options.max_header_bytes, UINT32_MAX)));
  parser->body_limit(options.max_body_bytes);
  if (head) parser->skip(true);  // a HEAD answer announces a body it does not send
}

// Reads until `parser` has a whole response (1xx interim responses are
// skipped), or fills out.error / x.stale.
Task<void> Http1Transport::Impl::read_response(Connection& conn, std::optional<Parser>& parser, HopResult& out,
                                               Exchange& x, bool head, bool reused, Clock::time_point deadline) {
  for (;;) {
    while (conn.buffer.size() > 0 && !parser->is_done()) {
      beast::error_code ec;
      const bool had_header = parser->is_header_done();
      const std::size_t used = parser->put(conn.buffer.data(), ec);
      if (!had_header && parser->is_header_done()) {
        // The parser takes a header whole (the flat buffer holds it in one
        // piece): these bytes are the header block as received.
        out.response.header_block.assign(static_cast<const char*>(conn.buffer.data().data()), used);
        parser->eager(true);
      }
      conn.buffer.consume(used);
      if (ec == http::error::need_more) break;
      if (ec) {
        on_read_error(ec, *parser, out, x, reused, deadline);
        co_return;
      }
      const int status = parser->is_header_done() ? parser->status() : 0;
      if (parser->is_done() && status >= 100 && status < 200 && status != 101) {
        // An interim response (100 Continue, 103 Early Hints): the real one follows.
        new_parser(parser, out.response, head);
        out.response.header_block.clear();
      } else if (used == 0) {
        break;
      }
    }
    if (parser->is_done()) co_return;
    conn.stream.expires_at(std::min(deadline, Clock::now() + options.stall_time));
    beast::error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    const auto space = conn.buffer.prepare(kReadChunk);
    const std::size_t n = co_await conn.stream.async_read_some(space, token);
    throw_if_aborted(ec);
    conn.buffer.commit(n);
    if (n > 0 && x.bytes_in == 0) x.first_byte = Clock::now();
    x.bytes_in += n;
    if (ec == asio::error::eof && parser->is_header_done() && parser->need_eof()) {
      beast::error_code eof_ec;
      parser->put_eof(eof_ec);  // the body ends with the connection
      if (!eof_ec) co_return;
      ec = eof_ec;
    }
    if (ec) {
      on_read_error(ec, *parser, out, x, reused, deadline);
      co_return;
    }
  }
}


void Http1Transport::Impl::on_read_error(const beast::error_code& ec, Parser& parser, HopResult& out,
                                         Exchange& x, bool reused, Clock::time_point deadline) {
  out.response.wire_bytes = out.response.body.size();  // what arrived stays, as with libcurl
  const std::string body_bytes = std::to_string(out.response.wire_bytes);
  if (x.bytes_in == 0 && reused && (ec == asio::error::eof || ec == asio::error::connection_reset)) {
    x.stale = true;
    return;
  }
  if (ec == beast::error::timeout) {
    if (Clock::now() >= deadline) {
      out.error = error(FetchErrorKind::kTotalTimeout,
                        "the request took longer than " + seconds_text(options.total_timeout) + " s");
    } else {
      out.error = error(FetchErrorKind::kStallTimeout, "fewer than " + std::to_string(options.stall_min_bytes) +
                                                           " bytes in " + seconds_text(options.stall_time) +
                                                           " s after " + body_bytes + " bytes");
    }
  } else if (ec == http::error::body_limit) {
    const auto announced = parser.content_length();
    out.error = error(FetchErrorKind::kTooLarge,
                      announced && *announced > options.max_body_bytes
                          ? "the announced body exceeds " + std::to_string(options.max_body_bytes) +
                                " bytes (max_body_bytes)"
                          : "the body exceeds " + std::to_string(options.max_body_bytes) +
                                " bytes on the wire (max_body_bytes)");
  } else if (ec == http::error::header_limit) {
    out.error = error(FetchErrorKind::kTooLarge, "the response headers exceed " +
                                                     std::to_string(options.max_header_bytes) +
                                                     " bytes (max_header_bytes)");
  } else if (ec == asio::error::eof || ec == http::error::partial_message) {
    out.error = error(FetchErrorKind::kProtocol,
                      "the server closed the connection before the response ended (after " + body_bytes +
                          " body bytes)");
  } else {
    out.error = error(FetchErrorKind::kProtocol, ec.message() + " (after " + body_bytes + " body bytes)");
  }
}

void Http1Transport::Impl::complete(Parser& parser, HopResult& out, Exchange& x, const Connection& conn,
                                    bool head) {
  Response& r = out.response;
  x.reusable = parser.keep_alive() && !parser.need_eof() && conn.buffer.size() == 0;
  r.wire_bytes = r.body.size();
  if (!head && !r.content_encoding.empty()) {
    if (std::optional<FetchError> bad = decode_content(r.content_encoding, r.body, options.max_decompressed_bytes)) {
      out.error = std::move(*bad);
      r.body.clear();
    }
  }
}

Http1Transport::Http1Transport(asio::io_context& loop, const FetchOptions& options)
    : impl_(std::make_unique<Impl>(loop, options)) {}

Http1Transport::~Http1Transport() = default;

bool Http1Transport::handles(std::string_view url) {
  return url.size() > 7 && header_is(url.substr(0, 7), "http://");
}

Task<HopResult> Http1Transport::hop(const std::string& url, const Request& request) {
  return impl_->hop(url, request);
}

std::size_t Http1Transport::idle_connections() const { return impl_->idle_count; }

void Http1Transport::close_idle(const std::string& site) {
  auto it = impl_->idle.find(host_key(site + "/"));
  if (it == impl_->idle.end()) return;
  impl_->idle_count -= it->second.size();
  impl_->idle.erase(it);  // the connections close with their sockets
}

}  // namespace preheat::fetch::detail
