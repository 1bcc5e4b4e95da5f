#include "crawl/robots_policy.h"

#include <algorithm>

namespace preheat::crawl {
namespace {

RobotsEntry allow_all(TimePoint now, const RobotsOptions& options, std::string reason) {
  RobotsEntry e;
  e.access = RobotsAccess::kAllowAll;
  e.expires = now + options.cache_ttl;
  e.reason = std::move(reason);
  return e;
}

RobotsEntry disallow_all(const RobotsFetchOutcome& outcome, TimePoint now, const RobotsOptions& options,
                         std::string reason) {
  RobotsEntry e;
  e.access = RobotsAccess::kDisallowAll;
  Duration wait = options.unreachable_retry;
  if (outcome.retry_after) wait = std::max(wait, std::min(*outcome.retry_after, options.cache_ttl));
  e.expires = now + wait;
  e.reason = std::move(reason);
  return e;
}

}  // namespace

const char* to_string(RobotsAccess access) {
  switch (access) {
    case RobotsAccess::kRules: return "rules";
    case RobotsAccess::kAllowAll: return "allow-all";
    case RobotsAccess::kDisallowAll: return "disallow-all";
  }
  return "?";
}

RobotsEntry::Verdict RobotsEntry::check(std::string_view path_and_query) const {
  switch (access) {
    case RobotsAccess::kAllowAll:
      return Verdict{};
    case RobotsAccess::kDisallowAll:
      return Verdict{.allowed = false, .retry_later = true};
    case RobotsAccess::kRules: {
      const RobotsRules::Verdict v = rules.check(path_and_query);
      return Verdict{.allowed = v.allowed, .rule = v.rule};
    }
  }
  return Verdict{};
}

RobotsEntry decide_robots(const RobotsFetchOutcome& outcome, TimePoint now, std::string_view agent,
                          const RobotsOptions& options) {
  const std::string status = "http " + std::to_string(outcome.status);
  if (outcome.redirect_failed || outcome.redirects > options.max_redirects) {
    return allow_all(now, options, "unavailable: more than " + std::to_string(options.max_redirects) +
                                       " redirects or a redirect loop");
  }
  if (outcome.status == 0) {
    RobotsEntry e = disallow_all(outcome, now, options,
                                 "unreachable: " + (outcome.error.empty() ? std::string("no answer") : outcome.error));
    e.error_class = outcome.error_class;
    return e;
  }
  if (outcome.status == 429 || outcome.status >= 500) return disallow_all(outcome, now, options, "unreachable: " + status);
  if (outcome.status >= 300) return allow_all(now, options, "unavailable: " + status);
  if (outcome.status < 200) return disallow_all(outcome, now, options, "unreachable: " + status);

  const RobotsTxt txt = RobotsTxt::parse(outcome.body);
  RobotsEntry e;
  e.access = RobotsAccess::kRules;
  e.rules = txt.rules_for(agent);
  e.sitemaps = txt.sitemaps();
  e.expires = now + options.cache_ttl;
  e.reason = status + ": " + std::to_string(e.rules.rules().size()) + " rules" +
             (txt.truncated() ? " (file cut at 500 KiB)" : "");
  return e;
}

std::optional<Duration> effective_crawl_delay(const RobotsEntry& entry, const RobotsOptions& options) {
  if (entry.access != RobotsAccess::kRules || !entry.rules.crawl_delay()) return std::nullopt;
  // Clamp in seconds first: a huge value must not overflow the conversion.
  const double cap = to_seconds(options.max_crawl_delay);
  const double seconds = std::min(*entry.rules.crawl_delay(), cap);
  return std::min(options.max_crawl_delay,
                  std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds)));
}

const RobotsEntry* RobotsCache::find(std::string_view site) {
  const auto it = entries_.find(std::string(site));
  if (it == entries_.end()) return nullptr;
  if (clock_.now() >= it->second.expires) {
    entries_.erase(it);
    return nullptr;
  }
  return &it->second;
}

const RobotsEntry* RobotsCache::get(std::string_view site) const {
  const auto it = entries_.find(std::string(site));
  return it == entries_.end() ? nullptr : &it->second;
}

const RobotsEntry& RobotsCache::put(std::string site, RobotsEntry entry) {
  auto& slot = entries_[std::move(site)];
  slot = std::move(entry);
  return slot;
}

}  // namespace preheat::crawl
