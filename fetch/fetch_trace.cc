#include "fetch/fetch_trace.h"

namespace preheat::fetch {

void record_hop_phases(trace::Recorder* rec, trace::TaskId task, std::int64_t start_ns, const Timings& t) {
  if (rec == nullptr) return;
  std::int64_t at = start_ns;
  auto phase = [&](trace::EventKind kind, Duration d) {
    if (d <= Duration::zero()) return;
    rec->record(trace::Span{kind, trace::kNoLane, task, at, at + d.count(), 0});
    at += d.count();
  };
  phase(trace::EventKind::kDns, t.dns);
  phase(trace::EventKind::kConnect, t.connect);
  phase(trace::EventKind::kTls, t.tls);
  phase(trace::EventKind::kFirstByte, t.first_byte);
  phase(trace::EventKind::kDownload, t.download);
}

}  // namespace preheat::fetch
