// Router: from a request's method and target to what answers it. Pure: it
// decides, it does not run the database.
//
//   route(method, target) -> an immediate Response (healthz, 400, 404, 405,
//                            414), a Routed handler that needs the store, or
//                            a ServerPage (/metrics)
//
// Routes (HTML for people, JSON under /api):
//   /            a page lookup box and the crawl's figures
//   /healthz     "ok" (no database)
//   /metrics     the server's counters, Prometheus text (no database;
//                answered by the server: a ServerPage)
//   /export.warc.gz  the crawl as a WARC archive, streamed in chunks (a
//                ServerPage: the server streams it, serve/warc_download.h)
//   /stats       /api/stats    the crawl's figures (CrawlStats)
//   /page?url=   /api/page?url=  a page: status, title, size, timings,
//                redirects, out-links and in-links with their status
//   /broken      /api/broken   failing targets and the pages linking to them
//   /timeline    /api/timeline?run=ID  a run's fetches over time (the latest
//                run without ?run)
//
// Thread safety: route() is pure; run_handler as its reader.
#pragma once

#include <string_view>
#include <variant>

#include "runtime/asio.h"
#include "serve/request.h"
#include "serve/serve_reader.h"
#include "serve/serve_options.h"
#include "store/crawl_store.h"

namespace preheat::serve {

// A handler: (request, what it reads) -> response (handlers.h). A coroutine
// on an io thread (async mode; its reads go where serve_reader.h says), or
// run to completion on the connection's thread (sync mode).
using Handler = runtime::Task<Response> (*)(const Request&, ServeReader&);

struct Routed {
  Request request;
  Handler handler = nullptr;
};

// A page the server answers from its own state, without the database.
enum class ServerPage { kMetrics, kExportWarc };

std::variant<Response, Routed, ServerPage> route(std::string_view method, std::string_view target, const ServeLimits& limits);

// Runs a routed handler; a store failure becomes a 500 naming it, an
// exception a 500 (never a crash).
runtime::Task<Response> run_handler(const Routed& routed, ServeReader& db);
// The same on the calling thread with `store` called directly (StoreReader):
// the sync server, and tests of the handlers without a server.
Response run_handler(const Routed& routed, store::CrawlStore& store);

}  // namespace preheat::serve
