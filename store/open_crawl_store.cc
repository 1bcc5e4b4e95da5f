// open_crawl_store(): picks the engine by the location. Its own target
// (preheat_store) links both engines, so neither engine depends on the other
// and the SQLite one stays free of libpq.
#include "store/crawl_store.h"
#include "store/postgres/postgres_crawl_store.h"
#include "store/sqlite/sqlite_crawl_store.h"

namespace preheat::store {

Result<std::unique_ptr<CrawlStore>> open_crawl_store(const std::string& location, const OpenOptions& options) {
  if (is_postgres_location(location)) {
    Result<std::unique_ptr<postgres::PostgresCrawlStore>> store = postgres::PostgresCrawlStore::open(location, options);
    if (!store.ok()) return store.status();
    return std::unique_ptr<CrawlStore>(std::move(*store));
  }
  Result<std::unique_ptr<sqlite::SqliteCrawlStore>> store = sqlite::SqliteCrawlStore::open(location, options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<CrawlStore>(std::move(*store));
}

}  // namespace preheat::store
