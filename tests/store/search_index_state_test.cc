// The freshness rule both engines' search index refresh follows
// (store/search_index_state.h); the engines' own suites (search_test.cc)
// check they act on it.
#include "store/search_index_state.h"

#include <gtest/gtest.h>

namespace preheat::store {
namespace {

constexpr std::int64_t kFormat = 7;

TEST(SearchIndexStateTest, NoRecordOrAnotherFormatRebuildsAndSplitsNothingOff) {
  const PagesNow now{10, 99, 5000, 0, 0};
  EXPECT_EQ(plan_refresh(std::nullopt, kFormat, now), IndexRefresh::kRebuild);
  EXPECT_EQ(split_at(std::nullopt, kFormat), kNoPages);
  const IndexState old_format{kFormat - 1, 10, 99, 5000};
  EXPECT_FALSE(usable(old_format, kFormat));
  EXPECT_EQ(split_at(old_format, kFormat), kNoPages);
  EXPECT_EQ(plan_refresh(old_format, kFormat, PagesNow{10, 99, 5000, 10, 99}), IndexRefresh::kRebuild);
}

TEST(SearchIndexStateTest, TheSamePagesAreUpToDateNewOnesAreAppendedAChangedOldOneRebuilds) {
  const IndexState built{kFormat, 10, 99, 5000};
  EXPECT_EQ(split_at(built, kFormat), 5000);
  EXPECT_EQ(plan_refresh(built, kFormat, PagesNow{10, 99, 5000, 10, 99}), IndexRefresh::kUpToDate);
  // Two pages fetched after the index: the old part is as it was.
  EXPECT_EQ(plan_refresh(built, kFormat, PagesNow{12, 140, 6000, 10, 99}), IndexRefresh::kAppendNewPages);
  // An old page rewritten (fingerprint) or deleted (count): rebuild.
  EXPECT_EQ(plan_refresh(built, kFormat, PagesNow{12, 141, 6000, 10, 98}), IndexRefresh::kRebuild);
  EXPECT_EQ(plan_refresh(built, kFormat, PagesNow{11, 130, 6000, 9, 90}), IndexRefresh::kRebuild);
  // Same count and sum but a newer page instead of an old one at the split:
  // not up to date (max_fetched_at_ms moved).
  EXPECT_NE(plan_refresh(built, kFormat, PagesNow{10, 99, 5001, 10, 99}), IndexRefresh::kUpToDate);
}

}  // namespace
}  // namespace preheat::store
