#include "store/url_id_cache.h"

#include <string>

#include <gtest/gtest.h>

namespace preheat::store {
namespace {

TEST(UrlIdCacheTest, FindsWhatWasPut) {
  UrlIdCache cache(4);
  const std::string url = "https://a.test/";
  const auto h = UrlIdCache::hash(url);
  EXPECT_FALSE(cache.find(url, h));
  cache.put(url, h, 7);
  EXPECT_EQ(cache.find(url, h), 7);
  cache.clear();
  EXPECT_FALSE(cache.find(url, h));
}

TEST(UrlIdCacheTest, SameSlotDifferentUrlIsAMissNeverAWrongId) {
  UrlIdCache cache(0);  // one slot: everything collides
  cache.put("https://a.test/1", 42, 1);
  EXPECT_FALSE(cache.find("https://a.test/2", 42));  // same hash, other URL
  cache.put("https://a.test/2", 42, 2);
  EXPECT_EQ(cache.find("https://a.test/2", 42), 2);
  EXPECT_FALSE(cache.find("https://a.test/1", 42));  // overwritten
}

TEST(UrlIdCacheTest, LongUrlsAreNotKept) {
  UrlIdCache cache(4);
  const std::string url(UrlIdCache::kMaxUrlBytes + 1, 'x');
  cache.put(url, UrlIdCache::hash(url), 3);
  EXPECT_FALSE(cache.find(url, UrlIdCache::hash(url)));
}

TEST(UrlIdCacheTest, DisabledCacheKeepsNothing) {
  UrlIdCache cache(-1);
  EXPECT_EQ(cache.slots(), 0u);
  cache.put("u", 1, 1);
  EXPECT_FALSE(cache.find("u", 1));
}

}  // namespace
}  // namespace preheat::store
