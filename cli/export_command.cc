// preheat export --db PATH --format jsonl|warc|links-csv --out FILE|-:
// a crawl database out as a web archive, one JSON line per page, or the
// links as CSV (export/exporter.h). A file is written under FILE.partial and
// renamed when complete, so FILE is never a half export.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "base/interrupt.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "export/exporter.h"
#include "store/crawl_store.h"

namespace preheat::cli {

namespace {

struct ExportFlags {
  std::string db = "crawl.db";
  std::string format;
  std::string out;
};

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr && f != stdout) std::fclose(f);
  }
};

int fail(int code, const std::string& message) {
  std::cerr << "preheat export: " << message << "\n";
  return code;
}

int run_export(const ExportFlags& f) {
  Result<exports::Format> format = exports::parse_format(f.format);
  if (!format.ok()) return fail(kExitUsage, format.status().message());
  // An older schema is upgraded on the way (one short writable open); a
  // missing file, a foreign one or a newer schema is bad input.
  Result<std::unique_ptr<store::CrawlStore>> opened = store::open_crawl_store(f.db, {.read_only = true, .upgrade = true});
  if (!opened.ok()) {
    const Status& s = opened.status();
    const bool input = s.code() == Status::Code::kInvalidArgument || s.code() == Status::Code::kNotFound;
    return fail(input ? kExitUsage : kExitFailure, s.message());
  }
  const bool to_stdout = f.out == "-";
  const std::string partial = f.out + ".partial";
  std::unique_ptr<std::FILE, FileCloser> file(to_stdout ? stdout : std::fopen(partial.c_str(), "wb"));
  if (!file) return fail(kExitOutput, fmt::format("cannot write '{}': {}", f.out, std::strerror(errno)));
  bool write_failed = false;
  const exports::ByteSink sink = [&](std::string_view chunk) -> Status {
    if (interrupt_requested()) return Status::internal("interrupted");
    if (std::fwrite(chunk.data(), 1, chunk.size(), file.get()) != chunk.size()) {
      write_failed = true;
      return Status::io_error(fmt::format("cannot write '{}': {}", f.out, std::strerror(errno)));
    }
    return Status();
  };
  exports::ExportOptions options;
  options.format = *format;
  options.filename = to_stdout ? "" : std::filesystem::path(f.out).filename().string();
  options.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  Result<exports::ExportSummary> sum = exports::export_store(**opened, options, sink);
  const bool flushed = std::fflush(file.get()) == 0;
  if (!to_stdout) {
    const bool closed = std::fclose(file.release()) == 0;
    if (sum.ok() && (!flushed || !closed)) {
      std::filesystem::remove(partial);
      return fail(kExitOutput, fmt::format("cannot write '{}': {}", f.out, std::strerror(errno)));
    }
    if (!sum.ok()) {
      std::filesystem::remove(partial);
    } else {
      std::error_code ec;
      std::filesystem::rename(partial, f.out, ec);
      if (ec) return fail(kExitOutput, fmt::format("cannot write '{}': {}", f.out, ec.message()));
    }
  } else if (sum.ok() && !flushed) {
    return fail(kExitOutput, "cannot write to stdout");
  }
  if (!sum.ok()) {
    if (interrupt_requested()) return fail(kExitInterrupted, "interrupted; nothing written");
    return fail(write_failed ? kExitOutput : kExitFailure, sum.status().message());
  }
  const exports::ExportSummary& r = *sum;
  const std::string where = to_stdout ? "stdout" : f.out;
  switch (*format) {
    case exports::Format::kJsonl:
      std::cerr << fmt::format("preheat export: {} pages to {}\n", r.rows, where);
      break;
    case exports::Format::kLinksCsv:
      std::cerr << fmt::format("preheat export: {} links to {}\n", r.rows, where);
      break;
    case exports::Format::kWarc:
      std::cerr << fmt::format("preheat export: {} fetches ({} WARC records, {} bytes) to {}; {} of {} pages have no "
                               "stored response{}\n",
                               r.rows, r.records, r.bytes_out, where, r.counts.answered_without_body, r.counts.pages,
                               r.counts.answered_without_body > 0
                                   ? " (crawled with --no-bodies, or by a preheat older than schema 2)"
                                   : "");
      break;
  }
  return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, std::vector<Command>& out) {
  auto f = std::make_shared<ExportFlags>();
  CLI::App* sub = app.add_subcommand("export", "Write a crawl database out as WARC, JSONL or a links CSV");
  sub->footer(
      "Examples:\n  preheat export --db site.db --format warc --out site.warc.gz\n"
      "  preheat export --db site.db --format jsonl --out - | jq .title\n"
      "  preheat export --db site.db --format links-csv --out links.csv\n"
      "warc: WARC 1.1, gzip per record, request + response per stored fetch (bodies decoded);\n"
      "jsonl: one page per line; links-csv: from,to,anchor,rel,tag,target_status,target_error.\n"
      "Exit codes: 0 done, 1 the database could not be read, 2 bad usage or bad database, 3 --out cannot\n"
      "be written, 130 interrupted.");
  sub->add_option("--db", f->db, "Database")->capture_default_str();
  sub->add_option("--format", f->format, "jsonl, warc or links-csv")->required();
  sub->add_option("--out", f->out, "Output file, or - for stdout")->required();
  out.push_back(Command{sub, [f] { return run_export(*f); }});
}

}  // namespace preheat::cli
