// CurlBlockingFetcher: one blocking libcurl easy transfer at a time, on the
// calling thread: the honest synchronous baseline of sequential mode (what
// wget does). The thread is blocked for the whole transfer and the trace
// shows it as such. Keep-alive connections and DNS answers are reused across
// requests (one easy handle's connection cache, shared through a CURLSH).
#pragma once

#include <memory>

#include "fetch/fetcher.h"

namespace preheat::fetch {

std::unique_ptr<Fetcher> make_curl_blocking_fetcher(runtime::Runtime& rt, const FetchOptions& options);

}  // namespace preheat::fetch
