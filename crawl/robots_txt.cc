#include "crawl/robots_txt.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace preheat::crawl {
namespace {

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool key_is(std::string_view key, std::string_view name) {
  return key.size() == name.size() &&
         std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) { return ascii_lower(a) == b; });
}

// "10", "0.5", ".5", "5." -> seconds; anything else -> nullopt.
std::optional<double> parse_delay(std::string_view v) {
  if (v.empty() || v == ".") return std::nullopt;
  bool dot = false;
  for (char c : v) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  double out = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  // Too large for a double: "forever", which the policy caps.
  if (ec == std::errc::result_out_of_range) return std::numeric_limits<double>::infinity();
  if (ec != std::errc() || ptr != v.data() + v.size()) return std::nullopt;
  return out;
}

std::optional<double> max_delay(std::optional<double> a, std::optional<double> b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}

// The body without a BOM, cut to kMaxBytes at the last complete line.
std::string_view bounded(std::string_view body, bool& truncated) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  truncated = body.size() > RobotsTxt::kMaxBytes;
  if (!truncated) return body;
  body = body.substr(0, RobotsTxt::kMaxBytes);
  const std::size_t end = body.find_last_of("\r\n");
  return end == std::string_view::npos ? std::string_view() : body.substr(0, end + 1);
}

}  // namespace

std::string robots_product_token(std::string_view user_agent) {
  user_agent = trim(user_agent);
  if (!user_agent.empty() && user_agent.front() == '*') return "*";
  std::string out;
  for (char c : user_agent) {
    if (!is_token_char(c)) break;
    out += ascii_lower(c);
  }
  return out;
}

RobotsTxt RobotsTxt::parse(std::string_view body) {
  RobotsTxt txt;
  body = bounded(body, txt.truncated_);
  bool collecting_agents = false;  // the last group-relevant line was a user-agent line
  int line_number = 0;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(pos, end - pos);
    pos = end + ((end + 1 < body.size() && body[end] == '\r' && body[end + 1] == '\n') ? 2 : 1);
    ++line_number;

    line = line.substr(0, line.find('#'));
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));

    if (key_is(key, "user-agent")) {
      if (!collecting_agents) txt.groups_.emplace_back();
      collecting_agents = true;
      std::string token = robots_product_token(value);
      if (!token.empty()) txt.groups_.back().agents.push_back(std::move(token));
    } else if (key_is(key, "allow") || key_is(key, "disallow")) {
      collecting_agents = false;
      if (txt.groups_.empty() || value.empty()) continue;
      txt.groups_.back().rules.push_back(RobotsRule{RobotsPattern(value), key_is(key, "allow"), line_number});
    } else if (key_is(key, "crawl-delay")) {
      collecting_agents = false;
      if (txt.groups_.empty()) continue;
      auto& delay = txt.groups_.back().crawl_delay;
      delay = max_delay(delay, parse_delay(value));
    } else if (key_is(key, "sitemap")) {
      if (!value.empty()) txt.sitemaps_.emplace_back(value);
    }
  }
  return txt;
}

RobotsRules RobotsTxt::rules_for(std::string_view agent) const {
  const std::string token = robots_product_token(agent);
  auto names = [](const RobotsGroup& g, std::string_view t) {
    return std::find(g.agents.begin(), g.agents.end(), t) != g.agents.end();
  };
  const bool specific = token != "*" && !token.empty() &&
                        std::any_of(groups_.begin(), groups_.end(), [&](const RobotsGroup& g) { return names(g, token); });
  const std::string_view wanted = specific ? std::string_view(token) : std::string_view("*");
  std::vector<RobotsRule> rules;
  std::optional<double> delay;
  for (const RobotsGroup& g : groups_) {
    if (!names(g, wanted)) continue;
    rules.insert(rules.end(), g.rules.begin(), g.rules.end());
    delay = max_delay(delay, g.crawl_delay);
  }
  return RobotsRules(std::move(rules), delay);
}

RobotsRules::Verdict RobotsRules::check(std::string_view path_and_query) const {
  const std::string path = normalize_robots_path(path_and_query);
  if (path == "/robots.txt") return Verdict{};
  Verdict best;
  for (const RobotsRule& r : rules_) {
    if (best.rule != nullptr) {
      const std::size_t have = best.rule->pattern.length();
      const std::size_t len = r.pattern.length();
      // Only a longer pattern, or an Allow of the same length over a
      // Disallow, can change the verdict.
      if (len < have || (len == have && (!r.allow || best.rule->allow))) continue;
    }
    if (r.pattern.matches(path)) best = Verdict{r.allow, &r};
  }
  return best;
}

}  // namespace preheat::crawl
