// What to fetch.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "trace/trace_data.h"

namespace preheat::fetch {

struct Request {
  std::string url;                 // absolute http or https URL
  std::string method = "GET";      // GET or HEAD
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  bool follow_redirects = true;    // false: a 3xx comes back as the response
  trace::TaskId task = trace::kNoTask;  // whose trace spans the transfer's waits are
};

}  // namespace preheat::fetch
