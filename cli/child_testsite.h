// A `preheat testsite` child process (the same binary), for demos that need a
// website with latency: a separate process, so that the crawler's execution
// time (its process CPU time) does not include the server's.
//
// Thread safety: one thread.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

#include "base/status.h"

namespace preheat::cli {

class ChildTestsite {
 public:
  // Starts `preheat testsite --listen 127.0.0.1:0 ARGS...` and waits for its
  // "listening on URL" line.
  static Result<ChildTestsite> start(const std::vector<std::string>& args);
  ChildTestsite(ChildTestsite&& other) noexcept;
  ChildTestsite& operator=(ChildTestsite&&) = delete;
  ChildTestsite(const ChildTestsite&) = delete;
  ~ChildTestsite();  // SIGTERM, then waits for it

  const std::string& url() const { return url_; }

 private:
  ChildTestsite(pid_t pid, std::string url) : pid_(pid), url_(std::move(url)) {}
  pid_t pid_ = -1;
  std::string url_;
};

}  // namespace preheat::cli
