#include "trace/recorder.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>
#include <vector>

namespace preheat::trace {
namespace {

using std::chrono::milliseconds;

TEST(Recorder, SpansFromSeveralThreadsAllArrive) {
  ManualClock clock;
  Recorder rec(clock);
  constexpr int kThreads = 4, kPerThread = 2500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&rec, t] {
      const LaneId lane = rec.add_lane("worker " + std::to_string(t + 1));
      rec.bind_thread(lane);
      for (int i = 0; i < kPerThread; ++i) {
        rec.record(Span{EventKind::kWork, rec.current_lane(), kNoTask, i, i + 1, 1});
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const TraceData d = rec.snapshot();
  EXPECT_EQ(d.lanes.size(), static_cast<std::size_t>(kThreads));
  EXPECT_EQ(d.spans.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(d.summary.spans, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(d.summary.execution_ns, kThreads * kPerThread);
  EXPECT_EQ(d.sample_stride, 1u);
  std::map<LaneId, int> per_lane;
  for (const Span& s : d.spans) ++per_lane[s.lane];
  ASSERT_EQ(per_lane.size(), static_cast<std::size_t>(kThreads));
  for (const auto& [lane, n] : per_lane) EXPECT_EQ(n, kPerThread) << "lane " << lane;
}

struct ScopedCase {
  EventKind kind;
  bool bind;
  bool on_lane;  // expected: the span lands on the bound lane
};

class RecorderScopedSpan : public ::testing::TestWithParam<ScopedCase> {};

TEST_P(RecorderScopedSpan, RecordsKindLaneAndTimes) {
  ManualClock clock;
  Recorder rec(clock);
  clock.advance(milliseconds(3));
  const LaneId lane = rec.add_lane("worker 1");
  if (GetParam().bind) rec.bind_thread(lane);
  const TaskId task = rec.add_task("t");
  {
    ScopedSpan span(&rec, GetParam().kind, task);
    clock.advance(milliseconds(5));
  }
  const TraceData d = rec.snapshot();
  ASSERT_EQ(d.spans.size(), 1u);
  const Span& s = d.spans[0];
  EXPECT_EQ(s.kind, GetParam().kind);
  EXPECT_EQ(s.task, task);
  EXPECT_EQ(s.lane, GetParam().on_lane ? lane : kNoLane);
  EXPECT_EQ(s.start_ns, 3'000'000);
  EXPECT_EQ(s.end_ns, 8'000'000);
  EXPECT_GE(s.cpu_ns, 0);
  if (!is_working(s.kind)) {
    EXPECT_EQ(s.cpu_ns, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, RecorderScopedSpan,
                         ::testing::Values(ScopedCase{EventKind::kWork, true, true},
                                           ScopedCase{EventKind::kBlocked, true, true},
                                           ScopedCase{EventKind::kWait, true, false},
                                           ScopedCase{EventKind::kTask, true, false},
                                           ScopedCase{EventKind::kWork, false, false}),
                         [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(Recorder, ANullRecorderMakesScopedSpanANoOp) {
  ScopedSpan span(nullptr, EventKind::kWork, 0);
  SUCCEED();
}

TEST(Recorder, WallClockRunsFromStartToStop) {
  ManualClock clock;
  Recorder rec(clock);
  clock.advance(milliseconds(10));
  rec.start();
  clock.advance(milliseconds(7));
  EXPECT_EQ(rec.summary().wall_ns, 7'000'000);
  rec.stop();
  clock.advance(milliseconds(100));
  EXPECT_EQ(rec.summary().wall_ns, 7'000'000);
}

// Sampling: 100,000 spans of 25,000 tasks into a buffer of 1,000.
struct SamplingCase {
  const char* name;
  bool interleaved;  // tasks' spans recorded round-robin instead of one task after another
};

class RecorderSampling : public ::testing::TestWithParam<SamplingCase> {};

TEST_P(RecorderSampling, KeepsWholeTasksAndExactTotals) {
  constexpr std::size_t kCap = 1000;
  constexpr int kTasks = 25'000, kSpansPerTask = 4;
  ManualClock clock;
  Recorder rec(clock, {.max_spans = kCap});
  const LaneId lane = rec.add_lane("worker 1");
  std::vector<TaskId> tasks;
  for (int t = 0; t < kTasks; ++t) tasks.push_back(rec.add_task("task " + std::to_string(t)));
  const EventKind kinds[kSpansPerTask] = {EventKind::kTask, EventKind::kWork, EventKind::kWait, EventKind::kBlocked};
  std::int64_t execution = 0, waiting = 0;
  const auto record = [&](int t, int k) {
    const std::int64_t start = 1000 * t + 10 * k, len = 1 + (t * 7 + k) % 13;
    const EventKind kind = kinds[k];
    const LaneId on = occupies_worker(kind) ? lane : kNoLane;
    const Span s{kind, on, tasks[t], start, start + len, is_working(kind) ? len / 2 : 0};
    execution += is_working(kind) ? s.cpu_ns : 0;
    waiting += is_waiting(kind) ? len : 0;
    rec.record(s);
  };
  if (GetParam().interleaved) {
    for (int k = 0; k < kSpansPerTask; ++k) {
      for (int t = 0; t < kTasks; ++t) record(t, k);
    }
  } else {
    for (int t = 0; t < kTasks; ++t) {
      for (int k = 0; k < kSpansPerTask; ++k) record(t, k);
    }
  }
  const TraceData d = rec.snapshot();
  EXPECT_LE(d.spans.size(), kCap);
  EXPECT_GT(d.spans.size(), 0u);
  EXPECT_EQ(d.summary.spans, static_cast<std::uint64_t>(kTasks * kSpansPerTask));
  EXPECT_EQ(d.summary.execution_ns, execution);
  EXPECT_EQ(d.summary.waiting_ns, waiting);
  EXPECT_GT(d.sample_stride, 1u);
  EXPECT_EQ(d.sample_stride & (d.sample_stride - 1), 0u) << d.sample_stride << " is not a power of two";
  // A task is kept iff its hash is a multiple of the final stride, and every
  // earlier stride divides the final one: so a task kept at the end passed
  // every earlier filter, and all its spans are there, whatever the order of
  // recording.
  std::map<TaskId, int> kept;
  for (const Span& s : d.spans) ++kept[s.task];
  for (const auto& [task, n] : kept) EXPECT_EQ(n, kSpansPerTask) << "task " << task;
}

INSTANTIATE_TEST_SUITE_P(Orders, RecorderSampling,
                         ::testing::Values(SamplingCase{"consecutive", false}, SamplingCase{"interleaved", true}),
                         [](const auto& info) { return std::string(info.param.name); });

// Known bug in recorder.cc: mix(0) == 0 passes every stride, so when one
// task (task 0 here) has more spans than max_spans, halving never frees room;
// the stride doubles until it wraps to 0 and `% 0` crashes (SIGFPE).
// Enable once the recorder bounds the stride or drops the span instead.
TEST(Recorder, OneTaskWithMoreSpansThanTheCapStaysBounded) {
  ManualClock clock;
  Recorder rec(clock, {.max_spans = 10});
  const TaskId task = rec.add_task("chatty");
  for (int i = 0; i < 100; ++i) rec.record(Span{EventKind::kWork, 0, task, i, i + 1, 1});
  EXPECT_LE(rec.kept_spans(), 10u);
  EXPECT_EQ(rec.summary().spans, 100u);
}

}  // namespace
}  // namespace preheat::trace
