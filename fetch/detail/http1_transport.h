// Http1Transport: preheat's own HTTP/1.1 client for plain http:// URLs (one
// hop, like CurlHop: redirects are followed by the caller). https:// stays
// with libcurl (TLS, HTTP/2 by ALPN).
//
// Why not libcurl for everything (issue 3; docs/benchmarks.md, "The HTTP
// client"): on loopback, against nginx, libcurl 7.88 needs ~71k user-space
// instructions per request on its own (measured with a bare C program: multi
// interface, reused handles, no options), a third of them its printf engine
// building the request head, another part parsing the URL again for every
// request and reading the clock ~38 times; our bridge adds ~40k. That made
// about half of wrk's rate the ceiling. This client sends a request head
// built once (fetch/request_block.h: the same bytes WARC records keep),
// parses the answer with Beast's HTTP parser and keeps connections in its
// own pool, on the runtime's Asio loop with no socket callbacks to bridge.
//
// What it does, the same way the libcurl transport does (the fetch tests run
// against both):
//  - keep-alive: one pool of idle connections per scheme://host:port (at
//    most max_in_flight idle overall); a connection goes back only after a
//    complete response that allows it. A request on a reused connection that
//    fails before any response byte (the server had closed it while idle) is
//    sent once more on a new connection: GET and HEAD are idempotent.
//  - limits: connect timeout, total timeout per hop, stall timeout (no byte
//    for stall_time once the request is sent), header bytes, body bytes on
//    the wire (also refused up front when Content-Length announces more),
//    decoded bytes (content_decoder.h);
//  - the error list of fetch_error.h, timings per phase (dns, connect,
//    first byte, download), the raw response header block, the kept headers
//    (response_headers.h, shared with libcurl's transport);
//  - DNS: IP literals need no lookup; names are resolved with Asio's
//    resolver (getaddrinfo on Asio's resolver thread) and cached 300 s, as
//    libcurl's cache does.
//  - cancellation: the calling task's cancellation aborts the socket
//    operation; the connection is closed (never reused) and
//    operation_aborted is thrown, as Fetcher::fetch promises.
// A proxy set in the environment (http_proxy...) makes make_fetcher use
// libcurl for every URL instead: this client speaks to origin servers only.
//
// Thread safety: one event loop thread; no hop may be in flight when the
// transport is destroyed.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "fetch/detail/curl_hop.h"
#include "fetch/fetch_options.h"
#include "fetch/request.h"
#include "runtime/asio.h"

namespace preheat::fetch::detail {

class Http1Transport {
 public:
  // `options` must outlive the transport.
  Http1Transport(runtime::asio::io_context& loop, const FetchOptions& options);
  ~Http1Transport();
  Http1Transport(const Http1Transport&) = delete;
  Http1Transport& operator=(const Http1Transport&) = delete;

  // Whether this transport takes `url`: "http://", any case.
  static bool handles(std::string_view url);

  // One GET or HEAD of `url` (handles(url) holds).
  runtime::Task<HopResult> hop(const std::string& url, const Request& request);

  // Idle connections kept right now (tests).
  std::size_t idle_connections() const;
  // Closes the idle connections to `site` ("http://host[:port]").
  void close_idle(const std::string& site);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace preheat::fetch::detail
