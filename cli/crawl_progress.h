// The crawl's live progress on stderr. On a terminal: one line redrawn at most
// ten times a second ("[#####-----] 1,234 done · 56 queued · 16 in flight ·
// 234 pages/s · 3 errors"). Otherwise (a log file, CI): one plain line every
// five seconds. Disabled: nothing.
//
// Thread safety: one thread (the event loop).
#pragma once

#include <string>

#include "base/clock.h"
#include "crawl/crawl_counters.h"

namespace preheat::cli {

// The text of one progress line (without the carriage return), pure.
// `elapsed_s` since the crawl started; `width` of the bar in characters.
std::string format_progress(const crawl::CrawlCounters& c, double elapsed_s, int width);

class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool enabled);
  void update(const crawl::CrawlCounters& c);
  // Ends the live line (a newline on a terminal).
  void finish();

 private:
  bool enabled_;
  bool tty_;
  bool drawn_ = false;
  TimePoint start_;
  TimePoint last_;
};

}  // namespace preheat::cli
