// Fetcher: `co_await fetcher.fetch(request)` gives a FetchResult. Three
// implementations behind this one interface:
//   curl_multi_fetcher.h     libcurl multi on the Asio loop (async, parallel modes)
//   curl_blocking_fetcher.h  libcurl easy, one blocking transfer at a time (sequential)
//   fake_fetcher.h           canned answers, for unit tests
// make_fetcher() picks the real one that fits a runtime's mode.
//
// Thread safety: call fetch() from the runtime's event loop only.
#pragma once

#include <memory>
#include <string>

#include "fetch/fetch_options.h"
#include "fetch/request.h"
#include "fetch/response.h"
#include "runtime/asio.h"

namespace preheat::runtime {
class Runtime;
}

namespace preheat::fetch {

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // Never throws for network or HTTP trouble: that is a FetchError in the
  // result. Throws operation_aborted when the calling task is cancelled
  // (after the transfer has been stopped and cleaned up).
  virtual runtime::Task<FetchResult> fetch(Request request) = 0;
  // Requests in flight right now.
  virtual std::size_t in_flight() const = 0;
  // Closes the idle keep-alive connections to `site` ("scheme://host[:port]")
  // that this fetcher keeps: a fleet worker that handed the host to another
  // one (crawl/frontier.h) must not keep connections open there. Best
  // effort: only preheat's own HTTP/1.1 client (plain http://) can; libcurl
  // drops its own idle connections later.
  virtual void close_idle(const std::string& site) { (void)site; }
};

// Sequential mode: the blocking fetcher; async and parallel: the curl multi
// fetcher on the runtime's loop. `rt` must outlive the fetcher.
std::unique_ptr<Fetcher> make_fetcher(runtime::Runtime& rt, const FetchOptions& options);

}  // namespace preheat::fetch
