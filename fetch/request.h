// What to fetch.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/asio.h"
#include "trace/trace_data.h"

namespace preheat::fetch {

struct Request {
  std::string url;                 // absolute http or https URL
  std::string method = "GET";      // GET or HEAD
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  bool follow_redirects = true;    // false: a 3xx comes back as the response
  trace::TaskId task = trace::kNoTask;  // whose trace spans the transfer's waits are
  // Asked before each redirect is followed, with its target (resolved and
  // normalised), on the fetching thread (the event loop); a non-empty answer
  // (why not) stops the fetch at that redirect: the 3xx is the response, no
  // error, its chain ends with the refused hop and Response::redirect_refused
  // holds the answer. Unset (the default): every redirect is followed. The
  // crawler uses it for robots.txt (crawl/crawler_redirects.cc).
  std::function<std::string(const std::string& target)> redirect_check;
  // Awaited before each redirect is followed (after redirect_check allowed
  // it), with its target: the crawler waits there for the target host's
  // politeness delay, so that a chain of redirects is spaced like separate
  // requests (Crawl-delay holds for every request the host sees). Unset: the
  // next hop starts at once.
  std::function<runtime::Task<void>(const std::string& target)> before_hop;
};

}  // namespace preheat::fetch
