// StaticSite: the files of a directory (`preheat testsite --root DIR`).
//
//   GET /a/b.html      the file DIR/a/b.html, Content-Type by extension
//   GET /a/            DIR/a/index.html, or 404
//   GET /a             301 to /a/ when DIR/a is a directory (relative links then work)
// The target is percent-decoded first. Nothing outside DIR is served: a ".."
// segment (also spelt %2e%2e) is 403, as is a path whose symlinks lead out of
// DIR; special files (fifos, devices) are 403; what does not exist is 404.
// Files up to 1 MiB are read whole, larger ones streamed. HTML is sent as
// "text/html" without a charset (the document says its own, as with nginx).
//
// Thread safety: immutable after open(); respond() may run on many threads.
// The file system is read on the calling thread: fine for a local test server.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "testsite/site.h"

namespace preheat::testsite {

class StaticSite final : public Site {
 public:
  // Fails when `root` is not a readable directory.
  static Result<std::unique_ptr<StaticSite>> open(const std::filesystem::path& root);

  SiteResponse respond(const SiteRequest& request) const override;

  const std::filesystem::path& root() const { return root_; }

 private:
  explicit StaticSite(std::filesystem::path root) : root_(std::move(root)) {}
  SiteResponse file(const std::filesystem::path& path) const;

  std::filesystem::path root_;  // canonical
};

// The Content-Type for a file name, by its extension (case-insensitive);
// "application/octet-stream" when unknown.
std::string_view content_type_for(std::string_view file_name);

// A request target turned into a path below the root, without touching the
// file system. `error` is 0, or 400 (bad percent-encoding, a NUL byte, not
// starting with '/') or 403 (a ".." segment).
struct StaticTarget {
  std::string relative;         // "a/b.html"; "" for the root
  bool trailing_slash = false;  // the decoded path ends with '/'
  unsigned error = 0;
};
StaticTarget parse_static_target(std::string_view target);

}  // namespace preheat::testsite
