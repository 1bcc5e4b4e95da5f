#include "serve/open_serve_readers.h"

#include "serve/pg_reader.h"
#include "serve/store_reader.h"

namespace preheat::serve {

Result<std::unique_ptr<ServeReaders>> open_serve_readers(runtime::Runtime& rt, const std::string& location,
                                                         const ServeOptions& options) {
  if (store::is_postgres_location(location)) {
    if (options.db_connections < 1 || options.db_connections > 1024) {
      return Status::invalid_argument("database connections must be between 1 and 1024");
    }
    return std::unique_ptr<ServeReaders>(
        std::make_unique<PgReaders>(rt, location, static_cast<std::size_t>(options.db_connections)));
  }
  Result<std::unique_ptr<ReaderPool>> pool = ReaderPool::open(location, options.db_threads);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<ServeReaders>(std::make_unique<PoolReaders>(rt, std::move(*pool)));
}

}  // namespace preheat::serve
