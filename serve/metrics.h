// /metrics: the server's counters (server_stats.h) in the Prometheus text
// exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
//   preheat_info{version,mode}                      gauge, always 1
//   preheat_http_requests_total{code="2xx"...}      counter, answered requests by status class
//                                                   ("none": ended without an answer)
//   preheat_http_request_duration_seconds           histogram (kLatencyBucketsS)
//   preheat_http_requests_in_flight                 gauge
//   preheat_http_connections_total                  counter
//   preheat_http_connections_open                   gauge
//   preheat_db_calls_queued                         gauge, waiting for a reader thread
//   preheat_db_calls_running                        gauge
//   preheat_db_threads                              gauge, reader threads (sync: connection threads)
//
// /metrics is answered by the server itself, without the database, so it
// stays fast when the database is slow or its pool is saturated.
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include "serve/request.h"
#include "serve/server_stats.h"

namespace preheat::serve {

struct MetricsInfo {
  std::string mode;  // "async" | "sync"
  int db_threads = 0;
};

std::string prometheus_text(const ServerStats& stats, const MetricsInfo& info);

// The /metrics answer (text/plain; version=0.0.4).
Response metrics_response(const ServerStats& stats, const MetricsInfo& info);

}  // namespace preheat::serve
