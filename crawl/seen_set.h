// SeenSet: the crawler's memory of which URLs it already knows, in 8 bytes of
// payload per URL.
//
// A URL is remembered by a 64-bit hash of its normalised text, in an
// open-addressing table kept at most half full (16-24 bytes per URL with the
// growth headroom; an std::unordered_set<std::string> costs ~100 bytes per
// URL, which a 1,000,000-page crawl cannot afford under its 300 MB goal).
// The set is rebuilt from the database at every start, so the hash need not be
// stable across builds.
//
// The price is a false "already seen" when two different URLs share a 64-bit
// hash: with n known URLs the chance that any collision exists is about
// n^2 / 2^65 (3e-8 for a million URLs, 3e-6 for ten million). We accept it
// and say so in docs/architecture.md: a lost page at those odds is far below
// every other source of loss on the real web.
//
// Thread safety: not thread-safe; the crawler uses it on the event loop only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace preheat::crawl {

class SeenSet {
 public:
  SeenSet() = default;

  // Adds `url`; true when it was not there before.
  bool insert(std::string_view url);
  bool contains(std::string_view url) const;
  std::size_t size() const { return size_; }
  // Bytes held by the table.
  std::size_t memory_bytes() const { return slots_.capacity() * sizeof(std::uint64_t); }

  static std::uint64_t hash(std::string_view url);

 private:
  bool insert_hash(std::uint64_t h);
  void grow();

  std::vector<std::uint64_t> slots_;  // 0 = empty; a hash of 0 is stored as 1
  std::size_t size_ = 0;
};

}  // namespace preheat::crawl
