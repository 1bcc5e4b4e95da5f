#include "store/url_id_cache.h"

#include <functional>

namespace preheat::store {

UrlIdCache::UrlIdCache(int slots_log2) {
  if (slots_log2 < 0) return;
  slots_.resize(std::size_t{1} << slots_log2);
  mask_ = slots_.size() - 1;
}

std::uint64_t UrlIdCache::hash(std::string_view url) {
  // libstdc++'s string hash (Murmur-based) is good enough for slot choice; a
  // collision only costs a miss.
  return std::hash<std::string_view>{}(url);
}

std::optional<std::int64_t> UrlIdCache::find(std::string_view url, std::uint64_t hash) const {
  if (slots_.empty()) return std::nullopt;
  const Slot& slot = slots_[hash & mask_];
  if (slot.id != 0 && slot.hash == hash && slot.url == url) return slot.id;
  return std::nullopt;
}

void UrlIdCache::put(std::string_view url, std::uint64_t hash, std::int64_t id) {
  if (slots_.empty() || url.size() > kMaxUrlBytes) return;
  Slot& slot = slots_[hash & mask_];
  slot.hash = hash;
  slot.id = id;
  slot.url.assign(url);  // reuses the slot's buffer when it fits
}

void UrlIdCache::clear() {
  for (Slot& slot : slots_) {
    slot.id = 0;
    slot.url.clear();
  }
}

}  // namespace preheat::store
