#include "fetch/fetcher.h"

#include "fetch/curl_blocking_fetcher.h"
#include "fetch/curl_multi_fetcher.h"
#include "runtime/runtime.h"

namespace preheat::fetch {

std::unique_ptr<Fetcher> make_fetcher(runtime::Runtime& rt, const FetchOptions& options) {
  if (rt.mode() == ExecutionMode::kSequential) return make_curl_blocking_fetcher(rt, options);
  return make_curl_multi_fetcher(rt, options);
}

}  // namespace preheat::fetch
