// HTTP/2 when the server offers it: nginx on loopback with TLS (a self-signed
// certificate made for the test) and `http2` on its listener. nginx and
// openssl come from scripts/setup; when they are missing the test fails and
// says so (it never skips). nginx runs as a child of the test, as the current
// user, with every path (pid, logs, temp folders) in a temporary folder, and
// is stopped and removed at the end of each test even when it fails.

// GCC 12 -O2 pairs Asio's recycling frame allocator with the frame's sized
// delete after inlining: a false positive (see crawl/crawler.cc).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fetch/curl_blocking_fetcher.h"
#include "fetch/curl_multi_fetcher.h"
#include "runtime/runtime.h"
#include "runtime/scope.h"
#include "tests/support/support.h"

namespace preheat::fetch {
namespace {

namespace fs = std::filesystem;
using runtime::Task;
using namespace std::chrono_literals;

constexpr const char* kSetupHint = " (install it with scripts/setup)";

// The program's path: PATH first, then the sbin folders a non-root PATH may lack.
std::string find_program(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    for (std::string d; std::getline(ss, d, ':');) dirs.push_back(d);
  }
  for (const char* d : {"/usr/sbin", "/sbin", "/usr/local/sbin"}) dirs.emplace_back(d);
  for (const auto& d : dirs) {
    const fs::path p = fs::path(d) / name;
    if (!d.empty() && ::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return "";
}

// In a forked child: stdout and stderr to /dev/null, then exec argv.
[[noreturn]] void exec_quietly(const std::vector<std::string>& args) {
  const int devnull = ::open("/dev/null", O_WRONLY);
  if (devnull >= 0) {
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
  }
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

// Runs argv to completion; its exit status (-1 when it could not run).
int run(const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) exec_quietly(args);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A port on 127.0.0.1 that was free a moment ago.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// nginx with TLS and HTTP/2 on 127.0.0.1, serving `files` from its folder.
// Check error() after construction: empty when it runs.
class TlsNginx {
 public:
  explicit TlsNginx(const std::vector<std::pair<std::string, std::string>>& files) { start(files); }
  ~TlsNginx() { stop(); }
  TlsNginx(const TlsNginx&) = delete;
  TlsNginx& operator=(const TlsNginx&) = delete;

  const std::string& error() const { return error_; }
  fs::path log_path() const { return dir_ / "access.log"; }
  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/"; }
  // The server's certificate (self-signed, for 127.0.0.1): a CA file.
  std::string certificate() const { return (dir_ / "cert.pem").string(); }

  // Stops nginx (its logs are complete afterwards). Idempotent.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 500 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(10ms);
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }

  // How many TCP connections the requests logged so far came over ($connection).
  std::size_t connections_logged() const {
    std::set<std::string> seen;
    std::stringstream ss(testing::read_file(dir_ / "access.log"));
    for (std::string line; std::getline(ss, line);) {
      if (!line.empty()) seen.insert(line.substr(0, line.find(' ')));
    }
    return seen.size();
  }

  // Requests logged so far and their protocol, e.g. "HTTP/2.0".
  std::vector<std::string> protocols_logged() const {
    std::vector<std::string> out;
    std::stringstream ss(testing::read_file(dir_ / "access.log"));
    for (std::string line; std::getline(ss, line);) {
      if (!line.empty()) out.push_back(line.substr(line.rfind(' ') + 1));
    }
    return out;
  }

 private:
  void start(const std::vector<std::pair<std::string, std::string>>& files) {
    const std::string nginx = find_program("nginx");
    const std::string openssl = find_program("openssl");
    if (nginx.empty()) {
      error_ = std::string("nginx is not installed") + kSetupHint;
      return;
    }
    if (openssl.empty()) {
      error_ = std::string("openssl is not installed") + kSetupHint;
      return;
    }
    const fs::path d = dir_.path();
    fs::create_directories(d / "www");
    fs::create_directories(d / "tmp");
    for (const auto& [name, content] : files) testing::write_file(d / "www" / name, content);
    // A self-signed certificate for the address the test connects to.
    const int made = run({openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                          "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                          "-addext", "basicConstraints=critical,CA:TRUE", "-keyout", (d / "key.pem").string(), "-out",
                          (d / "cert.pem").string()});
    if (made != 0) {
      error_ = "openssl could not make a certificate (exit " + std::to_string(made) + ")";
      return;
    }
    port_ = free_port();
    const std::string ds = d.string();
    testing::write_file(d / "nginx.conf", "daemon off;\n"
                                          "master_process off;\n"
                                          "worker_processes 1;\n"
                                          "pid " + ds + "/nginx.pid;\n"
                                          "error_log " + ds + "/error.log;\n"
                                          "events { worker_connections 64; }\n"
                                          "http {\n"
                                          "  log_format conn '$connection $request_method $uri x-test=$http_x_test "
                                          "$server_protocol';\n"
                                          "  access_log " + ds + "/access.log conn;\n"
                                          "  client_body_temp_path " + ds + "/tmp/body;\n"
                                          "  proxy_temp_path " + ds + "/tmp/proxy;\n"
                                          "  fastcgi_temp_path " + ds + "/tmp/fastcgi;\n"
                                          "  uwsgi_temp_path " + ds + "/tmp/uwsgi;\n"
                                          "  scgi_temp_path " + ds + "/tmp/scgi;\n"
                                          "  default_type text/plain;\n"
                                          "  server {\n"
                                          "    listen 127.0.0.1:" + std::to_string(port_) + " ssl http2;\n"
                                          "    ssl_certificate " + ds + "/cert.pem;\n"
                                          "    ssl_certificate_key " + ds + "/key.pem;\n"
                                          "    root " + ds + "/www;\n"
                                          "  }\n"
                                          "}\n");
    const std::vector<std::string> args = {nginx, "-p", ds + "/", "-e", ds + "/error.log", "-c", ds + "/nginx.conf"};
    pid_ = ::fork();
    if (pid_ < 0) {
      error_ = "fork failed";
      return;
    }
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the test
      exec_quietly(args);
    }
    for (int i = 0; i < 500; ++i) {
      if (accepts(port_)) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        error_ = "nginx exited at start: " + testing::read_file(d / "error.log");
        return;
      }
      std::this_thread::sleep_for(10ms);
    }
    error_ = "nginx did not listen on port " + std::to_string(port_) + " within 5 s: " +
             testing::read_file(d / "error.log");
  }

  testing::TempDir dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string error_;
};

const std::string kBody = "hello over HTTP/2\n";

// Fetches every request at once (max_per_host of them in flight) with one
// fetcher of the given mode.
std::vector<FetchResult> fetch_all(const std::vector<Request>& requests, FetchOptions options,
                                   ExecutionMode mode = ExecutionMode::kAsync) {
  runtime::Runtime rt({.mode = mode});
  auto fetcher = mode == ExecutionMode::kSequential ? make_curl_blocking_fetcher(rt, options)
                                                    : make_curl_multi_fetcher(rt, options);
  std::vector<FetchResult> results(requests.size());
  auto one = [&](std::size_t i) -> Task<void> { results[i] = co_await fetcher->fetch(requests[i]); };
  auto main = [&]() -> Task<void> {
    runtime::Scope scope(rt.executor());
    for (std::size_t i = 0; i < requests.size(); ++i) scope.spawn(one(i));
    co_await scope.join();
  };
  rt.run(main());
  return results;
}

std::vector<FetchResult> fetch_all(const std::vector<std::string>& urls, FetchOptions options,
                                   ExecutionMode mode = ExecutionMode::kAsync) {
  std::vector<Request> requests(urls.size());
  for (std::size_t i = 0; i < urls.size(); ++i) requests[i].url = urls[i];
  return fetch_all(requests, std::move(options), mode);
}

TEST(Http2Test, FetchesOverHttp2WithTheServersCertificateAsCaFile) {
  TlsNginx nginx({{"hello.txt", kBody}});
  ASSERT_EQ(nginx.error(), "");
  FetchOptions o;
  o.ca_file = nginx.certificate();
  const auto results = fetch_all({nginx.base_url() + "hello.txt"}, o);
  const FetchResult& r = results[0];
  ASSERT_TRUE(r.ok()) << to_string(r.error->kind) << ": " << r.error->message;
  EXPECT_EQ(r.response.status, 200);
  EXPECT_EQ(r.response.http_version, "2");
  EXPECT_EQ(r.response.body, kBody);
  EXPECT_EQ(r.response.content_length, kBody.size());
  EXPECT_GT(r.response.timings.tls, Duration::zero());
  nginx.stop();
  EXPECT_EQ(nginx.protocols_logged(), std::vector<std::string>{"HTTP/2.0"});
}

TEST(Http2Test, TheBlockingFetcherTrustsTheCaFileToo) {
  TlsNginx nginx({{"hello.txt", kBody}});
  ASSERT_EQ(nginx.error(), "");
  FetchOptions o;
  o.ca_file = nginx.certificate();
  const auto ok = fetch_all({nginx.base_url() + "hello.txt"}, o, ExecutionMode::kSequential);
  ASSERT_TRUE(ok[0].ok()) << ok[0].error->message;
  EXPECT_EQ(ok[0].response.http_version, "2");
  EXPECT_EQ(ok[0].response.body, kBody);
  const auto refused = fetch_all({nginx.base_url() + "hello.txt"}, {}, ExecutionMode::kSequential);
  ASSERT_FALSE(refused[0].ok());
  EXPECT_EQ(refused[0].error->kind, FetchErrorKind::kTls) << refused[0].error->message;
}

// Easy handles are reused from request to request (fetch/detail/curl_hop.h):
// nothing of one request (method, extra headers) may leak into the next. The
// server's log is the witness.
TEST(Http2Test, AReusedHandleCarriesNothingOver) {
  TlsNginx nginx({{"hello.txt", kBody}});
  ASSERT_EQ(nginx.error(), "");
  FetchOptions o;
  o.ca_file = nginx.certificate();
  o.max_per_host = 1;  // one after the other: the same handle each time
  for (ExecutionMode mode : {ExecutionMode::kAsync, ExecutionMode::kSequential}) {
    runtime::Runtime rt({.mode = mode});
    auto fetcher = mode == ExecutionMode::kSequential ? make_curl_blocking_fetcher(rt, o) : make_curl_multi_fetcher(rt, o);
    std::vector<FetchResult> results;
    auto main = [&]() -> Task<void> {
      Request head;
      head.url = nginx.base_url() + "hello.txt";
      head.method = "HEAD";
      head.headers = {{"X-Test", "first"}};
      results.push_back(co_await fetcher->fetch(head));
      Request get;
      get.url = nginx.base_url() + "hello.txt";
      results.push_back(co_await fetcher->fetch(get));
      Request with_header = get;
      with_header.headers = {{"X-Test", "third"}};
      results.push_back(co_await fetcher->fetch(with_header));
    };
    rt.run(main());
    ASSERT_EQ(results.size(), 3u);
    for (const auto& r : results) ASSERT_TRUE(r.ok()) << r.error->message;
    EXPECT_EQ(results[0].response.body, "");
    EXPECT_EQ(results[0].response.content_length, kBody.size());
    EXPECT_EQ(results[1].response.body, kBody);
    EXPECT_EQ(results[2].response.body, kBody);
  }
  nginx.stop();
  const std::string log = testing::read_file(nginx.log_path());
  const std::string expected_one = "HEAD /hello.txt x-test=first HTTP/2.0\n"
                                   "GET /hello.txt x-test=- HTTP/2.0\n"
                                   "GET /hello.txt x-test=third HTTP/2.0\n";
  // Each line starts with the connection number; compare what follows it.
  std::string without_numbers;
  std::stringstream ss(log);
  for (std::string line; std::getline(ss, line);) without_numbers += line.substr(line.find(' ') + 1) + "\n";
  EXPECT_EQ(without_numbers, expected_one + expected_one);
}

TEST(Http2Test, ASelfSignedCertificateFailsVerificationWithoutTheCaFile) {
  TlsNginx nginx({{"hello.txt", kBody}});
  ASSERT_EQ(nginx.error(), "");
  const auto results = fetch_all({nginx.base_url() + "hello.txt"}, {});
  const FetchResult& r = results[0];
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, FetchErrorKind::kTls) << r.error->message;
  EXPECT_FALSE(r.error->retryable());
  EXPECT_EQ(r.response.status, 0);

  // Without verification the same fetch goes through (still HTTP/2).
  FetchOptions unverified;
  unverified.verify_tls = false;
  const auto again = fetch_all({nginx.base_url() + "hello.txt"}, unverified);
  ASSERT_TRUE(again[0].ok()) << again[0].error->message;
  EXPECT_EQ(again[0].response.http_version, "2");
  EXPECT_EQ(again[0].response.body, kBody);
}

TEST(Http2Test, ConcurrentRequestsShareOneMultiplexedConnection) {
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::string> names;
  for (int i = 0; i < 12; ++i) {
    names.push_back("f" + std::to_string(i) + ".txt");
    files.emplace_back(names.back(), "file " + std::to_string(i) + "\n");
  }
  TlsNginx nginx(files);
  ASSERT_EQ(nginx.error(), "");
  FetchOptions o;
  o.ca_file = nginx.certificate();
  o.max_per_host = 12;
  std::vector<std::string> urls;
  for (const auto& n : names) urls.push_back(nginx.base_url() + n);
  const auto results = fetch_all(urls, o);
  for (std::size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << urls[i] << ": " << results[i].error->message;
    EXPECT_EQ(results[i].response.http_version, "2") << urls[i];
    EXPECT_EQ(results[i].response.body, files[i].second) << urls[i];
  }
  nginx.stop();
  // All twelve were in flight at once; the server saw them on one connection.
  EXPECT_EQ(nginx.protocols_logged().size(), 12u);
  EXPECT_EQ(nginx.connections_logged(), 1u);
}

}  // namespace
}  // namespace preheat::fetch
