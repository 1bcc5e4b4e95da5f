#include "fetch/curl_multi_fetcher.h"

#include <curl/curl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fetch/detail/fetch_core.h"
#include "fetch/detail/http1_transport.h"
#include "fetch/detail/proxy_environment.h"
#include "runtime/event.h"

namespace preheat::fetch {

namespace {

using runtime::Task;
namespace asio = runtime::asio;

// One transfer in the multi handle. Transfers (and their easy handles) are
// kept for the next request once finished: see curl_hop.h.
struct Transfer {
  // `sockets` receives curl's open/close socket callbacks (see Watch).
  Transfer(const FetchOptions& options, void* sockets, curl_opensocket_callback open_socket,
           curl_closesocket_callback close_socket)
      : hop(options) {
    CURL* easy = hop.easy();
    curl_easy_setopt(easy, CURLOPT_PRIVATE, this);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, sockets);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, close_socket);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, sockets);
  }
  detail::CurlHop hop;
  std::optional<runtime::Event> done;  // one per transfer (an Event fires once)
  detail::HopResult result;
};

// A socket curl asked us to watch. Shared with pending waits, which may
// complete after curl has said CURL_POLL_REMOVE.
//
// A connection socket (one curl opened through on_open_socket) keeps its
// Watch, and its registration with the event loop, from CURL_POLL_REMOVE
// until curl closes it through on_close_socket: a keep-alive connection goes
// back to curl's cache after every response and is announced again by the
// next request, and a fresh registration each time cost four system calls
// (epoll ADD, ioctl FIONBIO, MOD, DEL) per request. The danger DESIGN.md
// warns of, a registration outliving its fd, cannot happen: curl closes those
// sockets only through on_close_socket, which releases the Watch first. Other
// sockets (the threaded resolver's AF_UNIX pair) are released on
// CURL_POLL_REMOVE, synchronously, as before.
struct Watch {
  Watch(asio::io_context& loop, curl_socket_t fd) : fd(fd), descriptor(loop, fd) {}
  curl_socket_t fd;
  asio::posix::stream_descriptor descriptor;  // never closes fd: released first
  bool want_read = false;
  bool want_write = false;
  bool read_pending = false;
  bool write_pending = false;
  bool active = false;  // curl wants it watched (announced, not removed since)
  bool closed = false;  // released: the fd is not ours to touch any more
};

class CurlMultiFetcher final : public Fetcher {
 public:
  CurlMultiFetcher(runtime::Runtime& rt, const FetchOptions& options)
      : core_(rt, options), loop_(rt.loop()), timer_(rt.loop()) {
    detail::ensure_curl_initialised();
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlMultiFetcher::on_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlMultiFetcher::on_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    // Connections kept for reuse: enough for every in-flight request.
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(options.max_in_flight + 16));
    if (core_.options().native_http1 && !detail::http_proxy_configured()) {
      http1_ = std::make_unique<detail::Http1Transport>(loop_, core_.options());
    }
    hop_ = [this](const std::string& url, const Request& request) {
      if (http1_ && detail::Http1Transport::handles(url)) return http1_->hop(url, request);
      return transfer(url, request);
    };
    idle_limit_ = std::max<std::size_t>(1, options.max_in_flight);
  }

  ~CurlMultiFetcher() override {
    *alive_ = false;
    timer_.cancel();
    curl_multi_cleanup(multi_);  // may call on_socket(REMOVE) and on_close_socket for cached connections
    for (auto& [fd, w] : watches_) release(*w);
    idle_.clear();  // easy handles outside the (now gone) multi handle
  }

  // Not a coroutine itself: the core's coroutine is the fetch.
  Task<FetchResult> fetch(Request request) override { return core_.fetch(std::move(request), hop_); }
  std::size_t in_flight() const override { return core_.in_flight(); }
  void close_idle(const std::string& site) override {
    if (http1_) http1_->close_idle(site);
  }

 private:
  Task<detail::HopResult> transfer(const std::string& url, const Request& request) {
    std::unique_ptr<Transfer> t = take_transfer();
    t->hop.start(url, request);
    t->done.emplace(loop_.get_executor());
    const CURLMcode added = curl_multi_add_handle(multi_, t->hop.easy());
    if (added != CURLM_OK) {
      detail::HopResult r;
      r.response.url = url;
      r.response.final_url = url;
      r.error = FetchError{FetchErrorKind::kProtocol, curl_multi_strerror(added), 0, {}};
      co_return r;
    }
    std::exception_ptr cancelled;
    try {
      co_await t->done->wait();
    } catch (...) {
      cancelled = std::current_exception();
    }
    if (cancelled) {
      // Stop the transfer now: the easy handle dies with `t`.
      if (!t->done->is_set()) curl_multi_remove_handle(multi_, t->hop.easy());
      std::rethrow_exception(cancelled);
    }
    // The transfer goes back to the pool after its result has been moved
    // into the coroutine's return value (one move, not two).
    struct GiveBack {
      CurlMultiFetcher* fetcher;
      std::unique_ptr<Transfer>& transfer;
      ~GiveBack() { fetcher->give_back(std::move(transfer)); }
    } give_back_on_exit{this, t};
    co_return std::move(t->result);
  }

  std::unique_ptr<Transfer> take_transfer() {
    if (idle_.empty()) {
      return std::make_unique<Transfer>(core_.options(), this, &CurlMultiFetcher::on_open_socket,
                                        &CurlMultiFetcher::on_close_socket);
    }
    std::unique_ptr<Transfer> t = std::move(idle_.back());
    idle_.pop_back();
    return t;
  }

  // Keeps a finished transfer's handle for the next request (as many as may
  // be in flight at once).
  void give_back(std::unique_ptr<Transfer> t) {
    t->done.reset();
    if (idle_.size() < idle_limit_) idle_.push_back(std::move(t));
  }

  // ---- curl -> Asio ----

  static int on_socket(CURL*, curl_socket_t fd, int what, void* self_ptr, void*) {
    auto* self = static_cast<CurlMultiFetcher*>(self_ptr);
    auto it = self->watches_.find(fd);
    if (what == CURL_POLL_REMOVE) {
      if (it == self->watches_.end()) return 0;
      Watch& w = *it->second;
      w.active = false;
      w.want_read = false;
      w.want_write = false;
      if (self->connection_sockets_.contains(fd)) {
        // Kept registered until curl closes it; pending waits end now (they
        // would keep the event loop running).
        boost::system::error_code ignored;
        w.descriptor.cancel(ignored);
      } else {
        self->release(w);  // synchronously: curl may close or reuse fd
        self->watches_.erase(it);
      }
      return 0;
    }
    if (it != self->watches_.end() && !it->second->active && !self->connection_sockets_.contains(fd)) {
      // A kept Watch whose fd curl closed without telling us (never seen;
      // the number now names another socket): start afresh.
      self->release(*it->second);
      self->watches_.erase(it);
      it = self->watches_.end();
    }
    if (it == self->watches_.end()) it = self->watches_.emplace(fd, std::make_shared<Watch>(self->loop_, fd)).first;
    const std::shared_ptr<Watch>& w = it->second;
    w->active = true;
    w->want_read = (what & CURL_POLL_IN) != 0;
    w->want_write = (what & CURL_POLL_OUT) != 0;
    self->arm(w);
    return 0;
  }

  // curl opens its connection sockets here, so that we know which fds it
  // will close through on_close_socket (see Watch).
  static curl_socket_t on_open_socket(void* self_ptr, curlsocktype purpose, curl_sockaddr* address) {
    auto* self = static_cast<CurlMultiFetcher*>(self_ptr);
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    // Close-on-exec: a child process (the demo's testsite) must not inherit connections.
    const curl_socket_t fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    if (fd == CURL_SOCKET_BAD) return fd;
    if (auto it = self->watches_.find(fd); it != self->watches_.end()) {
      // A Watch left from an fd closed behind our back: never trust it.
      self->release(*it->second);
      self->watches_.erase(it);
    }
    self->connection_sockets_.insert(fd);
    return fd;
  }

  static int on_close_socket(void* self_ptr, curl_socket_t fd) {
    auto* self = static_cast<CurlMultiFetcher*>(self_ptr);
    self->connection_sockets_.erase(fd);
    if (auto it = self->watches_.find(fd); it != self->watches_.end()) {
      self->release(*it->second);  // before the fd number can be reused
      self->watches_.erase(it);
    }
    return ::close(fd);
  }

  // Stops watching w's fd for good, without closing it; pending waits end
  // with operation_aborted and see `closed`.
  void release(Watch& w) {
    w.closed = true;
    w.active = false;
    boost::system::error_code ignored;
    w.descriptor.cancel(ignored);
    w.descriptor.release();
  }

  static int on_timer(CURLM*, long timeout_ms, void* self_ptr) {
    auto* self = static_cast<CurlMultiFetcher*>(self_ptr);
    // Never call curl_multi_socket_action from here: schedule it. curl asks
    // for a new timeout many times per transfer, and every re-armed Asio timer
    // reprograms the kernel's timerfd (a third of the CPU on a load run), so:
    //  - "now" (0 ms) is a post, not a timer;
    //  - a pending timer that fires no later than asked is kept (an early
    //    socket_action(TIMEOUT) is harmless: curl then asks again);
    //  - "no timeout" (-1: nothing left to time) cancels the pending timer,
    //    which would otherwise keep the event loop (and Runtime::run) alive
    //    until it fired.
    if (timeout_ms < 0) {
      if (self->timer_pending_) {
        self->timer_pending_ = false;
        self->timer_.cancel();
      }
      return 0;
    }
    if (timeout_ms == 0) {
      if (!self->run_now_posted_) {
        self->run_now_posted_ = true;
        asio::post(self->loop_, [self, alive = self->alive_] {
          if (!*alive) return;
          self->run_now_posted_ = false;
          self->act(CURL_SOCKET_TIMEOUT, 0);
        });
      }
      return 0;
    }
    const auto due = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    if (self->timer_pending_ && self->timer_.expiry() <= due) return 0;
    self->timer_.expires_at(due);
    self->timer_pending_ = true;
    self->timer_.async_wait([self, alive = self->alive_](boost::system::error_code ec) {
      if (ec || !*alive) return;  // re-armed (a new wait is pending) or shut down
      self->timer_pending_ = false;
      self->act(CURL_SOCKET_TIMEOUT, 0);
    });
    return 0;
  }

  void arm(const std::shared_ptr<Watch>& w) {
    arm_direction(w, asio::posix::descriptor_base::wait_read, &Watch::want_read, &Watch::read_pending, CURL_CSELECT_IN);
    arm_direction(w, asio::posix::descriptor_base::wait_write, &Watch::want_write, &Watch::write_pending,
                  CURL_CSELECT_OUT);
  }

  // Waits for one direction while curl wants it; then lets curl act and
  // re-arms (curl may have changed what it wants meanwhile). A wait cancelled
  // by CURL_POLL_REMOVE re-arms too if curl announced the socket again before
  // the cancellation arrived.
  void arm_direction(const std::shared_ptr<Watch>& w, asio::posix::descriptor_base::wait_type type,
                     bool Watch::*want, bool Watch::*pending, int select) {
    if (!w->active || !((*w).*want) || (*w).*pending) return;
    (*w).*pending = true;
    w->descriptor.async_wait(type, [this, w, want, pending, select](boost::system::error_code ec) {
      (*w).*pending = false;
      if (w->closed) return;
      if (ec && ec != asio::error::operation_aborted) {
        // The descriptor itself failed: let curl find out what happened.
        if (w->active) act(w->fd, CURL_CSELECT_ERR);
        return;
      }
      if (!ec && w->active && (*w).*want) act(w->fd, select);
      if (!w->closed) arm(w);
    });
  }

  void act(curl_socket_t fd, int events) {
    int running = 0;
    curl_multi_socket_action(multi_, fd, events, &running);
    collect_finished();
  }

  void collect_finished() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      const CURLcode code = msg->data.result;
      Transfer* t = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &t);
      curl_multi_remove_handle(multi_, easy);
      if (t == nullptr) continue;
      t->result = t->hop.finish(code);
      t->done->set();  // the waiting coroutine resumes through a post
    }
  }

  detail::FetchCore core_;
  asio::io_context& loop_;
  asio::steady_timer timer_;
  bool timer_pending_ = false;
  bool run_now_posted_ = false;
  // False once the fetcher is gone: posted work and timer handlers check it.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  CURLM* multi_ = nullptr;
  std::unordered_map<curl_socket_t, std::shared_ptr<Watch>> watches_;
  // Sockets curl opened through on_open_socket and has not closed yet.
  std::unordered_set<curl_socket_t> connection_sockets_;
  detail::FetchCore::Hop hop_;
  // Plain http:// URLs, unless options.native_http1 is off (see the header).
  std::unique_ptr<detail::Http1Transport> http1_;
  // Finished transfers kept for reuse (their easy handles are idle).
  std::vector<std::unique_ptr<Transfer>> idle_;
  std::size_t idle_limit_ = 0;
};

}  // namespace

std::unique_ptr<Fetcher> make_curl_multi_fetcher(runtime::Runtime& rt, const FetchOptions& options) {
  return std::make_unique<CurlMultiFetcher>(rt, options);
}

}  // namespace preheat::fetch
