// CurlMultiFetcher: libcurl's multi interface driven by the runtime's Asio
// event loop (multi_socket: curl says which sockets it wants watched and
// when its timer is due; Asio waits; curl does the I/O). Many transfers in
// flight on one thread, keep-alive connections and the DNS cache shared.
//
// The pitfalls (DESIGN.md section 5) and how this file avoids them:
//  - curl owns the sockets: they are watched through non-owning
//    posix::stream_descriptors that are release()d synchronously on
//    CURL_POLL_REMOVE (curl re-announces the same fd later for a cached
//    connection; its threaded resolver announces AF_UNIX fds too).
//  - curl_multi_socket_action is never called from inside a curl callback:
//    the timer callback only arms an Asio timer (0 ms = due now).
//  - waits are re-armed after each action for as long as curl wants that
//    direction.
//  - finished transfers wake their coroutine through an Event (a post).
//
// Plain http:// URLs go to preheat's own HTTP/1.1 client on the same loop
// (detail/http1_transport.h: half of libcurl's CPU per request) unless
// FetchOptions::native_http1 is off or the environment names a proxy;
// https:// always goes to libcurl (TLS, HTTP/2). Redirects between the two
// are followed across them (FetchCore picks the transport per hop).
//
// Thread safety: everything on the runtime's event loop.
#pragma once

#include <memory>

#include "fetch/fetcher.h"

namespace preheat::fetch {

// `rt` must outlive the fetcher; no fetch may be in flight when it is destroyed.
std::unique_ptr<Fetcher> make_curl_multi_fetcher(runtime::Runtime& rt, const FetchOptions& options);

}  // namespace preheat::fetch
