// Helpers for the serve tests: a small crawl database with hostile strings,
// a raw loopback HTTP client, and a server (either mode) on its own thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>

#include <gtest/gtest.h>

#include <sqlite3.h>

#include "runtime/runtime.h"
#include "serve/async_server.h"
#include "serve/open_serve_readers.h"
#include "serve/sync_server.h"
#include "store/crawl_store.h"
#include "tests/support/postgres_server.h"
#include "tests/support/support.h"

namespace preheat::serve::testing {

inline constexpr const char* kHostileTitle = "<script>alert(1)</script>";
inline constexpr const char* kHostileText = "Welcome <img src=x onerror=alert(2)> & \"friends\" to the alert site";

inline store::PageRecord page(std::string url, int status, std::string title, std::vector<std::string> links) {
  store::PageRecord p;
  p.url = url;
  p.final_url = url;
  p.status = status;
  p.title = std::move(title);
  p.content_type = "text/html";
  p.fetched_at_ms = 1'700'000'000'000;
  p.elapsed_s = 0.012;
  p.bytes = 1234;
  p.wire_bytes = 600;
  if (status >= 400) p.error_class = "http-4xx";
  for (std::string& to : links) p.links.push_back(store::LinkRecord{std::move(to), "<b>anchor</b>", "", "a"});
  return p;
}

// Writes a tiny crawl of http://site/ into `path` (and the serving and
// search indexes).
inline void make_crawl_db(const std::string& path) {
  auto s = store::open_crawl_store(path);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  store::WriteBatch b;
  b.seeds.push_back(store::NewUrl{"http://site/", 0, true});
  b.pages.push_back(page("http://site/", 200, kHostileTitle,
                         {"http://site/a", "http://site/missing", "mailto:x@y", "http://other/\"><script>"}));
  b.pages.push_back(page("http://site/a", 200, "A & \"B\" 'c'", {"http://site/", "http://site/missing"}));
  b.pages.push_back(page("http://site/missing", 404, "", {}));
  store::PageRecord r = page("http://site/r", 200, "moved", {});
  r.final_url = "http://site/a";
  r.redirects.push_back(store::RedirectRecord{"http://site/r", "http://site/a", 301});
  b.pages.push_back(r);
  b.pages[0].text = kHostileText;
  b.pages[1].text = "A page about cakes, ovens and a caf\xC3\xA9.";
  for (auto& p : b.pages) p.depth = 1;
  b.pages[2].robots = "noindex,nofollow";  // /missing (schema 3)
  Status w = (*s)->write(b);
  ASSERT_TRUE(w.ok()) << w.to_string();
  // /a revisited later: 304 Not Modified (its content stays).
  store::WriteBatch revisit;
  store::PageRecord nm = page("http://site/a", 304, "", {});
  nm.not_modified = true;
  nm.checked_at_ms = 1'800'000'000'000;
  nm.depth = 1;
  revisit.pages.push_back(nm);
  w = (*s)->write(revisit);
  ASSERT_TRUE(w.ok()) << w.to_string();
  w = (*s)->ensure_serving_indexes();
  ASSERT_TRUE(w.ok()) << w.to_string();
  auto search = (*s)->refresh_search_index();
  ASSERT_TRUE(search.ok()) << search.status().to_string();
}

// A crawl database for a serve test, of one engine: "sqlite" (a file in a
// temporary folder) or "postgresql" (a fresh database on the tests' server,
// tests/support/postgres_server.h).
class ServeDb {
 public:
  explicit ServeDb(const std::string& engine) {
    if (engine == "postgresql") pg_ = std::make_unique<preheat::testing::PostgresTestDb>();
  }
  std::string location() const { return pg_ ? pg_->uri() : (dir_ / "crawl.db").string(); }
  bool postgres() const { return pg_ != nullptr; }

 private:
  preheat::testing::TempDir dir_;
  std::unique_ptr<preheat::testing::PostgresTestDb> pg_;
};

inline auto engines() { return ::testing::Values(std::string("sqlite"), std::string("postgresql")); }

// Runs `sql` on `location` with the engine's own client (sqlite3, psql), not
// with the code under test: a test breaking the database under a server.
inline void run_sql(const std::string& location, const std::string& sql) {
  if (store::is_postgres_location(location)) {
    const std::string out = preheat::testing::command_output("psql -X -q -v ON_ERROR_STOP=1 '" + location + "' -c '" +
                                                             sql + "' 2>&1 && echo ok");
    ASSERT_TRUE(out.ends_with("ok\n")) << out;
    return;
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(location.c_str(), &raw), SQLITE_OK);
  const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  ASSERT_EQ(rc, SQLITE_OK) << sql;
}

// Serve tests over both models and both engines.
using ModeEngine = std::tuple<ServeMode, std::string>;
inline auto modes_and_engines() {
  return ::testing::Combine(::testing::Values(ServeMode::kAsync, ServeMode::kSync), engines());
}
inline std::string mode_engine_name(const ::testing::TestParamInfo<ModeEngine>& info) {
  return std::string(std::get<0>(info.param) == ServeMode::kAsync ? "Async" : "Sync") + "_" + std::get<1>(info.param);
}

// A connected loopback socket; reads time out after 10 s (a hang guard).
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect failed");
    }
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  // Everything until the server closes (or an error / the 10 s guard).
  std::string read_all() {
    std::string out;
    char buf[65536];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
  // True when the server closed the connection (EOF or reset), false when the
  // read timed out.
  bool closed_by_server() {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

 private:
  int fd_ = -1;
};

struct Reply {
  int status = 0;
  std::string head;
  std::string body;
};

inline Reply parse_reply(const std::string& raw) {
  Reply r;
  if (raw.size() >= 12 && raw.starts_with("HTTP/1.")) r.status = std::stoi(raw.substr(9, 3));
  const std::size_t end = raw.find("\r\n\r\n");
  r.head = raw.substr(0, end);
  if (end != std::string::npos) r.body = raw.substr(end + 4);
  return r;
}

// One request with Connection: close.
inline Reply get(std::uint16_t port, const std::string& target, const std::string& method = "GET") {
  RawConnection c(port);
  c.send(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  return parse_reply(c.read_all());
}

// Raw bytes in, the reply out.
inline Reply exchange(std::uint16_t port, const std::string& bytes) {
  RawConnection c(port);
  c.send(bytes);
  return parse_reply(c.read_all());
}

// A server of either mode on its own thread (which owns its runtime).
class ServerThread {
 public:
  ServerThread(const std::string& db, ServeOptions options) {
    options.listen.port = 0;
    std::promise<std::uint16_t> port;
    std::future<std::uint16_t> ready = port.get_future();
    if (options.mode == ServeMode::kSync) {
      auto s = SyncServer::open(db, options);
      if (!s.ok()) throw std::runtime_error(s.status().to_string());
      sync_ = std::move(*s);
      port_ = sync_->port();
      thread_ = std::thread([this] { sync_->serve(); });
      return;
    }
    thread_ = std::thread([this, db, options, &port] {
      runtime::Runtime rt({});
      auto readers = open_serve_readers(rt, db, options);
      if (!readers.ok()) {
        port.set_value(0);
        return;
      }
      auto s = AsyncServer::open(rt, **readers, options);
      if (!s.ok()) {
        port.set_value(0);
        return;
      }
      async_ = s->get();
      port.set_value((*s)->port());
      rt.run((*s)->serve());
      async_ = nullptr;
    });
    port_ = ready.get();
    if (port_ == 0) {
      thread_.join();
      throw std::runtime_error("cannot open the async server");
    }
  }
  ~ServerThread() { stop(); }

  std::uint16_t port() const { return port_; }
  ServerStats stats() const { return sync_ ? sync_->stats() : async_->stats(); }

  // Drains and waits for the server to end. Idempotent.
  void stop() {
    if (stopped_) return;
    stopped_ = true;
    if (sync_) sync_->stop();
    if (async_ != nullptr) async_->stop();
    thread_.join();
  }

 private:
  std::unique_ptr<SyncServer> sync_;
  AsyncServer* async_ = nullptr;  // owned by the thread
  std::thread thread_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace preheat::serve::testing
