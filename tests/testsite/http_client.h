// Test helpers: a tiny blocking HTTP/1.1 client on a raw loopback socket, so
// that tests see exactly what the server sends (resets, stalls, short bodies)
// without a client library smoothing it over. Loopback only.
#pragma once

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace preheat::testsite::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool complete = false;  // the whole body promised by Content-Length arrived
  int error = 0;          // errno of a failed read (ECONNRESET, EAGAIN for a timeout), 0 otherwise
  bool closed = false;    // the server closed the connection (end of file)

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  std::uint64_t content_length() const {
    return std::stoull(header("content-length").empty() ? "0" : header("content-length"));
  }
};

class HttpConnection {
 public:
  // Connects to 127.0.0.1:port; reads give up after `timeout` without data.
  explicit HttpConnection(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    timeval tv{};
    tv.tv_sec = timeout.count() / 1000;
    tv.tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      throw std::runtime_error(std::string("connect failed: ") + std::strerror(errno));
    }
  }
  ~HttpConnection() { ::close(fd_); }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Reads one response. A HEAD response has no body whatever Content-Length says.
  // `max_body` caps how much of the body is kept (the rest is read and counted).
  HttpReply read_reply(bool head = false, std::uint64_t* body_bytes = nullptr) {
    HttpReply r;
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(r)) return r;
    }
    const std::string head_block = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    std::size_t line_end = head_block.find("\r\n");
    const std::string status_line = head_block.substr(0, line_end);
    r.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const std::size_t next = head_block.find("\r\n", line_end + 2);
      const std::string line =
          head_block.substr(line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        r.headers[name] = value;
      }
      line_end = next;
    }
    const std::uint64_t want = head ? 0 : r.content_length();
    std::uint64_t got = 0;
    while (got < want) {
      if (buffer_.empty() && !fill(r)) break;
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(buffer_.size(), want - got));
      if (body_bytes == nullptr) r.body.append(buffer_, 0, take);
      buffer_.erase(0, take);
      got += take;
    }
    if (body_bytes != nullptr) *body_bytes = got;
    r.complete = got == want;
    return r;
  }

  // GET (or another method) of `target` with Host 127.0.0.1.
  HttpReply get(std::string_view target, std::string_view method = "GET") {
    send(std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    return read_reply(method == "HEAD");
  }

  // True when the server closed the connection (reads end of file).
  bool at_eof() {
    HttpReply r;
    return buffer_.empty() && !fill(r) && r.closed;
  }

 private:
  // Reads more into buffer_; false at end of file or on an error (noted in r).
  bool fill(HttpReply& r) {
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      buffer_.append(buf, static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0) {
      r.closed = true;
    } else {
      r.error = errno;
    }
    return false;
  }

  int fd_ = -1;
  std::string buffer_;
};

}  // namespace preheat::testsite::testing
