// UrlIdCache: a bounded map from URL to its urls.id, in front of the urls
// table's unique index. Direct-mapped: a URL's 64-bit hash picks one slot; a
// hit compares the full URL, so a hash collision is a miss, never a wrong id.
// A newer URL simply overwrites the slot. Memory is bounded by the slot count
// (fixed at construction) times the longest URL it keeps (kMaxUrlBytes).
//
// The ids are only valid with the transactions that produced them: the owner
// clears the cache when a transaction rolls back (ids may be reused).
//
// Thread safety: none; one owner thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace preheat::store {

class UrlIdCache {
 public:
  // Longer URLs are not cached (they are rare and would break the bound).
  static constexpr std::size_t kMaxUrlBytes = 512;

  // 2^slots_log2 slots; 0 slots (slots_log2 < 0) disables the cache.
  explicit UrlIdCache(int slots_log2);

  static std::uint64_t hash(std::string_view url);

  std::optional<std::int64_t> find(std::string_view url, std::uint64_t hash) const;
  void put(std::string_view url, std::uint64_t hash, std::int64_t id);
  void clear();

  std::size_t slots() const { return slots_.size(); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::int64_t id = 0;  // 0: empty (ids of our rows start at 1, in both engines)
    std::string url;
  };
  std::vector<Slot> slots_;
  std::uint64_t mask_ = 0;
};

}  // namespace preheat::store
