// The PostgreSQL store's reads as plans (postgres_read_plans.h): the SQL and
// the row decoding of stats, pages, links, broken targets, runs, timelines,
// the time histogram and the export's bodies. The SQLite store's queries
// (sqlite_crawl_store_*.cc) in PostgreSQL's dialect.
#include "store/postgres/postgres_read_plans.h"

#include "store/postgres/pg_search_sql.h"

#include <algorithm>
#include <utility>

namespace preheat::store::postgres {
namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

constexpr std::string_view kRunColumns =
    "SELECT r.id, r.started_at_ms, coalesce(r.ended_at_ms, 0), r.mode, r.seeds, coalesce(r.outcome, ''), "
    "coalesce(r.wall_s, 0), coalesce(r.execution_s, 0), "
    "(SELECT count(*) FROM pages p WHERE p.run_id = r.id) FROM runs r ";

RunSummary run_from(const PgRows& r, int i) {
  return RunSummary{r.int64(i, 0),           r.int64(i, 1), r.int64(i, 2), std::string(r.text(i, 3)),
                    std::string(r.text(i, 4)), std::string(r.text(i, 5)), r.real(i, 6), r.real(i, 7),
                    r.int64(i, 8)};
}

// The statements of stats() after the counts, each read into `st` by its row
// function.
struct Group {
  const char* sql;
  void (*row)(const PgRows& r, int i, CrawlStats& st);
};

constexpr Group kStatsGroups[] = {
    {"SELECT state, count(*) FROM frontier GROUP BY state",
     [](const PgRows& r, int i, CrawlStats& st) { st.frontier[static_cast<FrontierState>(r.int64(i, 0))] = r.int64(i, 1); }},
    {"SELECT status / 100, count(*) FROM pages GROUP BY 1",
     [](const PgRows& r, int i, CrawlStats& st) { st.status_classes[static_cast<int>(r.int64(i, 0))] = r.int64(i, 1); }},
    {"SELECT error_class, count(*) FROM pages WHERE error_class <> '' GROUP BY 1",
     [](const PgRows& r, int i, CrawlStats& st) { st.errors[std::string(r.text(i, 0))] = r.int64(i, 1); }},
    // The rule is the error message up to its first ':' ('' without one, as SQLite's substr gives).
    {"SELECT CASE WHEN strpos(error_message, ':') > 0 "
     "THEN substr(error_message, 1, strpos(error_message, ':') - 1) ELSE '' END, count(*) FROM pages "
     "WHERE error_class = 'trap' GROUP BY 1",
     [](const PgRows& r, int i, CrawlStats& st) { st.traps[std::string(r.text(i, 0))] = r.int64(i, 1); }},
    {"SELECT depth, count(*) FROM pages GROUP BY depth",
     [](const PgRows& r, int i, CrawlStats& st) { st.depths[static_cast<int>(r.int64(i, 0))] = r.int64(i, 1); }},
    // The host of a normalised URL ends at the first '/' after the scheme (see the SQLite store).
    {"SELECT substr(u.url, 1, strpos(substr(u.url, 9), '/') + 7) AS host, count(*), "
     "count(*) FILTER (WHERE p.error_class <> ''), sum(p.attempts), avg(p.elapsed_s), "
     "bool_or(p.error_class = 'host-failing') "
     "FROM pages p JOIN urls u ON u.id = p.url_id GROUP BY 1 ORDER BY 1",
     [](const PgRows& r, int i, CrawlStats& st) {
       st.hosts.push_back(HostStats{std::string(r.text(i, 0)), r.int64(i, 1), r.int64(i, 2), r.int64(i, 3),
                                    r.real(i, 4), r.boolean(i, 5)});
     }},
};
constexpr int kStatsGroupCount = static_cast<int>(sizeof kStatsGroups / sizeof kStatsGroups[0]);

void read_counts(const PgRows& r, CrawlStats& st) {
  st.urls = r.int64(0, 0);
  st.links = r.int64(0, 1);
  st.redirects = r.int64(0, 2);
  st.runs = static_cast<int>(r.int64(0, 3));
  st.pages = r.int64(0, 4);
  st.bytes = r.int64(0, 5);
  st.wire_bytes = r.int64(0, 6);
  st.first_fetch_ms = r.int64(0, 7);
  st.last_fetch_ms = r.int64(0, 8);
}

PgQuery out_links_query(const std::string& url, std::size_t limit) {
  return {"SELECT tu.url, l.anchor, l.rel, l.tag, p.status, p.error_class FROM urls fu "
          "JOIN links l ON l.from_id = fu.id JOIN urls tu ON tu.id = l.to_id LEFT JOIN pages p ON p.url_id = l.to_id "
          "WHERE md5(fu.url) = md5($1) AND fu.url = $1 ORDER BY l.seq LIMIT $2",
          {url, num(sql_limit(limit))}};
}

std::vector<LinkView> read_out_links(const PgRows& r) {
  std::vector<LinkView> links;
  for (int i = 0; i < r.rows(); ++i) {
    LinkView& v = links.emplace_back();
    v.url = r.text(i, 0);
    v.anchor = r.text(i, 1);
    v.rel = r.text(i, 2);
    v.tag = r.text(i, 3);
    if (!r.is_null(i, 4)) {
      v.status = static_cast<int>(r.int64(i, 4));
      v.error_class = r.text(i, 5);
    }
  }
  return links;
}

// One row per linking page (its first link to `url`), sorted by its URL.
PgQuery in_links_query(const std::string& url, std::size_t limit) {
  return {"SELECT from_url, anchor, status FROM (SELECT DISTINCT ON (l.from_id) fu.url AS from_url, l.anchor, "
          "coalesce(p.status, 0) AS status FROM urls tu JOIN links l ON l.to_id = tu.id JOIN urls fu ON fu.id = l.from_id "
          "LEFT JOIN pages p ON p.url_id = l.from_id WHERE md5(tu.url) = md5($1) AND tu.url = $1 "
          "ORDER BY l.from_id, l.seq) x ORDER BY from_url LIMIT $2",
          {url, num(sql_limit(limit))}};
}

std::vector<InLink> read_in_links(const PgRows& r) {
  std::vector<InLink> links;
  for (int i = 0; i < r.rows(); ++i) {
    links.push_back(InLink{std::string(r.text(i, 0)), std::string(r.text(i, 1)), static_cast<int>(r.int64(i, 2))});
  }
  return links;
}

}  // namespace

std::int64_t sql_limit(std::size_t n) {
  return static_cast<std::int64_t>(std::min<std::size_t>(n, std::size_t{1} << 62));
}

Params params_of(const PgQuery& q) {
  Params p;
  for (const std::optional<std::string>& v : q.params) {
    if (v) {
      p.text(*v);
    } else {
      p.null();
    }
  }
  return p;
}

PageRecord read_page_columns(const PgRows& r, int row, int first, bool with_text) {
  const auto text = [&](int i) { return std::string(r.text(row, first + i)); };
  const auto integer = [&](int i) { return r.int64(row, first + i); };
  PageRecord p;
  p.url = text(0);
  p.final_url = text(1);
  p.depth = static_cast<int>(integer(2));
  p.status = static_cast<int>(integer(3));
  p.content_type = text(4);
  p.bytes = static_cast<std::uint64_t>(integer(5));
  p.wire_bytes = static_cast<std::uint64_t>(integer(6));
  p.fetched_at_ms = integer(7);
  p.elapsed_s = r.real(row, first + 8);
  p.title = text(9);
  p.description = text(10);
  p.canonical = text(11);
  p.language = text(12);
  if (!r.is_null(row, first + 13)) p.content_hash = static_cast<std::uint64_t>(integer(13));
  p.error_class = text(14);
  p.error_message = text(15);
  p.attempts = static_cast<int>(integer(16));
  p.etag = text(17);
  p.last_modified = text(18);
  p.robots = text(19);
  p.checked_at_ms = integer(20);
  p.not_modified = r.boolean(row, first + 21);
  if (with_text) p.text = text(22);
  return p;
}

std::optional<PgQuery> StatsPlan::next(const PgRows* previous) {
  const int step = step_++;
  if (step == 0) {
    return PgQuery{"SELECT (SELECT count(*) FROM urls), (SELECT count(*) FROM links), (SELECT count(*) FROM redirects), "
                   "(SELECT count(*) FROM runs), count(*), coalesce(sum(bytes), 0), coalesce(sum(wire_bytes), 0), "
                   "coalesce(min(fetched_at_ms), 0), coalesce(max(fetched_at_ms), 0) FROM pages",
                   {}};
  }
  if (step == 1) {
    read_counts(*previous, value);
  } else {
    for (int i = 0; i < previous->rows(); ++i) kStatsGroups[step - 2].row(*previous, i, value);
  }
  if (step - 1 < kStatsGroupCount) return PgQuery{kStatsGroups[step - 1].sql, {}};
  return std::nullopt;
}

std::optional<PgQuery> PagePlan::next(const PgRows* previous) {
  // Steps: the page row, its redirects, its link rows (with_text), its
  // out-links and in-links (links_limit_ > 0).
  switch (step_++) {
    case 0:
      return PgQuery{"SELECT p.url_id, f.state, f.next_due_ms, " + std::string(kPageColumns) +
                         (with_text_ ? ", p.text" : "") +
                         " FROM urls u JOIN pages p ON p.url_id = u.id "
                         "JOIN urls fu ON fu.id = p.final_url_id LEFT JOIN frontier f ON f.url_id = p.url_id "
                         "WHERE md5(u.url) = md5($1) AND u.url = $1",
                     {url_}};
    case 1: {
      if (previous->rows() == 0) return std::nullopt;
      value.emplace();
      PageRecord& page = value->page;
      page = read_page_columns(*previous, 0, 3, with_text_);
      page.state = previous->is_null(0, 1) ? FrontierState::kDone : static_cast<FrontierState>(previous->int64(0, 1));
      page.next_due_ms = previous->int64(0, 2);
      id_ = previous->int64(0, 0);
      return PgQuery{"SELECT fu.url, tu.url, r.status FROM redirects r JOIN urls fu ON fu.id = r.from_id "
                     "JOIN urls tu ON tu.id = r.to_id WHERE r.page_id = $1 ORDER BY r.hop",
                     {num(id_)}};
    }
    case 2:
      for (int i = 0; i < previous->rows(); ++i) {
        value->page.redirects.push_back(RedirectRecord{std::string(previous->text(i, 0)),
                                                       std::string(previous->text(i, 1)),
                                                       static_cast<int>(previous->int64(i, 2))});
      }
      if (with_text_) {
        return PgQuery{"SELECT u.url, l.anchor, l.rel, l.tag FROM links l JOIN urls u ON u.id = l.to_id "
                       "WHERE l.from_id = $1 ORDER BY l.seq",
                       {num(id_)}};
      }
      ++step_;
      [[fallthrough]];
    case 3:
      if (with_text_) {
        for (int i = 0; i < previous->rows(); ++i) {
          value->page.links.push_back(LinkRecord{std::string(previous->text(i, 0)), std::string(previous->text(i, 1)),
                                                 std::string(previous->text(i, 2)), std::string(previous->text(i, 3))});
        }
      }
      if (links_limit_ == 0) return std::nullopt;
      return out_links_query(url_, links_limit_);
    case 4:
      value->out_links = read_out_links(*previous);
      return in_links_query(url_, links_limit_);
    default:
      value->in_links = read_in_links(*previous);
      return std::nullopt;
  }
}

std::optional<PgQuery> OutLinksPlan::next(const PgRows* previous) {
  if (previous == nullptr) return out_links_query(url_, limit_);
  value = read_out_links(*previous);
  return std::nullopt;
}

std::optional<PgQuery> InLinksPlan::next(const PgRows* previous) {
  if (previous == nullptr) return in_links_query(url_, limit_);
  value = read_in_links(*previous);
  return std::nullopt;
}

std::optional<PgQuery> BrokenTargetsPlan::next(const PgRows* previous) {
  if (!started_) {
    started_ = true;
    return PgQuery{"SELECT p.url_id, u.url, p.status, p.error_class, p.error_message, "
                   "(SELECT count(*) FROM links l WHERE l.to_id = p.url_id) AS refs "
                   "FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.status >= 400 OR p.error_class <> '' "
                   "ORDER BY refs DESC, u.url LIMIT $1",
                   {num(sql_limit(limit_))}};
  }
  if (ids_.empty() && value.empty()) {
    for (int i = 0; i < previous->rows(); ++i) {
      BrokenTarget& t = value.emplace_back();
      ids_.push_back(previous->int64(i, 0));
      t.url = previous->text(i, 1);
      t.status = static_cast<int>(previous->int64(i, 2));
      t.error_class = previous->text(i, 3);
      t.error_message = previous->text(i, 4);
      t.referrers = previous->int64(i, 5);
    }
    return referrers_query();
  }
  for (int j = 0; j < previous->rows(); ++j) value[filled_].sample_referrers.emplace_back(previous->text(j, 0));
  ++filled_;
  return referrers_query();
}

std::optional<PgQuery> BrokenTargetsPlan::referrers_query() {
  if (referrers_ == 0 || filled_ >= ids_.size()) return std::nullopt;
  return PgQuery{"SELECT DISTINCT fu.url FROM links l JOIN urls fu ON fu.id = l.from_id WHERE l.to_id = $1 "
                 "ORDER BY fu.url LIMIT $2",
                 {num(ids_[filled_]), num(sql_limit(referrers_))}};
}

std::optional<PgQuery> RunsPlan::next(const PgRows* previous) {
  if (previous == nullptr) return PgQuery{std::string(kRunColumns) + "ORDER BY r.id DESC", {}};
  for (int i = 0; i < previous->rows(); ++i) value.push_back(run_from(*previous, i));
  return std::nullopt;
}

std::optional<PgQuery> RunTimelinePlan::next(const PgRows* previous) {
  switch (step_++) {
    case 0:
      if (run_id_) return PgQuery{std::string(kRunColumns) + "WHERE r.id = $1", {num(*run_id_)}};
      return PgQuery{std::string(kRunColumns) + "ORDER BY r.id DESC LIMIT 1", {}};
    case 1: {
      if (previous->rows() != 1) return std::nullopt;
      value = RunTimeline{run_from(*previous, 0), 1, {}};
      const std::int64_t budget = static_cast<std::int64_t>(std::max<std::size_t>(max_spans_, 1));
      value->stride = std::max<std::int64_t>(1, (value->run.pages + budget - 1) / budget);
      return PgQuery{"SELECT url, fetched_at_ms, elapsed_s, status, error_class FROM ("
                     "SELECT u.url, p.fetched_at_ms, p.elapsed_s, p.status, p.error_class, "
                     "row_number() OVER (ORDER BY p.fetched_at_ms, p.url_id) - 1 AS n "
                     "FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.run_id = $1) x WHERE n % $2 = 0 ORDER BY n",
                     {num(value->run.id), num(value->stride)}};
    }
    default:
      for (int i = 0; i < previous->rows(); ++i) {
        value->spans.push_back(FetchSpan{std::string(previous->text(i, 0)), previous->int64(i, 1),
                                         previous->real(i, 2), static_cast<int>(previous->int64(i, 3)),
                                         std::string(previous->text(i, 4))});
      }
      return std::nullopt;
  }
}

std::optional<PgQuery> PagesOverTimePlan::next(const PgRows* previous) {
  switch (step_++) {
    case 0:
      return PgQuery{"SELECT min(fetched_at_ms), max(fetched_at_ms) FROM pages", {}};
    case 1: {
      if (previous->is_null(0, 0) || buckets_ == 0) return std::nullopt;
      TimeHistogram& h = value;
      h.start_ms = previous->int64(0, 0);
      const std::int64_t span = previous->int64(0, 1) - h.start_ms + 1;  // ms, at least 1
      const std::int64_t n = std::min<std::int64_t>(static_cast<std::int64_t>(buckets_), span);
      h.bucket_ms = (span + n - 1) / n;
      h.counts.assign(static_cast<std::size_t>((span + h.bucket_ms - 1) / h.bucket_ms), 0);
      return PgQuery{"SELECT (fetched_at_ms - $1) / $2, count(*) FROM pages GROUP BY 1",
                     {num(h.start_ms), num(h.bucket_ms)}};
    }
    default:
      for (int i = 0; i < previous->rows(); ++i) {
        const std::int64_t b = previous->int64(i, 0);
        if (b >= 0 && b < static_cast<std::int64_t>(value.counts.size())) {
          value.counts[static_cast<std::size_t>(b)] = previous->int64(i, 1);
        }
      }
      return std::nullopt;
  }
}

SearchPlan::SearchPlan(const SearchQuery& query, std::size_t offset, std::size_t limit) {
  Result<PgSearchStatement> st = pg_search_statement(query, offset, limit);
  if (!st.ok()) {
    status_ = st.status();
    return;
  }
  PgQuery q{std::move(st->sql), {}};
  for (std::string& v : st->params) q.params.emplace_back(std::move(v));
  query_ = std::move(q);
}

std::optional<PgQuery> SearchPlan::next(const PgRows* previous) {
  if (previous == nullptr) {
    if (!status_.ok() || !query_) return std::nullopt;
    return std::exchange(query_, std::nullopt);
  }
  Result<SearchResults> r =
      pg_search_results(previous->rows(), [previous](int row, int column) -> std::optional<std::string_view> {
        if (previous->is_null(row, column)) return std::nullopt;
        return previous->text(row, column);
      });
  if (r.ok()) {
    value = std::move(*r);
  } else {
    status_ = r.status();
  }
  return std::nullopt;
}

std::optional<PgQuery> BodiesAfterPlan::next(const PgRows* previous) {
  if (previous == nullptr) {
    // The byte budget is counted by the server (a running sum over the rows
    // in page order; octet_length of a BYTEA does not detoast it), so the
    // rows past it are never sent.
    return PgQuery{
        "SELECT page_id, url, final_url, status, fetched_at_ms, request_block, response_block, body FROM ("
        "SELECT b.page_id, u.url, fu.url AS final_url, p.status, p.fetched_at_ms, b.request_block, "
        "b.response_block, b.body, row_number() OVER w AS n, "
        "sum(octet_length(b.body) + octet_length(b.request_block) + octet_length(b.response_block)) OVER w - "
        "(octet_length(b.body) + octet_length(b.request_block) + octet_length(b.response_block)) AS before "
        "FROM bodies b JOIN pages p ON p.url_id = b.page_id JOIN urls u ON u.id = p.url_id "
        "JOIN urls fu ON fu.id = p.final_url_id WHERE b.page_id > $1 "
        "WINDOW w AS (ORDER BY b.page_id) ORDER BY b.page_id LIMIT $2) x "
        "WHERE n = 1 OR before < $3 ORDER BY page_id",
        {num(after_), num(sql_limit(limit_)), num(sql_limit(max_bytes_))}};
  }
  for (int i = 0; i < previous->rows(); ++i) {
    StoredBody& b = value.emplace_back();
    b.page_id = previous->int64(i, 0);
    b.url = previous->text(i, 1);
    b.final_url = previous->text(i, 2);
    b.status = static_cast<int>(previous->int64(i, 3));
    b.fetched_at_ms = previous->int64(i, 4);
    b.request_block = previous->bytea(i, 5);
    b.response_block = previous->bytea(i, 6);
    b.body = previous->bytea(i, 7);
  }
  return std::nullopt;
}

}  // namespace preheat::store::postgres
