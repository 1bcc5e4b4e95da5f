#include "store/search_query.h"

#include <optional>
#include <utility>

#include "base/utf8.h"

namespace preheat::store {
namespace {

// Malformed UTF-8, NUL and control characters become spaces.
std::string clean(std::string_view input) {
  std::string out;
  out.reserve(input.size());
  std::size_t i = 0;
  while (i < input.size()) {
    const auto c = static_cast<unsigned char>(input[i]);
    if (c < 0x80) {
      out += (c < 0x20 || c == 0x7F) ? ' ' : static_cast<char>(c);
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(input, i);
    if (n == 0) {
      out += ' ';
      ++i;
    } else {
      out.append(input.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// At most `max` bytes, cut before a UTF-8 continuation byte.
std::string_view cut(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

std::size_t characters(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// One term as it appears in the input.
struct Token {
  std::string_view text;
  bool exclude = false;
  bool quoted = false;
  bool prefix = false;
};

// The token starting at or after s[i] (none at the end); advances i past it.
std::optional<Token> next_token(std::string_view s, std::size_t& i) {
  while (i < s.size() && s[i] == ' ') ++i;
  if (i >= s.size()) return std::nullopt;
  Token t;
  if (s[i] == '-' && i + 1 < s.size() && s[i + 1] != ' ') {
    t.exclude = true;
    ++i;
  }
  if (s[i] == '"') {
    const std::size_t close = s.find('"', i + 1);  // unbalanced: the phrase runs to the end
    const std::size_t end = close == std::string_view::npos ? s.size() : close;
    t.text = s.substr(i + 1, end - i - 1);
    t.quoted = true;
    i = close == std::string_view::npos ? s.size() : close + 1;
    while (i < s.size() && s[i] == '*') {
      t.prefix = true;
      ++i;
    }
    return t;
  }
  std::size_t end = s.find_first_of(" \"", i);
  if (end == std::string_view::npos) end = s.size();
  t.text = s.substr(i, end - i);
  i = end;
  while (!t.text.empty() && t.text.back() == '*') {
    t.prefix = true;
    t.text.remove_suffix(1);
  }
  return t;
}

}  // namespace

SearchQuery parse_search_query(std::string_view input) {
  SearchQuery q;
  const std::string cleaned = clean(input);
  const std::string_view s = cleaned;
  q.text = std::string(trim(s));

  std::size_t terms = 0;
  bool pending_or = false;
  SearchTerm* last = nullptr;  // the last term added, when it came from the last token so far
  bool last_is_word = false;   // ...and was a bare word without '*'
  std::size_t i = 0;
  while (std::optional<Token> t = next_token(s, i)) {
    last = nullptr;
    if (!t->exclude && !t->quoted && !t->prefix) {
      if (t->text == "AND") continue;  // the default anyway
      if (t->text == "OR" && !q.clauses.empty()) {
        pending_or = true;
        continue;
      }
    }
    const std::string_view text = trim(cut(t->text, kMaxSearchTermBytes));
    if (text.empty()) continue;
    if (terms == kMaxSearchTerms) {
      q.truncated = true;
      break;
    }
    ++terms;
    SearchTerm term{std::string(text), t->prefix};
    if (t->exclude) {
      q.excluded.push_back(std::move(term));
      pending_or = false;
      continue;
    }
    if (pending_or) {
      q.clauses.back().push_back(std::move(term));
    } else {
      q.clauses.push_back({std::move(term)});
    }
    pending_or = false;
    last = &q.clauses.back().back();
    last_is_word = !t->quoted && !t->prefix;
  }
  // Search as you type: the word being typed is a prefix.
  if (last != nullptr && last_is_word && !q.truncated && !s.ends_with(' ') &&
      characters(last->text) >= kMinImplicitPrefix) {
    last->prefix = true;
  }
  return q;
}

}  // namespace preheat::store
