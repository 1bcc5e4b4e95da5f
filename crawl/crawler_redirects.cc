// robots.txt for redirect targets (docs/architecture.md, crawl step 5).
//
// A fetch follows a redirect only when robots.txt of the target's site is
// known and allows the target (fetch::Request::redirect_check, asked before
// each hop). Otherwise the fetch stops at the redirect, and:
//  - disallowed by a rule: the requested URL's row records the redirect (its
//    final URL is the target) with error class "robots" and the rule; the
//    target, when in scope, goes to the frontier like a discovered URL and
//    gets its own "robots" row there, never a request;
//  - robots.txt of the target's site not fetched yet (another site: a seed's
//    http -> https or www redirect), or unreachable: the target goes the
//    normal way, as a URL the page discovered at the page's depth (a
//    redirect is not a link hop): its site's robots.txt is fetched first,
//    its verdict and politeness apply, and its content is its own row. A
//    seed's target still widens the scope (crawl/page_analysis.h).
// Fetching the other site's robots.txt inside the fetch instead would hold
// the fetcher's in-flight slot while waiting for another one: with every
// slot held by such fetches, nothing could move.
//
// Fleet mode (several processes on one PostgreSQL): a hop to another host
// (store::fleet_host) is never followed inline, robots or not. When another
// worker holds that host, its politeness state (connections, delays,
// pauses) lives in that process; and even when this worker holds it, an
// inline hop waits for the host's delay but takes none of its connection
// slots (the fetch holds its first host's), so two hops at once could pass
// --per-host (measured: one run in ten of CliCrawlFleetTest's redirect test
// had 2 connections at once with --per-host 1 when one worker held both
// hosts). The fetch stops at the redirect and the target goes to the
// frontier as above (robots.txt not known yet), so that the holder of its
// host, now or later, fetches it under that host's politeness.
#include "crawl/crawler.h"

#include "base/url_normalizer.h"
#include "crawl/robots_gate.h"

namespace preheat::crawl {

namespace {

std::string rule_text(const RobotsEntry::Verdict& v) {
  return "Disallow: " + v.rule->pattern.text() + " (robots.txt line " + std::to_string(v.rule->line) + ")";
}

}  // namespace

std::string Crawler::redirect_refusal(const std::string& target, const std::string& from) const {
  if (frontier_->fleet() && store::fleet_host(target) != from) {
    return "another host (fleet): " + store::fleet_host(target) + " is fetched by its holder";
  }
  if (!options_.robots) return std::string();
  const std::string site = robots_site(target);
  const RobotsEntry* entry = robots_cache_.get(site);
  if (entry == nullptr) return "robots.txt of " + site + " not known yet";
  const RobotsEntry::Verdict v = entry->check(robots_path(target));
  if (v.allowed) return std::string();
  if (v.retry_later) return "robots.txt of " + site + " " + entry->reason;
  return rule_text(v);
}

void Crawler::after_refused_redirect(const FrontierItem& item, PageAnalysis& a) {
  if (a.retry || a.record.redirects.empty()) return;
  const std::string target = a.record.redirects.back().to_url;
  a.record.final_url = target;
  const RobotsEntry* entry = robots_cache_.get(robots_site(target));
  const RobotsEntry::Verdict v = entry != nullptr ? entry->check(robots_path(target)) : RobotsEntry::Verdict{};
  const bool blocked = entry != nullptr && !v.allowed && !v.retry_later;
  if (blocked) {
    a.record.error_class = std::string(kRobotsErrorClass);
    a.record.error_message = "redirect to " + target + " not followed: " + rule_text(v);
  }
  if (scope_->scope.check(target, item.depth) == Verdict::kIn) {
    a.candidates.push_back(Candidate{target, item.depth});
  } else if (item.depth == 0 && !blocked && is_fetchable(target)) {
    a.seed_redirect = target;  // absorb() widens the scope before it discovers the target
    a.candidates.push_back(Candidate{target, 0});
  }
}

}  // namespace preheat::crawl
