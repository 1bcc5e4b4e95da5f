#include "cli/crawl_progress.h"

#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <unistd.h>

namespace preheat::cli {

std::string format_progress(const crawl::CrawlCounters& c, double elapsed_s, int width) {
  std::int64_t errors = 0;
  for (const auto& [k, n] : c.errors) errors += n;
  const std::int64_t left = c.queued + c.in_flight;
  const double total = static_cast<double>(c.pages + left);
  const int filled = total > 0 ? static_cast<int>(width * static_cast<double>(c.pages) / total) : 0;
  std::string bar = "[" + std::string(filled, '#') + std::string(width - filled, '-') + "]";
  std::string line = fmt::format("{} {} done · {}{} queued · {} in flight · {:.0f} pages/s · {} errors", bar, c.pages,
                                 left - c.in_flight, c.db_has_more ? "+" : "", c.in_flight,
                                 elapsed_s > 0 ? static_cast<double>(c.pages) / elapsed_s : 0.0, errors);
  // Politeness, only when it matters: URLs waiting for their host, hosts
  // paused (429/503 Retry-After, error budget) and given up.
  if (c.parked > 0) line += fmt::format(" · {} waiting for their host", c.parked);
  if (c.hosts_paused > 0) line += fmt::format(" · {} hosts paused", c.hosts_paused);
  if (c.hosts_given_up > 0) line += fmt::format(" · {} hosts given up", c.hosts_given_up);
  std::int64_t traps = 0;
  for (const auto& [rule, n] : c.traps) traps += n;
  if (traps > 0) line += fmt::format(" · {} refused as traps", traps);
  // Sitemaps, once one was read: files, and the URLs they added.
  if (c.sitemaps > 0) {
    line += fmt::format(" · {} sitemap{} added {} of {} URLs", c.sitemaps, c.sitemaps == 1 ? "" : "s",
                        c.sitemap_added, c.sitemap_urls);
  }
  // A recrawl: revisits by outcome.
  if (c.revisited > 0) {
    line += fmt::format(" · revisited {}: {} unchanged (304), {} same, {} changed, {} gone", c.revisited,
                        c.not_modified, c.same, c.changed, c.gone);
  }
  return line;
}

ProgressPrinter::ProgressPrinter(bool enabled)
    : enabled_(enabled), tty_(isatty(STDERR_FILENO) == 1), start_(steady_clock().now()), last_(start_) {}

void ProgressPrinter::update(const crawl::CrawlCounters& c) {
  if (!enabled_) return;
  const TimePoint now = steady_clock().now();
  const auto every = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
  if (now - last_ < every) return;
  last_ = now;
  const std::string line = format_progress(c, to_seconds(now - start_), 20);
  if (tty_) {
    std::cerr << "\r\033[K" << line << std::flush;
    drawn_ = true;
  } else {
    std::cerr << line << "\n";
  }
}

void ProgressPrinter::finish() {
  if (enabled_ && tty_ && drawn_) std::cerr << "\r\033[K" << std::flush;
}

}  // namespace preheat::cli
