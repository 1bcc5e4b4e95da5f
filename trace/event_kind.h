// The one list of trace event kinds. Everything in preheat that records a
// span uses one of these; writers and summaries switch over this list only.
//
// Adding a kind: add one X(...) line here (identifier, short name used in
// trace files, what it means) and decide in summary.cc whether it counts as
// working or waiting.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace preheat::trace {

// X(enumerator, name, description)
#define PREHEAT_TRACE_EVENT_KINDS(X)                                                         \
  X(kTask, "task", "a task's lifetime, from the moment it may start to the moment it ends") \
  X(kWork, "work", "a worker thread runs a task's CPU work (counts as execution time)")     \
  X(kWait, "wait", "a task waits for something outside (a timer, the network) while its "   \
                   "worker is free to do other things")                                     \
  X(kBlocked, "blocked", "a task waits while holding its worker: the thread sleeps "        \
                         "(the synchronous baseline)")                                      \
  X(kDns, "dns", "an HTTP request waits for the host name to resolve")                      \
  X(kConnect, "connect", "an HTTP request waits for the TCP connection")                    \
  X(kTls, "tls", "an HTTP request waits for the TLS handshake")                             \
  X(kFirstByte, "first-byte", "an HTTP request was sent; waiting for the first byte back")  \
  X(kDownload, "download", "an HTTP response's body is arriving")

enum class EventKind : std::uint8_t {
#define PREHEAT_X(id, name, desc) id,
  PREHEAT_TRACE_EVENT_KINDS(PREHEAT_X)
#undef PREHEAT_X
};

std::string_view to_string(EventKind kind);
std::string_view describe(EventKind kind);
std::optional<EventKind> parse_event_kind(std::string_view name);

// Work occupies a worker and counts as execution time.
inline bool is_working(EventKind k) { return k == EventKind::kWork; }
// Waiting: time a task spent waiting on the outside world, with or without
// holding a worker.
inline bool is_waiting(EventKind k) { return k != EventKind::kTask && k != EventKind::kWork; }
// Spans that sit on a worker's lane (they occupy that worker).
inline bool occupies_worker(EventKind k) { return k == EventKind::kWork || k == EventKind::kBlocked; }

}  // namespace preheat::trace
