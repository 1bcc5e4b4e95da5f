#include "testsite/static_site.h"

#include <array>
#include <cctype>
#include <cerrno>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testsite/civil_date.h"

namespace preheat::testsite {

namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t kReadWholeBytes = std::uintmax_t{1} << 20;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// An open file that closes itself.
class FileHandle {
 public:
  explicit FileHandle(int fd) : fd_(fd) {}
  ~FileHandle() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

bool is_inside(const fs::path& root, const fs::path& p) {
  const std::string& r = root.native();
  const std::string& s = p.native();
  return s == r || (s.size() > r.size() && s.compare(0, r.size(), r) == 0 && (r.back() == '/' || s[r.size()] == '/'));
}

}  // namespace

std::string_view content_type_for(std::string_view file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 30> kTypes = {{
      {"html", "text/html"},        {"htm", "text/html"},       {"xhtml", "application/xhtml+xml"},
      {"css", "text/css"},          {"js", "text/javascript"},  {"mjs", "text/javascript"},
      {"json", "application/json"}, {"txt", "text/plain"},      {"xml", "application/xml"},
      {"csv", "text/csv"},          {"md", "text/markdown"},    {"svg", "image/svg+xml"},
      {"png", "image/png"},         {"jpg", "image/jpeg"},      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},         {"webp", "image/webp"},     {"ico", "image/x-icon"},
      {"pdf", "application/pdf"},   {"woff", "font/woff"},      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},          {"otf", "font/otf"},        {"wasm", "application/wasm"},
      {"mp4", "video/mp4"},         {"webm", "video/webm"},     {"mp3", "audio/mpeg"},
      {"zip", "application/zip"},   {"gz", "application/gzip"}, {"tar", "application/x-tar"},
  }};
  const std::size_t dot = file_name.rfind('.');
  const std::size_t slash = file_name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  std::string ext(file_name.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [e, type] : kTypes) {
    if (e == ext) return type;
  }
  return "application/octet-stream";
}

StaticTarget parse_static_target(std::string_view target) {
  StaticTarget out;
  target = target.substr(0, target.find_first_of("?#"));
  std::string decoded;
  decoded.reserve(target.size());
  for (std::size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (c == '%') {
      const int hi = i + 2 < target.size() ? hex_value(target[i + 1]) : -1;
      const int lo = hi >= 0 ? hex_value(target[i + 2]) : -1;
      if (lo < 0) {
        out.error = 400;
        return out;
      }
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') {
      out.error = 400;
      return out;
    }
    decoded += c;
  }
  if (decoded.empty() || decoded.front() != '/') {
    out.error = 400;
    return out;
  }
  out.trailing_slash = decoded.back() == '/';
  std::string_view rest(decoded);
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      out.error = 403;
      out.relative.clear();
      return out;
    }
    if (!out.relative.empty()) out.relative += '/';
    out.relative += segment;
  }
  return out;
}

Result<std::unique_ptr<StaticSite>> StaticSite::open(const fs::path& root) {
  std::error_code ec;
  const fs::path canonical = fs::canonical(root, ec);
  if (ec) return Status::invalid_argument("root '" + root.string() + "': " + ec.message());
  if (!fs::is_directory(canonical, ec))
    return Status::invalid_argument("root '" + root.string() + "' is not a directory");
  if (::access(canonical.c_str(), R_OK | X_OK) != 0) {
    return Status::invalid_argument("root '" + root.string() + "' cannot be read");
  }
  return std::unique_ptr<StaticSite>(new StaticSite(canonical));
}

SiteResponse StaticSite::respond(const SiteRequest& request) const {
  const StaticTarget t = parse_static_target(request.target);
  if (t.error != 0) return error_response(t.error);
  std::error_code ec;
  fs::path path = fs::canonical(root_ / t.relative, ec);
  if (ec) return error_response(ec == std::errc::permission_denied ? 403 : 404);
  if (!is_inside(root_, path)) return error_response(403, "outside the root");
  if (fs::is_directory(path, ec)) {
    if (!t.trailing_slash) {
      const std::string_view target = request.target.substr(0, request.target.find_first_of("?#"));
      SiteResponse r = error_response(301);
      r.headers.emplace_back("Location", std::string(target) + "/");
      return r;
    }
    path = fs::canonical(path / "index.html", ec);
    if (ec) return error_response(404);
    if (!is_inside(root_, path)) return error_response(403, "outside the root");
  }
  return file(path);
}

SiteResponse StaticSite::file(const fs::path& path) const {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return error_response(errno == EACCES ? 403 : 404);
  auto handle = std::make_shared<FileHandle>(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return error_response(404);
  if (!S_ISREG(st.st_mode)) return error_response(403, "not a regular file");

  SiteResponse r;
  r.headers.emplace_back("Content-Type", std::string(content_type_for(path.filename().native())));
  r.headers.emplace_back("Last-Modified", http_date(st.st_mtim.tv_sec));
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size <= kReadWholeBytes) {
    r.body.resize(size);
    std::size_t got = 0;
    while (got < size) {
      const ssize_t n = ::pread(fd, r.body.data() + got, size - got, static_cast<off_t>(got));
      if (n <= 0) return error_response(403, "cannot read the file");
      got += static_cast<std::size_t>(n);
    }
    return r;
  }
  r.delivery = Delivery::kStream;
  r.content_length = size;
  r.stream = [handle](std::uint64_t offset, std::span<char> out) -> std::size_t {
    const ssize_t n = ::pread(handle->fd(), out.data(), out.size(), static_cast<off_t>(offset));
    return n > 0 ? static_cast<std::size_t>(n) : 0;
  };
  return r;
}

}  // namespace preheat::testsite
