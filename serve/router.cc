#include "serve/router.h"

// run_handler(routed, store) co_spawns an Asio frame: GCC 12 pairs its
// aligned new with the frame's sized delete and warns, a false positive (see
// crawl/crawler.cc). Silenced here only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <exception>
#include <optional>

#include "serve/handlers.h"
#include "serve/store_reader.h"

namespace preheat::serve {
namespace {

struct Route {
  std::string_view path;
  Handler handler;
};

constexpr Route kRoutes[] = {
    {"/", html_index},          {"/stats", html_stats},   {"/api/stats", api_stats}, {"/page", html_page},
    {"/api/page", api_page},    {"/broken", html_broken}, {"/api/broken", api_broken},
    {"/timeline", html_timeline}, {"/api/timeline", api_timeline},
    {"/search", html_search},   {"/api/search", api_search},
};

bool is_api(std::string_view path) { return path.starts_with("/api/"); }

}  // namespace

std::variant<Response, Routed, ServerPage> route(std::string_view method, std::string_view target, const ServeLimits& limits) {
  if (target.size() > limits.max_target_bytes) {
    return error_response(414, "the request target is longer than " + std::to_string(limits.max_target_bytes) +
                                   " bytes");
  }
  const bool head = method == "HEAD";
  if (method != "GET" && !head) {
    Response r = error_response(405, "only GET and HEAD are served here");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  std::optional<Request> request = parse_target(target);
  if (!request) return error_response(400, "the request target is not a valid path and query");
  request->head = head;
  if (request->path == "/healthz") {
    Response r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "ok\n";
    return r;
  }
  if (request->path == "/metrics") return ServerPage::kMetrics;
  if (request->path == "/export.warc.gz") return ServerPage::kExportWarc;
  for (const Route& route : kRoutes) {
    if (route.path == request->path) return Routed{std::move(*request), route.handler};
  }
  return error_response(404, "no such page here", is_api(request->path));
}

runtime::Task<Response> run_handler(const Routed& routed, ServeReader& db) {
  std::string failure;
  try {
    co_return co_await routed.handler(routed.request, db);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  co_return error_response(500, failure, is_api(routed.request.path));
}

Response run_handler(const Routed& routed, store::CrawlStore& store) {
  // One io_context per thread, reused: StoreReader never suspends, so run()
  // returns as soon as the handler has answered.
  thread_local runtime::asio::io_context context(1);
  StoreReader reader(store);
  std::optional<Response> out;
  auto done = [&out](std::exception_ptr error, Response r) {
    if (!error) out = std::move(r);
  };
  context.restart();
  runtime::asio::co_spawn(context, run_handler(routed, reader), done);
  context.run();
  if (!out) return error_response(500, "the handler did not answer", is_api(routed.request.path));
  return std::move(*out);
}

}  // namespace preheat::serve
