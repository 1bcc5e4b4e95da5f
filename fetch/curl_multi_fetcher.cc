#include "fetch/curl_multi_fetcher.h"

#include <curl/curl.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <unordered_map>

#include "fetch/detail/fetch_core.h"
#include "runtime/event.h"

namespace preheat::fetch {

namespace {

using runtime::Task;
namespace asio = runtime::asio;

// One transfer in the multi handle.
struct Transfer {
  Transfer(const asio::any_io_executor& ex, const FetchOptions& options, const std::string& url, const Request& request)
      : hop(options, url, request), done(ex) {}
  detail::CurlHop hop;
  runtime::Event done;
  detail::HopResult result;
};

// A socket curl asked us to watch. Shared with pending waits, which may
// complete after curl has said CURL_POLL_REMOVE.
struct Watch {
  Watch(asio::io_context& loop, curl_socket_t fd) : fd(fd), descriptor(loop, fd) {}
  curl_socket_t fd;
  asio::posix::stream_descriptor descriptor;  // never closes fd: released on remove
  bool want_read = false;
  bool want_write = false;
  bool read_pending = false;
  bool write_pending = false;
  bool removed = false;
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
    hop_ = [this](const std::string& url, const Request& request) { return transfer(url, request); };
  }

  ~CurlMultiFetcher() override {
    *alive_ = false;
    timer_.cancel();
    curl_multi_cleanup(multi_);  // may call on_socket(REMOVE) for cached connections
    for (auto& [fd, w] : watches_) {
      w->descriptor.release();
    }
  }

  Task<FetchResult> fetch(Request request) override { co_return co_await core_.fetch(std::move(request), hop_); }
  std::size_t in_flight() const override { return core_.in_flight(); }

 private:
  Task<detail::HopResult> transfer(const std::string& url, const Request& request) {
    auto t = std::make_unique<Transfer>(loop_.get_executor(), core_.options(), url, request);
    curl_easy_setopt(t->hop.easy(), CURLOPT_PRIVATE, t.get());
    const CURLMcode added = curl_multi_add_handle(multi_, t->hop.easy());
    if (added != CURLM_OK) {
      detail::HopResult r;
      r.response.url = url;
      r.error = FetchError{FetchErrorKind::kProtocol, curl_multi_strerror(added), 0, {}};
      co_return r;
    }
    std::exception_ptr cancelled;
    try {
      co_await t->done.wait();
    } catch (...) {
      cancelled = std::current_exception();
    }
    if (cancelled) {
      // Stop the transfer now: the easy handle dies with `t`.
      if (!t->done.is_set()) curl_multi_remove_handle(multi_, t->hop.easy());
      std::rethrow_exception(cancelled);
    }
    co_return std::move(t->result);
  }

  // ---- curl -> Asio ----

  static int on_socket(CURL*, curl_socket_t fd, int what, void* self_ptr, void*) {
    auto* self = static_cast<CurlMultiFetcher*>(self_ptr);
    if (what == CURL_POLL_REMOVE) {
      auto it = self->watches_.find(fd);
      if (it != self->watches_.end()) {
        it->second->removed = true;
        boost::system::error_code ignored;
        it->second->descriptor.cancel(ignored);
        it->second->descriptor.release();  // synchronously: curl may close or reuse fd
        self->watches_.erase(it);
      }
      return 0;
    }
    auto& w = self->watches_[fd];
    if (!w) w = std::make_shared<Watch>(self->loop_, fd);
    w->want_read = (what & CURL_POLL_IN) != 0;
    w->want_write = (what & CURL_POLL_OUT) != 0;
    self->arm(w);
    return 0;
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
  // re-arms (curl may have changed what it wants meanwhile).
  void arm_direction(const std::shared_ptr<Watch>& w, asio::posix::descriptor_base::wait_type type,
                     bool Watch::*want, bool Watch::*pending, int select) {
    if (!((*w).*want) || (*w).*pending) return;
    (*w).*pending = true;
    w->descriptor.async_wait(type, [this, w, want, pending, select](boost::system::error_code ec) {
      (*w).*pending = false;
      if (ec || w->removed || !((*w).*want)) return;
      act(w->fd, select);
      if (!w->removed) arm(w);
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
      t->done.set();  // the waiting coroutine resumes through a post
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
  detail::FetchCore::Hop hop_;
};

}  // namespace

std::unique_ptr<Fetcher> make_curl_multi_fetcher(runtime::Runtime& rt, const FetchOptions& options) {
  return std::make_unique<CurlMultiFetcher>(rt, options);
}

}  // namespace preheat::fetch
