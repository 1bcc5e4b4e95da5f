#include "serve/metrics.h"

#include <cstdio>

#include "base/version.h"

namespace preheat::serve {

void Counters::record(int status, std::chrono::steady_clock::duration latency) {
  const int cls = status >= 100 && status < 600 ? status / 100 : 0;
  by_class_[static_cast<std::size_t>(cls)].fetch_add(1, std::memory_order_relaxed);
  if (cls == 0) return;  // no answer: no latency to speak of
  const double s = std::chrono::duration<double>(latency).count();
  std::size_t b = 0;
  while (b < kLatencyBucketsS.size() && s > kLatencyBucketsS[b]) ++b;
  latency_[b].fetch_add(1, std::memory_order_relaxed);
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(latency).count();
  latency_sum_ns_.fetch_add(static_cast<std::uint64_t>(ns > 0 ? ns : 0), std::memory_order_relaxed);
}

ServerStats Counters::snapshot() const {
  ServerStats s;
  s.requests = requests.load(std::memory_order_relaxed);
  s.in_flight = in_flight.load(std::memory_order_relaxed);
  s.connections = connections.load(std::memory_order_relaxed);
  s.open_connections = open.load(std::memory_order_relaxed);
  s.db_queued = db_queued.load(std::memory_order_relaxed);
  s.db_running = db_running.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < by_class_.size(); ++i) s.by_class[i] = by_class_[i].load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < latency_.size(); ++i) {
    s.latency_buckets[i] = latency_[i].load(std::memory_order_relaxed);
  }
  s.latency_sum_s = static_cast<double>(latency_sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  return s;
}

namespace {

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const char* name, const std::string& labels, double value) {
  char number[64];
  std::snprintf(number, sizeof number, "%.17g", value);
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += number;
  out += '\n';
}

void sample(std::string& out, const char* name, const std::string& labels, std::uint64_t value) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

// A label value as the format wants it: backslash, quote and newline escaped.
std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string prometheus_text(const ServerStats& s, const MetricsInfo& info) {
  std::string out;
  family(out, "preheat_info", "gauge", "The server's version and model (always 1).");
  sample(out, "preheat_info",
         "version=\"" + label_value(kVersion) + "\",mode=\"" + label_value(info.mode) + "\"", std::uint64_t{1});

  family(out, "preheat_http_requests_total", "counter",
         "HTTP requests answered, by status class (none: ended without an answer).");
  static constexpr const char* kClasses[] = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};
  for (std::size_t i = 0; i < s.by_class.size(); ++i) {
    sample(out, "preheat_http_requests_total", std::string("code=\"") + kClasses[i] + "\"", s.by_class[i]);
  }

  family(out, "preheat_http_request_duration_seconds", "histogram",
         "Time from a complete request to its answer handed to the socket.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kLatencyBucketsS.size(); ++i) {
    cumulative += s.latency_buckets[i];
    char le[32];
    std::snprintf(le, sizeof le, "%g", kLatencyBucketsS[i]);
    sample(out, "preheat_http_request_duration_seconds_bucket", std::string("le=\"") + le + "\"", cumulative);
  }
  cumulative += s.latency_buckets.back();
  sample(out, "preheat_http_request_duration_seconds_bucket", "le=\"+Inf\"", cumulative);
  sample(out, "preheat_http_request_duration_seconds_sum", "", s.latency_sum_s);
  sample(out, "preheat_http_request_duration_seconds_count", "", cumulative);

  family(out, "preheat_http_requests_in_flight", "gauge", "Requests being answered now.");
  sample(out, "preheat_http_requests_in_flight", "", s.in_flight);
  family(out, "preheat_http_connections_total", "counter", "Connections accepted.");
  sample(out, "preheat_http_connections_total", "", s.connections);
  family(out, "preheat_http_connections_open", "gauge", "Connections open now.");
  sample(out, "preheat_http_connections_open", "", s.open_connections);
  family(out, "preheat_db_calls_queued", "gauge", "Database calls waiting for a reader thread.");
  sample(out, "preheat_db_calls_queued", "", s.db_queued);
  family(out, "preheat_db_calls_running", "gauge", "Database calls running now.");
  sample(out, "preheat_db_calls_running", "", s.db_running);
  family(out, "preheat_db_threads", "gauge",
         "Threads that run database calls (async: reader threads; sync: connection threads).");
  sample(out, "preheat_db_threads", "", static_cast<std::uint64_t>(info.db_threads > 0 ? info.db_threads : 0));
  return out;
}

Response metrics_response(const ServerStats& stats, const MetricsInfo& info) {
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = prometheus_text(stats, info);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace preheat::serve
