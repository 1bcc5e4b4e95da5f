// Throughput of extract_html (one core) over real pages: the HTML
// documentation shipped in Debian packages (/usr/share/doc/**/*.html),
// against the libxml2 SAX implementation it replaced (extract_html_libxml2)
// and a link+text extractor on gumbo's HTML5 tree (bench/gumbo_extractor.h),
// in the same binary and run.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/gumbo_extractor.h"
#include "crawl/extract/html_extractor.h"
#include "crawl/extract/libxml2_html_extractor.h"
#include "crawl/extract/text_decoder.h"

namespace {

const std::vector<std::string>& corpus() {
  static const std::vector<std::string> pages = [] {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator("/usr/share/doc", ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (!it->is_regular_file() || it->path().extension() != ".html") continue;
      std::ifstream in(it->path(), std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      out.push_back(bytes.str());
    }
    return out;
  }();
  return pages;
}

// state.range(0) == 1: every page arrives with "charset=utf-8" in its
// Content-Type (the common case: the BOM check and the label lookup, no
// prescan); 0: no transport charset (the meta prescan runs and, without a
// meta, the UTF-8 check; pages declaring a legacy charset are decoded first).
template <preheat::crawl::ExtractResult (*Extract)(std::string_view, std::string_view,
                                                  const preheat::crawl::ExtractOptions&)>
void BM_Extract(benchmark::State& state) {
  const char* charset = state.range(0) == 1 ? "utf-8" : "";
  const auto& pages = corpus();
  if (pages.empty()) {
    state.SkipWithError("no HTML pages under /usr/share/doc");
    return;
  }
  std::size_t bytes = 0;
  std::size_t links = 0;
  for (auto _ : state) {
    for (const std::string& page : pages) {
      const auto r = Extract(page, charset, {});
      links += r.links.size();
      bytes += page.size();
      benchmark::DoNotOptimize(r.content_hash);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["pages"] = static_cast<double>(pages.size());
  state.counters["links/iter"] = static_cast<double>(links) / static_cast<double>(state.iterations());
}
void BM_ExtractHtml(benchmark::State& state) { BM_Extract<preheat::crawl::extract_html>(state); }
void BM_ExtractHtmlLibxml2(benchmark::State& state) { BM_Extract<preheat::crawl::extract_html_libxml2>(state); }
void BM_ExtractHtmlGumbo(benchmark::State& state) { BM_Extract<preheat::bench::extract_html_gumbo>(state); }
BENCHMARK(BM_ExtractHtml)->ArgName("utf8_header")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractHtmlLibxml2)->ArgName("utf8_header")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
// gumbo takes UTF-8 only and ignores the hint: one row.
BENCHMARK(BM_ExtractHtmlGumbo)->ArgName("utf8_header")->Arg(1)->Unit(benchmark::kMillisecond);

// decode_to_utf8 over 4 MiB of text in its encoding (Japanese words and
// ASCII for the CJK encodings, accented Latin for windows-1252) and over
// 4 MiB of random bytes (every other sequence an error).
void BM_DecodeToUtf8(benchmark::State& state) {
  static const char* const kEncodings[] = {"windows-1252", "Shift_JIS", "EUC-JP", "GBK", "Big5", "EUC-KR"};
  static const char* const kSamples[] = {"caf\xE9 \x80 l\x92\xE9t\xE9 ", "\x93\xFA\x96\x7B\x8C\xEA abc ",
                                         "\xC6\xFC\xCB\xDC\xB8\xEC abc ", "\xD6\xD0\xCE\xC4 abc ",
                                         "\xA4\xA4\xA4\xE5 abc ", "\xC7\xD1\xB1\xB9 abc "};
  const auto which = static_cast<std::size_t>(state.range(0));
  std::string input;
  if (state.range(1) == 0) {
    while (input.size() < (4u << 20)) input += kSamples[which];
  } else {
    std::uint32_t x = 1;
    input.resize(4u << 20);
    for (char& c : input) {
      x = x * 1664525u + 1013904223u;
      c = static_cast<char>(x >> 24);
    }
  }
  for (auto _ : state) {
    const std::string out = preheat::crawl::decode_to_utf8(input, kEncodings[which]);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetLabel(std::string(kEncodings[which]) + (state.range(1) == 0 ? " text" : " random bytes"));
  state.SetBytesProcessed(static_cast<std::int64_t>(input.size() * state.iterations()));
}
BENCHMARK(BM_DecodeToUtf8)->ArgsProduct({{0, 1, 2, 3, 4, 5}, {0, 1}})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
