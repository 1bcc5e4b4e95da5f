// Records the phases of one HTTP hop (dns, connect, tls, first byte,
// download) as waiting spans, from the client's own timings.
#pragma once

#include <cstdint>

#include "fetch/response.h"
#include "trace/recorder.h"

namespace preheat::fetch {

// `start_ns` is the hop's start on the recorder's clock. A null recorder is a
// no-op.
void record_hop_phases(trace::Recorder* rec, trace::TaskId task, std::int64_t start_ns, const Timings& t);

}  // namespace preheat::fetch
