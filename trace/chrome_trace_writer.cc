#include "trace/chrome_trace_writer.h"

#include "base/utf8.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <queue>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace preheat::trace {

namespace {

// The JSON is streamed: events are appended to a small buffer that goes to
// the ostream every kFlushBytes. No document tree is ever built, because a
// run may have a million spans; the only per-span memory is one index per
// span for sorting lanes and waits.
constexpr std::size_t kFlushBytes = 1 << 16;
// A flow end point sits this far inside its slice (at most half the slice),
// so that viewers bind it to that slice and not to its neighbour.
constexpr std::int64_t kFlowInsetNs = 1000;


// Appends JSON text to a buffer that goes to the ostream every kFlushBytes.
// Every method returns *this, so one event reads as one chain.
class JsonStream {
 public:
  explicit JsonStream(std::ostream& out) : out_(out) { buf_.reserve(kFlushBytes + 1024); }

  JsonStream& raw(std::string_view s) { return buf_.append(s), *this; }

  // One quoted JSON string holding a followed by b.
  JsonStream& str(std::string_view a, std::string_view b = {}) {
    buf_ += '"';
    escape(a);
    escape(b);
    return buf_ += '"', *this;
  }

  template <class Int>
  JsonStream& integer(Int v) {
    char tmp[24];
    return buf_.append(tmp, std::to_chars(tmp, tmp + sizeof tmp, v).ptr), *this;
  }

  // Shortest text that reads back as v; null when v is not finite.
  JsonStream& real(double v) {
    if (!std::isfinite(v)) return raw("null");
    char tmp[32];
    return buf_.append(tmp, std::to_chars(tmp, tmp + sizeof tmp, v).ptr), *this;
  }

  // Nanoseconds as microseconds, exactly: 1500 -> 1.5, -2000 -> -2.
  JsonStream& micros(std::int64_t ns) {
    const std::uint64_t mag = ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
    if (ns < 0) buf_ += '-';
    integer(mag / 1000);
    unsigned frac = static_cast<unsigned>(mag % 1000);
    if (frac != 0) buf_ += '.';
    for (unsigned div = 100; frac != 0; div /= 10) {
      buf_ += static_cast<char>('0' + frac / div);
      frac %= div;
    }
    return *this;
  }

  // Opens the next element of the traceEvents array.
  JsonStream& next_event() {
    if (buf_.size() >= kFlushBytes) flush();
    buf_ += first_ ? "\n{" : ",\n{";
    return first_ = false, *this;
  }

  bool finish() {
    flush();
    out_.flush();
    return static_cast<bool>(out_);
  }

 private:
  void flush() {
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }

  void escape(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      const std::size_t n = c < 0x80 ? 1 : utf8_length(s, i);
      if (c == '"' || c == '\\') {
        (buf_ += '\\') += static_cast<char>(c);
      } else if (c < 0x20) {
        ((buf_ += "\\u00") += kHex[c >> 4]) += kHex[c & 0xF];
      } else if (n > 0) {
        buf_.append(s.substr(i, n));
      } else {
        buf_.append(kReplacementChar);
      }
      i += std::max<std::size_t>(n, 1);
    }
  }

  std::ostream& out_;
  std::string buf_;
  bool first_ = true;
};

bool on_lane(const Span& s) { return occupies_worker(s.kind) && s.lane != kNoLane; }
std::uint64_t lane_tid(LaneId lane) { return std::uint64_t{lane} + 1; }
std::int64_t inset(std::int64_t dur) { return std::min(kFlowInsetNs, std::max<std::int64_t>(dur, 0) / 2); }

// A span's label: its task's name, else "task N", else its kind.
std::string_view label(const TraceData& d, const Span& s, std::string& scratch) {
  const std::string& name = d.task_name(s.task);
  if (!name.empty()) return name;
  scratch = s.task == kNoTask ? std::string(to_string(s.kind)) : "task " + std::to_string(s.task);
  return scratch;
}

// Thread ids of the two pseudo-threads, after every lane's tid.
struct Tids {
  std::uint64_t tasks = 0;  // async task lifetimes
  std::uint64_t waits = 0;  // async waits that hold no worker
  bool has_tasks = false;
  bool has_waits = false;
  std::uint64_t wait_id_base = 0;  // wait ids start here, above every task id
};

Tids plan_tids(const TraceData& d) {
  Tids t;
  std::uint64_t lanes = d.lanes.size();
  std::uint64_t task_ids = d.tasks.size();
  for (const Span& s : d.spans) {
    if (on_lane(s)) {
      lanes = std::max(lanes, std::uint64_t{s.lane} + 1);
    } else if (s.kind == EventKind::kTask) {
      t.has_tasks = true;
      task_ids = std::max(task_ids, std::uint64_t{s.task} + 1);
    } else {
      t.has_waits = true;
    }
  }
  t.tasks = lanes + 1;
  t.waits = lanes + 2;
  t.wait_id_base = task_ids;
  return t;
}

// Where a dependency arrow may attach to one task.
struct Endpoints {
  bool has_slice = false;  // first/last lane slices, after clamping
  std::uint64_t first_tid = 0, last_tid = 0;
  std::int64_t first_start = 0, first_end = 0, last_start = 0, last_end = 0;
  bool has_span = false;  // fallback: the task span, else any span
  bool has_task_span = false;
  std::int64_t task_start = 0, task_end = 0, any_start = 0, any_end = 0;
};
using EndpointMap = std::unordered_map<TaskId, Endpoints>;

EndpointMap collect_endpoints(const TraceData& d) {
  EndpointMap ends;
  if (d.edges.empty()) return ends;
  for (const Edge& e : d.edges) {
    ends.try_emplace(e.from);
    ends.try_emplace(e.to);
  }
  for (const Span& s : d.spans) {
    auto it = ends.find(s.task);
    if (it == ends.end()) continue;
    Endpoints& e = it->second;
    e.any_start = e.has_span ? std::min(e.any_start, s.start_ns) : s.start_ns;
    e.any_end = e.has_span ? std::max(e.any_end, s.end_ns) : s.end_ns;
    e.has_span = true;
    if (s.kind == EventKind::kTask && !e.has_task_span) {
      e.has_task_span = true;
      e.task_start = s.start_ns;
      e.task_end = s.end_ns;
    }
  }
  return ends;
}

// Writes the fields every event shares: {"ph":..,"pid":1,"tid":..,"ts":..
JsonStream& head(JsonStream& js, char ph, std::uint64_t tid, std::int64_t ts_ns) {
  const char phase[] = {ph, '\0'};
  js.next_event().raw("\"ph\":\"").raw(phase).raw("\",\"pid\":1,\"tid\":").integer(tid);
  return js.raw(",\"ts\":").micros(ts_ns);
}

void thread_meta(JsonStream& js, std::uint64_t tid, std::string_view name, std::uint64_t sort_index) {
  head(js, 'M', tid, 0).raw(",\"name\":\"thread_name\",\"args\":{\"name\":").str(name).raw("}}");
  head(js, 'M', tid, 0).raw(",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":").integer(sort_index).raw("}}");
}

void write_metadata(const TraceData& d, const Tids& tids, JsonStream& js) {
  head(js, 'M', 1, 0).raw(",\"name\":\"process_name\",\"args\":{\"name\":");
  js.str(d.title.empty() ? std::string_view("preheat") : std::string_view(d.title)).raw("}}");
  for (std::size_t i = 0; i < d.lanes.size(); ++i) {
    const std::string& name = d.lanes[i].name;
    thread_meta(js, lane_tid(static_cast<LaneId>(i)), name.empty() ? "lane " + std::to_string(i) : name, i);
  }
  if (tids.has_tasks || !d.edges.empty()) thread_meta(js, tids.tasks, "tasks", tids.tasks);
  if (tids.has_waits) thread_meta(js, tids.waits, "waiting (no worker)", tids.waits);
}

// One X slice per span on a lane, lane by lane in time order, clamped so
// that slices on one track never overlap. Records where each task's lane
// slices begin and end, for the flow events.
void write_lane_slices(const TraceData& d, JsonStream& js, EndpointMap& ends) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < d.spans.size(); ++i) {
    if (on_lane(d.spans[i])) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Span& x = d.spans[a];
    const Span& y = d.spans[b];
    return std::tie(x.lane, x.start_ns, x.end_ns, a) < std::tie(y.lane, y.start_ns, y.end_ns, b);
  });
  std::string scratch;
  LaneId lane = kNoLane;
  std::int64_t lane_end = 0;
  for (std::size_t i : order) {
    const Span& s = d.spans[i];
    if (s.lane != lane) {
      lane = s.lane;
      lane_end = std::numeric_limits<std::int64_t>::min();
      if (lane >= d.lanes.size()) thread_meta(js, lane_tid(lane), "lane " + std::to_string(lane), lane);
    }
    const std::int64_t start = std::max(s.start_ns, lane_end);
    const std::int64_t end = std::max(s.end_ns, start);
    lane_end = end;
    head(js, 'X', lane_tid(lane), start).raw(",\"dur\":").micros(end - start);
    js.raw(",\"cat\":").str(to_string(s.kind)).raw(",\"name\":").str(label(d, s, scratch)).raw(",\"args\":{");
    if (s.task != kNoTask) js.raw("\"task\":").integer(s.task);
    if (is_working(s.kind)) {
      js.raw(s.task != kNoTask ? ",\"cpu_ms\":" : "\"cpu_ms\":").real(static_cast<double>(s.cpu_ns) / 1e6);
    }
    js.raw("}}");
    if (auto it = ends.find(s.task); it != ends.end()) {
      Endpoints& e = it->second;
      if (!e.has_slice || start < e.first_start) {
        e.first_tid = lane_tid(lane), e.first_start = start, e.first_end = end;
      }
      if (!e.has_slice || end > e.last_end) e.last_tid = lane_tid(lane), e.last_start = start, e.last_end = end;
      e.has_slice = true;
    }
  }
}

void async_pair(JsonStream& js, std::uint64_t tid, const Span& s, std::string_view cat, std::uint64_t id,
                std::string_view name, std::string_view suffix) {
  for (char ph : {'b', 'e'}) {
    head(js, ph, tid, ph == 'b' ? s.start_ns : std::max(s.end_ns, s.start_ns)).raw(",\"cat\":").str(cat);
    js.raw(",\"id\":").integer(id).raw(",\"scope\":").str(cat).raw(",\"name\":").str(name, suffix);
    if (ph == 'b' && s.task != kNoTask) js.raw(",\"args\":{\"task\":").integer(s.task).raw("}");
    js.raw("}");
  }
}

// Task lifetimes, then the spans that hold no worker. Those get ids by
// greedy interval packing: a wait takes the smallest id whose previous
// wait ended strictly before it starts, so overlapping waits never share an
// id (nor do waits that touch: viewers may order a same-time end/begin pair
// either way).
void write_async(const TraceData& d, const Tids& tids, JsonStream& js) {
  std::string scratch;
  std::vector<std::size_t> waits;
  for (std::size_t i = 0; i < d.spans.size(); ++i) {
    const Span& s = d.spans[i];
    if (s.kind == EventKind::kTask) {
      async_pair(js, tids.tasks, s, "task", s.task, label(d, s, scratch), {});
    } else if (!on_lane(s)) {
      waits.push_back(i);
    }
  }
  std::sort(waits.begin(), waits.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(d.spans[a].start_ns, d.spans[a].end_ns, a) < std::tie(d.spans[b].start_ns, d.spans[b].end_ns, b);
  });
  using Busy = std::pair<std::int64_t, std::uint64_t>;  // (end, row)
  std::priority_queue<Busy, std::vector<Busy>, std::greater<>> busy;
  std::priority_queue<std::uint64_t, std::vector<std::uint64_t>, std::greater<>> free_rows;
  std::uint64_t rows = 0;
  for (std::size_t i : waits) {
    const Span& s = d.spans[i];
    while (!busy.empty() && busy.top().first < s.start_ns) {
      free_rows.push(busy.top().second);
      busy.pop();
    }
    std::uint64_t row = rows;
    if (free_rows.empty()) {
      ++rows;
    } else {
      row = free_rows.top();
      free_rows.pop();
    }
    busy.push({std::max(s.end_ns, s.start_ns), row});
    const std::string suffix = " (" + std::string(to_string(s.kind)) + ")";
    async_pair(js, tids.waits, s, to_string(s.kind), tids.wait_id_base + row, label(d, s, scratch), suffix);
  }
}

struct Anchor {
  std::uint64_t tid;
  std::int64_t ts;
};

Anchor leave(const Endpoints& e, const Tids& tids) {
  if (e.has_slice) return {e.last_tid, e.last_end - inset(e.last_end - e.last_start)};
  return {tids.tasks, e.has_task_span ? e.task_end : e.any_end};
}

Anchor arrive(const Endpoints& e, const Tids& tids) {
  if (e.has_slice) return {e.first_tid, e.first_start + inset(e.first_end - e.first_start)};
  return {tids.tasks, e.has_task_span ? e.task_start : e.any_start};
}

void write_flows(const TraceData& d, const Tids& tids, const EndpointMap& ends, JsonStream& js) {
  std::uint64_t id = 0;
  for (const Edge& edge : d.edges) {
    const Endpoints& from = ends.at(edge.from);
    const Endpoints& to = ends.at(edge.to);
    if (!from.has_span || !to.has_span) continue;  // dropped by sampling
    const Anchor a = leave(from, tids);
    const Anchor b = arrive(to, tids);
    for (char ph : {'s', 'f'}) {
      const Anchor& at = ph == 's' ? a : b;
      head(js, ph, at.tid, at.ts).raw(",\"cat\":\"dependency\",\"name\":\"dependency\",\"id\":").integer(id);
      js.raw(ph == 'f' ? ",\"bp\":\"e\"}" : "}");
    }
    ++id;
  }
}

void write_other_data(const TraceData& d, JsonStream& js) {
  const Summary& s = d.summary;
  js.raw("\n],\"displayTimeUnit\":\"ms\",\"otherData\":{\"title\":").str(d.title);
  js.raw(",\"unit\":").str(d.unit.name).raw(",\"ns_per_unit\":").real(d.unit.ns_per_unit);
  js.raw(",\"wall_clock_ns\":").integer(s.wall_ns).raw(",\"execution_ns\":").integer(s.execution_ns);
  js.raw(",\"waiting_ns\":").integer(s.waiting_ns).raw(",\"parallelism\":").real(s.parallelism());
  js.raw(",\"spans_recorded\":").integer(s.spans).raw(",\"spans_kept\":").integer(d.spans.size());
  js.raw(",\"sample_stride\":").integer(d.sample_stride).raw("}}\n");
}

}  // namespace

Status write_chrome_trace(const TraceData& data, std::ostream& out) {
  JsonStream js(out);
  const Tids tids = plan_tids(data);
  EndpointMap ends = collect_endpoints(data);
  js.raw("{\"traceEvents\":[");
  write_metadata(data, tids, js);
  write_lane_slices(data, js, ends);
  write_async(data, tids, js);
  write_flows(data, tids, ends, js);
  write_other_data(data, js);
  if (!js.finish()) return Status::io_error("writing the Chrome trace failed");
  return Status();
}

Status write_chrome_trace_file(const TraceData& data, const std::string& path) {
  if (path == "-") return write_chrome_trace(data, std::cout);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::io_error("cannot open '" + path + "' for writing: " + std::strerror(errno));
  if (Status s = write_chrome_trace(data, out); !s.ok()) {
    return Status::io_error("cannot write the Chrome trace to '" + path + "'");
  }
  out.close();
  if (!out) return Status::io_error("cannot write the Chrome trace to '" + path + "'");
  return Status();
}

}  // namespace preheat::trace
