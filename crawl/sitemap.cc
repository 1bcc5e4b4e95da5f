#include "crawl/sitemap.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <unordered_set>

#include "base/url_normalizer.h"
#include "crawl/robots_gate.h"

namespace preheat::crawl {

const char* to_string(SitemapKind kind) {
  switch (kind) {
    case SitemapKind::kUnknown: return "unknown";
    case SitemapKind::kUrlSet: return "urlset";
    case SitemapKind::kIndex: return "sitemapindex";
    case SitemapKind::kText: return "text";
  }
  return "?";
}

namespace {

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_xml_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_xml_space(s.back())) s.remove_suffix(1);
  return s;
}

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Collects the locs of one file: resolution, the site rule, dedup, the count limit.
class Collector {
 public:
  Collector(std::string_view sitemap_url, std::string_view site, const SitemapLimits& limits, SitemapParse& out)
      : sitemap_url_(sitemap_url), site_(site), own_site_(robots_site(sitemap_url)), limits_(limits), out_(out) {}

  // False for a loc past max_urls (the caller stops: the file is truncated).
  bool add(std::string_view raw) {
    if (out_.locs >= limits_.max_urls) {
      out_.truncated = true;
      return false;
    }
    ++out_.locs;
    const std::string_view loc = trim(raw);
    if (loc.empty() || loc.size() > kMaxLocBytes || !keep(loc)) ++out_.dropped;
    return true;  // at max_urls the file may still end here: truncated only when one more comes
  }

 private:
  bool keep(std::string_view loc) {
    Result<std::string> url = resolve_link(sitemap_url_, loc);
    if (!url.ok() || !is_fetchable(*url)) return false;
    const std::string url_site = robots_site(*url);
    const bool on_site = url_site == site_ || (out_.kind == SitemapKind::kIndex && url_site == own_site_);
    if (!on_site) return false;
    if (seen_.insert(*url).second) out_.urls.push_back(std::move(*url));
    return true;
  }

  std::string_view sitemap_url_;
  std::string_view site_;
  std::string own_site_;
  const SitemapLimits& limits_;
  SitemapParse& out_;
  std::unordered_set<std::string> seen_;
};

// Bytes in, pieces out: the parsers behind one interface.
class Sink {
 public:
  virtual ~Sink() = default;
  // False when the parser wants no more input.
  virtual bool feed(std::string_view chunk) = 0;
  // `cut`: the input was cut by max_bytes (a partial last item is dropped).
  virtual void finish(bool cut) = 0;
};

// libxml2 SAX, push mode.
class XmlSink final : public Sink {
 public:
  XmlSink(Collector& collector, SitemapParse& out) : collector_(collector), out_(out) {
    xmlSAXHandler sax;
    std::memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = &XmlSink::start_element;
    sax.endElementNs = &XmlSink::end_element;
    sax.characters = &XmlSink::characters;
    sax.cdataBlock = &XmlSink::characters;
    sax.internalSubset = &XmlSink::doctype;
    sax.serror = &XmlSink::structured_error;
    // No getEntity, entityDecl or resolveEntity: nothing is ever looked up,
    // declared or loaded; the DOCTYPE that could declare one is refused.
    ctxt_ = xmlCreatePushParserCtxt(&sax, this, nullptr, 0, nullptr);
    if (ctxt_ != nullptr) {
      xmlCtxtUseOptions(ctxt_, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    }
  }
  ~XmlSink() override {
    if (ctxt_ != nullptr) xmlFreeParserCtxt(ctxt_);
  }

  bool feed(std::string_view chunk) override {
    if (ctxt_ == nullptr || stopped_) return false;
    while (!chunk.empty() && !stopped_) {
      const std::size_t n = std::min<std::size_t>(chunk.size(), 1 << 20);
      xmlParseChunk(ctxt_, chunk.data(), static_cast<int>(n), 0);
      chunk.remove_prefix(n);
    }
    return !stopped_;
  }

  void finish(bool cut) override {
    if (ctxt_ == nullptr) {
      out_.error = "out of memory";
      return;
    }
    if (!stopped_ && !cut) xmlParseChunk(ctxt_, nullptr, 0, 1);
    if (!cut && !stopped_ && out_.error.empty() && out_.kind == SitemapKind::kUnknown) {
      out_.error = "not a sitemap (no <urlset> or <sitemapindex>)";
    }
  }

 private:
  static XmlSink& self(void* ctx) { return *static_cast<XmlSink*>(ctx); }

  void stop(std::string why) {
    if (out_.error.empty()) out_.error = std::move(why);
    stopped_ = true;
    xmlStopParser(ctxt_);
  }

  static void start_element(void* ctx, const xmlChar* local, const xmlChar*, const xmlChar*, int, const xmlChar**, int,
                            int, const xmlChar**) {
    XmlSink& s = self(ctx);
    const std::string_view name(reinterpret_cast<const char*>(local));
    ++s.depth_;
    if (s.depth_ == 1) {
      if (name == "urlset") {
        s.out_.kind = SitemapKind::kUrlSet;
      } else if (name == "sitemapindex") {
        s.out_.kind = SitemapKind::kIndex;
      } else {
        s.stop("not a sitemap (root element <" + std::string(name) + ">)");
      }
      return;
    }
    if (s.depth_ == 2) {
      s.in_entry_ = name == (s.out_.kind == SitemapKind::kIndex ? "sitemap" : "url");
      return;
    }
    if (s.depth_ == 3 && s.in_entry_ && name == "loc") {
      s.in_loc_ = true;
      s.loc_.clear();
    }
  }

  static void end_element(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
    XmlSink& s = self(ctx);
    if (s.depth_ == 3 && s.in_loc_) {
      s.in_loc_ = false;
      // Too long: kept over the limit so the collector drops it.
      if (!s.collector_.add(s.loc_)) {
        s.stopped_ = true;
        xmlStopParser(s.ctxt_);
      }
    }
    if (s.depth_ == 2) s.in_entry_ = false;
    --s.depth_;
  }

  static void characters(void* ctx, const xmlChar* text, int len) {
    XmlSink& s = self(ctx);
    if (!s.in_loc_ || s.loc_.size() > kMaxLocBytes) return;
    const std::size_t room = kMaxLocBytes + 1 - s.loc_.size();
    s.loc_.append(reinterpret_cast<const char*>(text), std::min<std::size_t>(room, static_cast<std::size_t>(len)));
  }

  static void doctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
    self(ctx).stop("a DOCTYPE is not allowed in a sitemap");
  }

  static void structured_error(void* ctx, xmlErrorPtr error) {
    if (error == nullptr || error->level < XML_ERR_ERROR) return;
    XmlSink& s = self(ctx);
    if (s.stopped_) return;  // our own stop, not the document's fault
    std::string msg = error->message != nullptr ? error->message : "malformed XML";
    while (!msg.empty() && is_xml_space(msg.back())) msg.pop_back();
    if (s.out_.error.empty()) s.out_.error = "malformed XML (line " + std::to_string(error->line) + "): " + msg;
    if (error->level == XML_ERR_FATAL) s.stopped_ = true;
  }

  Collector& collector_;
  SitemapParse& out_;
  xmlParserCtxtPtr ctxt_ = nullptr;
  int depth_ = 0;
  bool in_entry_ = false;
  bool in_loc_ = false;
  bool stopped_ = false;
  std::string loc_;
};

// One URL per line.
class TextSink final : public Sink {
 public:
  explicit TextSink(Collector& collector) : collector_(collector) {}

  bool feed(std::string_view chunk) override {
    while (!stopped_ && !chunk.empty()) {
      const std::size_t eol = chunk.find_first_of("\r\n");
      if (eol == std::string_view::npos) {
        append(chunk);
        return true;
      }
      append(chunk.substr(0, eol));
      chunk.remove_prefix(eol + 1);
      end_line();
    }
    return !stopped_;
  }

  void finish(bool cut) override {
    if (!cut && !stopped_) end_line();  // a cut last line is incomplete: dropped
  }

 private:
  void append(std::string_view piece) {
    if (line_.size() > kMaxLocBytes) return;
    line_.append(piece.substr(0, kMaxLocBytes + 1 - line_.size()));
  }
  void end_line() {
    if (!trim(line_).empty() && !collector_.add(line_)) stopped_ = true;
    line_.clear();
  }

  Collector& collector_;
  std::string line_;
  bool stopped_ = false;
};

// Decides XML or text from the first significant byte, then forwards; counts
// bytes against max_bytes.
class Dispatcher {
 public:
  Dispatcher(Collector& collector, SitemapParse& out, const SitemapLimits& limits)
      : collector_(collector), out_(out), limits_(limits) {}

  // False when no more input is wanted (a limit, or the parser stopped).
  bool feed(std::string_view chunk) {
    if (bytes_ + chunk.size() > limits_.max_bytes) {
      chunk = chunk.substr(0, limits_.max_bytes - bytes_);
      cut_ = true;
      out_.truncated = true;
    }
    bytes_ += chunk.size();
    bool more = true;
    if (sink_) {
      more = sink_->feed(chunk);
    } else {
      head_.append(chunk);
      std::string_view h = head_;
      if (h.starts_with(kBom)) h.remove_prefix(kBom.size());
      const std::size_t first = h.find_first_not_of(" \t\r\n");
      if (first != std::string_view::npos) {
        if (h[first] == '<') {
          sink_ = std::make_unique<XmlSink>(collector_, out_);
        } else {
          out_.kind = SitemapKind::kText;
          sink_ = std::make_unique<TextSink>(collector_);
          h.remove_prefix(first);  // the text sink needs no BOM
          head_ = std::string(h);
        }
        more = sink_->feed(head_);
        head_.clear();
      }
    }
    return more && !cut_;
  }

  void finish() {
    if (!sink_) {
      if (out_.error.empty()) out_.error = "empty sitemap";
      return;
    }
    sink_->finish(cut_);
  }

 private:
  Collector& collector_;
  SitemapParse& out_;
  const SitemapLimits& limits_;
  std::unique_ptr<Sink> sink_;
  std::string head_;
  std::size_t bytes_ = 0;
  bool cut_ = false;
};

// Inflates gzip members (one or more, as gzip(1) allows) into `to`.
void inflate_into(std::string_view gz, Dispatcher& to, SitemapParse& out) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) {
    out.error = "gzip: cannot start zlib";
    return;
  }
  std::array<char, 64 * 1024> buf;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(std::min<std::size_t>(gz.size(), UINT32_MAX));
  bool more = true;
  while (more) {
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    const int rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = buf.size() - z.avail_out;
    if (produced > 0) more = to.feed(std::string_view(buf.data(), produced));
    if (!more) break;
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      if (inflateReset(&z) != Z_OK) break;  // the next member
      continue;
    }
    if (rc != Z_OK || (produced == 0 && z.avail_in == 0)) {
      out.error = z.avail_in == 0 ? "gzip: truncated data" : std::string("gzip: ") + (z.msg ? z.msg : "corrupt data");
      break;
    }
  }
  inflateEnd(&z);
}

}  // namespace

SitemapParse parse_sitemap(std::string_view body, std::string_view sitemap_url, std::string_view site,
                           const SitemapLimits& limits) {
  SitemapParse out;
  Collector collector(sitemap_url, site, limits, out);
  Dispatcher dispatcher(collector, out, limits);
  out.gzip = body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f && static_cast<unsigned char>(body[1]) == 0x8b;
  if (out.gzip) {
    inflate_into(body, dispatcher, out);
  } else {
    dispatcher.feed(body);
  }
  const std::string early_error = out.error;  // a gzip error comes before the parser's own
  dispatcher.finish();
  if (!early_error.empty()) out.error = early_error;
  return out;
}

}  // namespace preheat::crawl
