// SiteModel: the deterministic synthetic website (`preheat testsite`), as a
// pure function from a request to a response. No I/O: the server does that.
//
// Pages. Page 0 is "/"; page N (1 <= N < pages) lives at
//   /list?sort=asc&page=N    when N % 10 is 3 or 7   (a distinct page with a query)
//   /d/sA/tB/N               when N % 10 is 5        (nested: A = N/10 % 3, B = N/30 % 2)
//   /p/N                     otherwise               (so /p/1 exists whenever pages >= 2)
// Every page links to its children in a k-ary tree (N*fanout+1 .. N*fanout+fanout),
// so every page is reachable from "/"; to its parent; and to fanout/2 (at
// least 1) pages drawn from the seed: cycles and duplicates, as on a real
// site. Links are spelt in every way real pages spell them (page_writer.h);
// about one page in eight has a <base href>. Each page has a title, a meta
// description, a lang attribute and words up to about page_bytes.
// Same options and Host header -> the same bytes; another seed -> other
// extra links, spellings and words.
//
// Faults (--faults) live on their own paths (fault_pages.h), linked from "/";
// they are never part of the ground truth. Every response has a Content-Type
// with a charset; pages also an ETag and a Last-Modified date (the server
// answers conditional requests with 304: testsite/conditional.h). Unknown
// paths answer 404, a missing or malformed Host header 400.
//
// Thread safety: immutable after construction; respond() may run on many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "testsite/fault_set.h"
#include "testsite/site.h"

namespace preheat::testsite {

struct SiteOptions {
  std::size_t pages = 1000;  // pages in the ground truth, "/" included (1 .. 100,000,000)
  std::size_t fanout = 8;    // children per page in the spanning tree (1 .. 1,000)
  std::uint64_t seed = 1;
  std::size_t page_bytes = 4096;  // pages are padded with words to about this size (at most 16 MiB)
  FaultSet faults;
  // The Crawl-delay robots.txt asks for (fault `robots`), in seconds, written
  // as given ("1", "0.2"); 0 .. 3600. Small values keep politeness tests short.
  double crawl_delay_s = 1;
};

// Ok, or an error naming the option that is out of range.
Status validate(const SiteOptions& options);

class SiteModel final : public Site {
 public:
  // REQUIRES: validate(options).ok()
  explicit SiteModel(SiteOptions options);

  SiteResponse respond(const SiteRequest& request) const override;

  // Every page URL of the site, absolute and normalised (lower-case scheme and
  // host, no default port, no fragment), sorted: exactly options().pages URLs.
  // `base_url` is "http://HOST[:PORT][/]" (https also accepted); anything else
  // (a path, a query, no host) is an error.
  Result<std::vector<std::string>> ground_truth(std::string_view base_url) const;

  // The target of page `id` ("/", "/p/12", "/list?sort=asc&page=3"). REQUIRES: id < pages.
  std::string page_path(std::size_t id) const;
  // The page at `target` (path and query, exactly as page_path writes it).
  std::optional<std::size_t> page_at(std::string_view target) const;
  // The pages page `id` links to, in page order (duplicates included).
  std::vector<std::size_t> links_of(std::size_t id) const;

  const SiteOptions& options() const { return options_; }

 private:
  SiteResponse page(std::size_t id, std::string_view host) const;
  SiteResponse robots_txt(std::string_view host) const;
  std::optional<SiteResponse> sitemap(std::string_view path, std::string_view host) const;

  SiteOptions options_;
};

// True when `host` is a plausible Host header value: a name, an IPv4 or a
// bracketed IPv6 literal, with an optional port; nothing that could break
// out of an HTML attribute.
bool is_valid_host(std::string_view host);

}  // namespace preheat::testsite
