#include "crawl/seen_set.h"

#include <functional>

namespace preheat::crawl {

namespace {
// Mixes the bits so that the low bits (the slot index) depend on all of them:
// std::hash may be an identity-like function on some standard libraries.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x == 0 ? 1 : x;
}
}  // namespace

std::uint64_t SeenSet::hash(std::string_view url) { return mix(std::hash<std::string_view>{}(url)); }

bool SeenSet::insert(std::string_view url) { return insert_hash(hash(url)); }

bool SeenSet::contains(std::string_view url) const {
  if (slots_.empty()) return false;
  const std::uint64_t h = hash(url);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    if (slots_[i] == h) return true;
    if (slots_[i] == 0) return false;
  }
}

bool SeenSet::insert_hash(std::uint64_t h) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    if (slots_[i] == h) return false;
    if (slots_[i] == 0) {
      slots_[i] = h;
      ++size_;
      return true;
    }
  }
}

void SeenSet::grow() {
  std::vector<std::uint64_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
  size_ = 0;
  for (std::uint64_t h : old) {
    if (h != 0) insert_hash(h);
  }
}

}  // namespace preheat::crawl
