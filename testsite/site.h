// Site: what the testsite serves, as a pure function from a request to a
// response description. Two implementations: SiteModel (the synthetic site,
// site_model.h) and StaticSite (a directory, static_site.h). The server
// (server.h) does the I/O: it reads requests, asks the Site, applies the
// delivery (send it all, stream it, reset or stall mid-body) and the latency.
//
// Thread safety: respond() is const and must be safe to call from several
// threads at once (the server may run several io threads).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace preheat::testsite {

struct SiteRequest {
  // Origin form: path and optional query ("/list?sort=asc&page=5"), as sent.
  std::string_view target;
  // The Host header as sent ("127.0.0.1:8080", "LocalHost:8080"); absolute
  // links and robots.txt's Sitemap line are written with it.
  std::string_view host;
  // Seconds since the Unix epoch, for HTTP-dates (429's Retry-After). Passed
  // in so that responses stay a pure function of the request.
  std::int64_t now_unix = 0;
};

// How the body leaves the server.
enum class Delivery {
  kWhole,       // `body` (or `shared_body`) in full
  kStream,      // `content_length` bytes produced by `stream`, in chunks (never all in memory)
  kResetAfter,  // `body`, then a TCP reset although Content-Length promised `content_length`
  kStallAfter,  // `body`, then nothing for `stall`, then close (Content-Length promised more)
};

// Writes the body bytes at [offset, offset + out.size()) into `out`; returns
// how many it wrote (less than asked only at the end or on a read error).
using BodyStream = std::function<std::size_t(std::uint64_t offset, std::span<char> out)>;

struct SiteResponse {
  unsigned status = 200;
  // Besides Content-Length, Connection and Server, which the server adds.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // kWhole: when set, sent instead of `body` (large precomputed bodies: the gzip bomb).
  std::shared_ptr<const std::string> shared_body;
  Delivery delivery = Delivery::kWhole;
  // What Content-Length says for kStream, kResetAfter and kStallAfter (kWhole: the body's size).
  std::uint64_t content_length = 0;
  std::chrono::milliseconds stall{0};  // kStallAfter
  BodyStream stream;                   // kStream

  // The header's value, or "" (names compared case-insensitively).
  std::string_view header(std::string_view name) const;
  // The Content-Length the server will send.
  std::uint64_t declared_length() const;
};

class Site {
 public:
  virtual ~Site() = default;
  // The response to a GET of `request` (the server strips the body for HEAD).
  virtual SiteResponse respond(const SiteRequest& request) const = 0;
};


// A small HTML error page: "<!DOCTYPE html>...<h1>404 Not Found</h1>...".
SiteResponse error_response(unsigned status, std::string_view detail = {});

}  // namespace preheat::testsite
