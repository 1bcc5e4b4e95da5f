#include "bake/responsiveness.h"

#include <zlib.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/runtime.h"
#include "runtime/scope.h"
#include "trace/recorder.h"

namespace preheat::bake {

namespace {

// Deterministic, compressible text (words, numbers, line breaks), so the
// compressor does real work on something like a document.
class TextGenerator {
 public:
  void fill(std::vector<unsigned char>& buf) {
    static const char* kWords[] = {"the",   "oven",  "dough", "preheat", "cake",    "sugar", "flour", "butter",
                                   "egg",   "bake",  "while", "waiting", "mixing",  "bowl",  "spoon", "table"};
    std::size_t i = 0;
    while (i < buf.size()) {
      x_ ^= x_ << 13;
      x_ ^= x_ >> 7;
      x_ ^= x_ << 17;
      const char* w = kWords[x_ % 16];
      const std::size_t n = std::min(std::strlen(w), buf.size() - i);
      std::memcpy(&buf[i], w, n);
      i += n;
      if (i < buf.size()) buf[i++] = (x_ >> 8) % 7 == 0 ? '\n' : ' ';
      if ((x_ >> 20) % 5 == 0) {
        const std::string num = std::to_string((x_ >> 40) % 100000) + " ";
        const std::size_t m = std::min(num.size(), buf.size() - i);
        std::memcpy(&buf[i], num.data(), m);
        i += m;
      }
    }
  }

 private:
  std::uint64_t x_ = 88172645463325252ULL;
};

// One zlib stream fed chunk by chunk. Used by one thread at a time (each
// chunk's compute() completes before the next starts).
class Compressor {
 public:
  explicit Compressor(int level) : out_(1 << 20) {
    if (deflateInit(&z_, level) != Z_OK) throw std::runtime_error("zlib deflateInit failed");
  }
  ~Compressor() { deflateEnd(&z_); }

  void chunk(const std::vector<unsigned char>& in, bool last) {
    z_.next_in = const_cast<Bytef*>(in.data());
    z_.avail_in = static_cast<uInt>(in.size());
    do {
      z_.next_out = out_.data();
      z_.avail_out = static_cast<uInt>(out_.size());
      deflate(&z_, last ? Z_FINISH : Z_NO_FLUSH);
      compressed_ += out_.size() - z_.avail_out;
    } while (z_.avail_out == 0);
  }
  std::uint64_t compressed() const { return compressed_; }

 private:
  z_stream z_{};
  std::vector<unsigned char> out_;
  std::uint64_t compressed_ = 0;
};

}  // namespace

ResponsivenessResult run_responsiveness(ExecutionMode mode, const ResponsivenessOptions& options) {
  using runtime::Task;
  trace::Recorder rec(steady_clock(),
                      {.max_spans = options.max_spans,
                       .title = std::string("Responsiveness (") + std::string(to_string(mode)) + ")",
                       .unit = {"ms", 1e6}});
  runtime::Runtime rt({.mode = mode, .workers = options.workers, .recorder = &rec, .stop_on_interrupt = options.stop_on_interrupt});
  const trace::TaskId job_id = rec.add_task("compress (the ZIP job)");
  const trace::TaskId cursor_id = rec.add_task("move cursor");

  ResponsivenessResult result;
  result.mode = mode;
  std::vector<Duration> lateness;
  bool job_done = false;
  TimePoint job_end{};
  const std::size_t chunk_bytes = std::max<std::size_t>(1, options.chunk_kib * 1024);
  const std::uint64_t total = static_cast<std::uint64_t>(options.megabytes) * 1024 * 1024;

  Compressor compressor(options.level);
  TextGenerator generator;
  std::vector<unsigned char> buffer(chunk_bytes);

  auto job = [&]() -> Task<void> {
    const TimePoint start = rt.clock().now();
    std::uint64_t done = 0;
    while (done < total) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_bytes, total - done));
      const bool last = done + n >= total;
      auto compress_chunk = [&, n, last] {
        buffer.resize(n);
        generator.fill(buffer);
        compressor.chunk(buffer, last);
      };
      co_await rt.compute(compress_chunk, job_id);
      done += n;
      co_await rt.yield();
    }
    job_end = rt.clock().now();
    job_done = true;
    result.job = job_end - start;
    result.input_bytes = done;
    result.compressed_bytes = compressor.compressed();
  };

  TimePoint start{};  // set when both tasks are spawned: the ticks' schedule
  auto cursor = [&]() -> Task<void> {
    for (std::int64_t k = 0;; ++k) {
      const TimePoint due = start + k * options.tick;
      // Keep ticking while the job runs, and catch up on the ticks that fell
      // due before it ended.
      if (job_done && due > job_end) break;
      co_await rt.wait_until(due, cursor_id);
      lateness.push_back(rt.clock().now() - due);
      auto draw = [k] {
        std::uint64_t h = 1469598103934665603ULL ^ static_cast<std::uint64_t>(k);
        for (int i = 0; i < 64; ++i) h = (h ^ static_cast<std::uint64_t>(i)) * 1099511628211ULL;
        return h;
      };
      co_await rt.compute(draw, cursor_id);
    }
  };

  auto main = [&]() -> Task<void> {
    runtime::Scope scope(rt.executor());
    start = rt.clock().now();
    scope.spawn(job());
    scope.spawn(cursor());
    co_await scope.join();
  };
  rec.start();
  rt.run(main());
  rec.stop();
  result.trace = rec.snapshot();
  result.lateness = percentiles(std::move(lateness));
  result.wall = Duration(result.trace.summary.wall_ns);
  result.execution = Duration(result.trace.summary.execution_ns);
  return result;
}

}  // namespace preheat::bake
