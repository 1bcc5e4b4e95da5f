#include "crawl/trap_guard.h"

#include <algorithm>

#include "base/ascii.h"
#include "crawl/robots_gate.h"

namespace preheat::crawl {

namespace {

constexpr std::size_t kMaxRun = 8;  // path-loop: the longest run of segments compared

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_digit(c); });
}

// REQUIRES: all_digits(s), s.size() <= 9.
int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::size_t digits_end(std::string_view s, std::size_t from) {
  while (from < s.size() && is_digit(s[from])) ++from;
  return from;
}

// ".html", ".php", ".xml": a dot and letters or digits to the end.
bool is_extension(std::string_view s) {
  return s.size() >= 2 && s[0] == '.' &&
         std::all_of(s.begin() + 1, s.end(), [](char c) { return is_letter(c) || is_digit(c); });
}

// Quoted for a message, at most 40 bytes of it.
std::string quoted(std::string_view s) {
  return "'" + std::string(s.substr(0, 40)) + (s.size() > 40 ? "...'" : "'");
}

struct Span {
  std::size_t begin = 0;  // offsets in the URL
  std::size_t end = 0;
  std::string_view placeholder;
};

// The pieces of a normalised URL, as offsets into it.
struct UrlParts {
  std::size_t path_begin = 0, path_end = 0;    // path_begin at '/' (or path_end when none)
  std::size_t query_begin = 0, query_end = 0;  // after '?'; empty when no query
};

UrlParts split(std::string_view url) {
  UrlParts p;
  const std::size_t scheme = url.find("://");
  const std::size_t authority = scheme == std::string_view::npos ? 0 : scheme + 3;
  p.path_begin = std::min(url.find_first_of("/?#", authority), url.size());
  p.path_end = std::min(url.find_first_of("?#", p.path_begin), url.size());
  const std::size_t hash = std::min(url.find('#', p.path_end), url.size());
  p.query_begin = p.query_end = hash;
  if (p.path_end < url.size() && url[p.path_end] == '?') {
    p.query_begin = p.path_end + 1;
    p.query_end = hash;
  }
  return p;
}

struct Segment {
  std::size_t begin = 0;  // offset in the URL
  std::string_view text;
};

// The non-empty path segments.
std::vector<Segment> segments(std::string_view url, const UrlParts& p) {
  std::vector<Segment> out;
  std::size_t i = p.path_begin;
  while (i < p.path_end) {
    if (url[i] == '/') {
      ++i;
      continue;
    }
    const std::size_t end = std::min(url.find('/', i), p.path_end);
    out.push_back(Segment{i, url.substr(i, end - i)});
    i = end;
  }
  return out;
}

// What read_url_dates collects.
struct Found {
  std::vector<UrlDate> dates;
  std::vector<Span> spans;
};

std::optional<UrlDate> make_date(int y, int m, std::optional<int> d, int min_year, int max_year) {
  if (y < min_year || y > max_year || m < 1 || m > 12) return std::nullopt;
  if (d && !is_civil_date(y, m, *d)) return std::nullopt;
  return UrlDate{CivilDate{y, m, d.value_or(1)}, !d.has_value()};
}

// Dates written inside one piece of text (a path segment or a query value)
// that starts at `offset` in the URL: YYYY-MM-DD (and _ .), YYYY-MM, and
// YYYYMMDD when it is the whole text (an extension aside).
void scan_text(std::string_view text, std::size_t offset, Found& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) {
      ++i;
      continue;
    }
    const std::size_t year_end = digits_end(text, i);
    const std::size_t run = year_end - i;
    std::size_t next = year_end;
    const char sep = year_end < text.size() ? text[year_end] : '\0';
    if (run == 4 && (sep == '-' || sep == '_' || sep == '.') && year_end + 1 < text.size() &&
        is_digit(text[year_end + 1])) {
      const std::size_t month_end = digits_end(text, year_end + 1);
      const std::string_view month = text.substr(year_end + 1, month_end - year_end - 1);
      std::optional<int> day;
      std::size_t end = month_end;
      bool bad = month.size() > 2;
      if (!bad && month_end + 1 < text.size() && text[month_end] == sep && is_digit(text[month_end + 1])) {
        end = digits_end(text, month_end + 1);
        const std::string_view d = text.substr(month_end + 1, end - month_end - 1);
        bad = d.size() > 2;
        if (!bad) day = to_int(d);
      }
      std::optional<UrlDate> date;
      if (!bad) date = make_date(to_int(text.substr(i, 4)), to_int(month), day, 1000, 9999);
      if (date) {
        out.dates.push_back(*date);
        out.spans.push_back(Span{offset + i, offset + end, date->month_only ? "{month}" : "{date}"});
      }
      next = end;
    } else if (run == 8 && i == 0 && (year_end == text.size() || is_extension(text.substr(year_end)))) {
      const std::string_view s = text.substr(0, 8);
      if (std::optional<UrlDate> date =
              make_date(to_int(s.substr(0, 4)), to_int(s.substr(4, 2)), to_int(s.substr(6, 2)), 1900, 2199)) {
        out.dates.push_back(*date);
        out.spans.push_back(Span{offset, offset + 8, "{date}"});
      }
    }
    i = next;
  }
}

// /YYYY/MM/DD and /YYYY/MM as whole segments. Returns the indexes of the
// segments they took.
std::vector<std::size_t> scan_slashed(const std::vector<Segment>& segs, Found& out) {
  std::vector<std::size_t> taken;
  for (std::size_t i = 0; i + 1 < segs.size(); ++i) {
    const std::string_view y = segs[i].text;
    const std::string_view m = segs[i + 1].text;
    if (y.size() != 4 || !all_digits(y) || m.size() > 2 || !all_digits(m)) continue;
    std::optional<int> day;
    if (i + 2 < segs.size() && segs[i + 2].text.size() <= 2 && all_digits(segs[i + 2].text)) {
      day = to_int(segs[i + 2].text);
    }
    std::optional<UrlDate> date = make_date(to_int(y), to_int(m), day, 1000, 9999);
    if (!date && day) date = make_date(to_int(y), to_int(m), std::nullopt, 1000, 9999);  // /2024/05/99: a month
    if (!date) continue;
    const std::size_t last = i + (date->month_only ? 1 : 2);
    out.dates.push_back(*date);
    const std::size_t end = segs[last].begin + segs[last].text.size();
    out.spans.push_back(Span{segs[i].begin, end, date->month_only ? "{month}" : "{date}"});
    for (std::size_t k = i; k <= last; ++k) taken.push_back(k);
    i = last;
  }
  return taken;
}

bool key_is(std::string_view key, std::initializer_list<std::string_view> names) {
  return std::any_of(names.begin(), names.end(), [key](std::string_view n) { return ascii_iequals(key, n); });
}

// Query values, and year=&month=(&day=) keys.
void scan_query(std::string_view url, const UrlParts& p, Found& out) {
  struct Part {
    std::size_t begin = std::string_view::npos;  // npos: not in the query
    std::string_view value;
    bool found() const { return begin != std::string_view::npos; }
  };
  Part year, month, day;
  std::size_t i = p.query_begin;
  while (i < p.query_end) {
    const std::size_t end = std::min(url.find('&', i), p.query_end);
    const std::string_view param = url.substr(i, end - i);
    const std::size_t eq = param.find('=');
    if (eq != std::string_view::npos) {
      const std::string_view key = param.substr(0, eq);
      const Part value{i + eq + 1, param.substr(eq + 1)};
      if (key_is(key, {"year", "yr", "y"}) && value.value.size() == 4 && all_digits(value.value)) {
        year = value;
      } else if (key_is(key, {"month", "mon", "mo", "m"}) && value.value.size() <= 2 && all_digits(value.value)) {
        month = value;
      } else if (key_is(key, {"day", "d", "dd"}) && value.value.size() <= 2 && all_digits(value.value)) {
        day = value;
      } else {
        scan_text(value.value, value.begin, out);
      }
    }
    i = end + 1;
  }
  if (!year.found() || !month.found()) return;
  const int y = to_int(year.value);
  const int m = to_int(month.value);
  std::optional<UrlDate> date;
  if (day.found()) date = make_date(y, m, to_int(day.value), 1000, 9999);
  const bool with_day = date.has_value();
  if (!date) date = make_date(y, m, std::nullopt, 1000, 9999);  // no such day: the month
  if (!date) return;
  out.dates.push_back(*date);
  out.spans.push_back(Span{year.begin, year.begin + year.value.size(), "{year}"});
  out.spans.push_back(Span{month.begin, month.begin + month.value.size(), "{month}"});
  if (with_day) out.spans.push_back(Span{day.begin, day.begin + day.value.size(), "{day}"});
}

// The last segment holds a date and no letters beside it but an extension.
bool last_segment_is_date(const Segment& last, const std::vector<Span>& spans) {
  std::string rest;
  bool dated = false;
  std::size_t at = last.begin;
  const std::size_t end = last.begin + last.text.size();
  for (const Span& s : spans) {
    if (s.begin < last.begin || s.end > end) continue;
    dated = true;
    rest += last.text.substr(at - last.begin, s.begin - at);
    at = s.end;
  }
  if (!dated) return false;
  rest += last.text.substr(at - last.begin);
  std::string_view r = rest;
  const std::size_t dot = r.rfind('.');
  if (dot != std::string_view::npos && is_extension(r.substr(dot))) r = r.substr(0, dot);
  return std::none_of(r.begin(), r.end(), [](char c) { return is_letter(c); });
}

// path-loop: a run of k segments more than `limit` (>= 1) times in a row.
std::optional<std::string> path_loop(const std::vector<Segment>& segs, int limit) {
  for (std::size_t k = 1; k <= kMaxRun && 2 * k <= segs.size(); ++k) {
    std::size_t matches = 0;  // positions j in a row with segs[j] == segs[j + k]
    for (std::size_t j = 0; j + k < segs.size(); ++j) {
      matches = segs[j].text == segs[j + k].text ? matches + 1 : 0;
      if (matches < k * static_cast<std::size_t>(limit)) continue;
      // The run starts at j + 1 - matches; count all its repeats.
      const std::size_t start = j + 1 - matches;
      while (j + 1 + k < segs.size() && segs[j + 1].text == segs[j + 1 + k].text) ++j, ++matches;
      std::string run;
      for (std::size_t r = start; r < start + k; ++r) run += (run.empty() ? "" : "/") + std::string(segs[r].text);
      return "path-loop: " + quoted(run) + " " + std::to_string(matches / k + 1) + " times in a row (limit " +
             std::to_string(limit) + ")";
    }
  }
  return std::nullopt;
}

std::optional<std::string> path_repeats(const std::vector<Segment>& segs, int limit) {
  std::unordered_map<std::string_view, int> seen;
  const Segment* worst = nullptr;
  int most = 0;
  for (const Segment& s : segs) {
    const int n = ++seen[s.text];
    if (n > most) most = n, worst = &s;
  }
  if (worst == nullptr || most <= limit) return std::nullopt;
  return "path-repeats: segment " + quoted(worst->text) + " " + std::to_string(most) + " times (limit " +
         std::to_string(limit) + ")";
}

TrapRefusal refusal(std::string_view rule, std::string message) {
  return TrapRefusal{std::string(rule), std::move(message), true, false};
}

}  // namespace

DatedUrl read_url_dates(std::string_view url) {
  DatedUrl out;
  const UrlParts p = split(url);
  const std::vector<Segment> segs = segments(url, p);
  Found found;
  const std::vector<std::size_t> taken = scan_slashed(segs, found);
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (std::find(taken.begin(), taken.end(), i) == taken.end()) scan_text(segs[i].text, segs[i].begin, found);
  }
  const std::size_t path_dates = found.dates.size();
  scan_query(url, p, found);
  if (found.dates.empty()) return out;
  std::sort(found.spans.begin(), found.spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  out.calendar_like = found.dates.size() > path_dates;  // a date in the query
  if (!out.calendar_like && !segs.empty()) {
    const bool slashed_last = !taken.empty() && taken.back() == segs.size() - 1;
    out.calendar_like = slashed_last || last_segment_is_date(segs.back(), found.spans);
  }
  std::size_t at = 0;
  for (const Span& s : found.spans) {
    out.pattern.append(url.substr(at, s.begin - at));
    out.pattern.append(s.placeholder);
    at = s.end;
  }
  out.pattern.append(url.substr(at));
  out.dates = std::move(found.dates);
  return out;
}

namespace {

// The rules without counts; `dated` is filled when `want_dates` or the
// calendar rule needs the URL's dates.
std::optional<TrapRefusal> check_static(std::string_view url, const TrapOptions& o, std::int64_t crawl_day,
                                        bool want_dates, DatedUrl& dated) {
  if (o.max_url_length >= 0 && static_cast<std::int64_t>(url.size()) > o.max_url_length) {
    return refusal("url-length", "url-length: " + std::to_string(url.size()) + " bytes (limit " +
                                     std::to_string(o.max_url_length) + ")");
  }
  const std::vector<Segment> segs = segments(url, split(url));
  if (o.max_path_repeats >= 1) {
    if (std::optional<std::string> why = path_loop(segs, o.max_path_repeats)) return refusal("path-loop", *why);
  }
  if (o.max_segment_repeats >= 1) {
    if (std::optional<std::string> why = path_repeats(segs, o.max_segment_repeats)) {
      return refusal("path-repeats", *why);
    }
  }
  if (!want_dates && o.max_future_days < 0) return std::nullopt;
  dated = read_url_dates(url);
  if (o.max_future_days < 0) return std::nullopt;
  const UrlDate* latest = nullptr;
  for (const UrlDate& d : dated.dates) {
    if (latest == nullptr || d.date.days_since_epoch() > latest->date.days_since_epoch()) latest = &d;
  }
  if (latest == nullptr) return std::nullopt;
  const std::int64_t ahead = latest->date.days_since_epoch() - crawl_day;
  if (ahead <= o.max_future_days) return std::nullopt;
  const std::string shown = latest->month_only ? latest->date.to_string().substr(0, 7) : latest->date.to_string();
  return refusal("calendar", "calendar: " + shown + " is " + std::to_string(ahead) + " days after the crawl started (" +
                                 CivilDate::from_days_since_epoch(crawl_day).to_string() + "; limit " +
                                 std::to_string(o.max_future_days) + ")");
}

}  // namespace

std::optional<TrapRefusal> check_url(std::string_view url, const TrapOptions& options, std::int64_t crawl_day) {
  DatedUrl dated;
  return check_static(url, options, crawl_day, /*want_dates=*/false, dated);
}

store::PageRecord trap_record(std::string_view url, int depth, const TrapRefusal& refusal, std::int64_t now_ms) {
  store::PageRecord r;
  r.url = std::string(url);
  r.final_url = r.url;
  r.depth = depth;
  r.status = 0;
  r.attempts = 0;
  r.fetched_at_ms = now_ms;
  r.state = store::FrontierState::kDone;
  r.error_class = std::string(kTrapErrorClass);
  r.error_message = refusal.message;
  return r;
}

TrapGuard::TrapGuard(const TrapOptions& options, std::int64_t crawl_day) : options_(options), crawl_day_(crawl_day) {}

void TrapGuard::count(std::string_view url) {
  if (options_.max_pages_per_host < 0 && options_.max_pages_per_date_pattern < 0) return;
  const std::string host = robots_site(url);
  count(host, options_.max_pages_per_date_pattern < 0 ? DatedUrl{} : read_url_dates(url));
}

void TrapGuard::count_known(std::string_view url) {
  DatedUrl dated;
  const bool want_dates = options_.max_pages_per_date_pattern >= 0;
  const std::optional<TrapRefusal> r = check_static(url, options_, crawl_day_, want_dates, dated);
  const std::string host = robots_site(url);
  if (!r) {
    if (options_.max_pages_per_host >= 0 || dated.calendar_like) count(host, dated);
    return;
  }
  refused_.insert(url);
  ++rows_[host + " " + r->rule];
}

void TrapGuard::count(std::string_view host, const DatedUrl& dated) {
  if (options_.max_pages_per_host >= 0) ++per_host_[std::string(host)];
  if (dated.calendar_like) ++per_pattern_[SeenSet::hash(dated.pattern)];
}

std::optional<TrapRefusal> TrapGuard::check_budgets(std::string_view host, const DatedUrl& dated) const {
  const std::int64_t pattern_limit = options_.max_pages_per_date_pattern;
  if (pattern_limit >= 0 && dated.calendar_like) {
    const auto it = per_pattern_.find(SeenSet::hash(dated.pattern));
    const std::int64_t n = it == per_pattern_.end() ? 0 : it->second;
    if (n >= pattern_limit) {
      return refusal("calendar-pattern", "calendar-pattern: " + std::to_string(n) + " URLs like " + dated.pattern +
                                             " already (limit " + std::to_string(pattern_limit) + ")");
    }
  }
  const std::int64_t host_limit = options_.max_pages_per_host;
  if (host_limit >= 0) {
    const auto it = per_host_.find(std::string(host));
    const std::int64_t n = it == per_host_.end() ? 0 : it->second;
    if (n >= host_limit) {
      return refusal("host-budget", "host-budget: " + std::to_string(n) + " URLs of " + std::string(host) +
                                        " already (limit " + std::to_string(host_limit) + ")");
    }
  }
  return std::nullopt;
}

std::optional<TrapRefusal> TrapGuard::check(std::string_view url) {
  if (refused_.contains(url)) return TrapRefusal{"", "", false, false};
  const std::string host = robots_site(url);
  DatedUrl dated;
  std::optional<TrapRefusal> r =
      check_static(url, options_, crawl_day_, options_.max_pages_per_date_pattern >= 0, dated);
  if (!r) r = check_budgets(host, dated);
  if (!r) {
    count(host, dated);
    return std::nullopt;
  }
  refused_.insert(url);
  std::int64_t& rows = rows_[host + " " + r->rule];
  if (options_.max_rows_per_rule < 0 || rows < options_.max_rows_per_rule) {
    r->record = true;
    ++rows;
  }
  return r;
}

}  // namespace preheat::crawl
