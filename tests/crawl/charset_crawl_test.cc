// Issue 5's encodings end to end: the real fetcher crawls the testsite's
// `charsets` fault pages on loopback and the database holds their titles and
// text as the right UTF-8 (a windows-1252 page labelled by its header, a
// Shift_JIS page labelled only by <meta http-equiv>).
#include <gtest/gtest.h>

#include "crawl/crawler.h"
#include "fetch/fetcher.h"
#include "runtime/runtime.h"
#include "store/crawl_store.h"
#include "testsite/fault_set.h"
#include "testsite/site_model.h"
#include "tests/support/support.h"
#include "tests/testsite/running_server.h"

namespace preheat::crawl {
namespace {

TEST(CharsetCrawlTest, LegacyEncodedPagesAreStoredAsUtf8) {
  testing::TempDir dir;
  auto faults = testsite::parse_faults("charsets");
  ASSERT_TRUE(faults.ok());
  testsite::SiteModel site({.pages = 5, .fanout = 2, .seed = 1, .page_bytes = 256, .faults = *faults});
  testsite::testing::RunningServer server(site, {});
  const std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
  {
    runtime::Runtime rt({.mode = ExecutionMode::kAsync});
    auto fetcher = fetch::make_fetcher(rt, {});
    auto store = store::open_crawl_store((dir / "c.db").string(), {.fresh = true});
    ASSERT_TRUE(store.ok());
    CrawlOptions o;
    o.seeds = {origin + "/"};
    o.commit_interval = std::chrono::milliseconds(1);
    auto scope = Scope::make(o.scope, o.seeds);
    ASSERT_TRUE(scope.ok());
    Crawler crawler(rt, *fetcher, **store, std::move(*scope), o);
    ASSERT_TRUE(crawler.prepare().ok());
    rt.run(crawler.run());
    ASSERT_TRUE(crawler.finish().ok());
  }
  auto db = store::open_crawl_store((dir / "c.db").string(), {.read_only = true});
  ASSERT_TRUE(db.ok());
  const auto page = [&](const std::string& path) {
    auto p = (*db)->find_page(origin + path);
    EXPECT_TRUE(p.ok() && p->has_value()) << path;
    return p.ok() && p->has_value() ? **p : store::PageRecord{};
  };
  const store::PageRecord cp1252 = page("/fault/charsets/windows-1252");
  EXPECT_EQ(cp1252.status, 200);
  // "Café € 5 – l’été"
  EXPECT_EQ(cp1252.title, "Caf\xC3\xA9 \xE2\x82\xAC 5 \xE2\x80\x93 l\xE2\x80\x99\xC3\xA9t\xC3\xA9");
  // "“Guillemets” et … points retour à l’accueil"
  EXPECT_EQ(cp1252.text,
            "\xE2\x80\x9CGuillemets\xE2\x80\x9D et \xE2\x80\xA6 points retour \xC3\xA0 l\xE2\x80\x99" "accueil");
  const store::PageRecord sjis = page("/fault/charsets/shift-jis");
  EXPECT_EQ(sjis.status, 200);
  // "日本語のページ"
  EXPECT_EQ(sjis.title, "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x9A\xE3\x83\xBC\xE3\x82\xB8");
  // "表示とソース トップへ": the 0x5C second bytes did not become backslashes.
  EXPECT_EQ(sjis.text,
            "\xE8\xA1\xA8\xE7\xA4\xBA\xE3\x81\xA8\xE3\x82\xBD\xE3\x83\xBC\xE3\x82\xB9 "
            "\xE3\x83\x88\xE3\x83\x83\xE3\x83\x97\xE3\x81\xB8");
  // The link back to "/" was found in both.
  EXPECT_EQ(page("/").status, 200);
}

}  // namespace
}  // namespace preheat::crawl
