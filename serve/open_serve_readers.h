// open_serve_readers(): the async server's database readers for a location
// (serve_reader.h), picked by engine:
//   - "postgresql://..." / "postgres://...": PgReaders (pg_reader.h), no
//     database thread; options.db_connections per io thread, opened lazily.
//   - else an SQLite file: PoolReaders (store_reader.h) over a ReaderPool of
//     options.db_threads read-only connections, opened here (a missing or
//     foreign file is an error here, as open_crawl_store says).
//
// Thread safety: call on the thread that runs `rt`'s loop; the readers must
// outlive the server and be outlived by `rt`.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "runtime/runtime.h"
#include "serve/serve_options.h"
#include "serve/serve_reader.h"

namespace preheat::serve {

Result<std::unique_ptr<ServeReaders>> open_serve_readers(runtime::Runtime& rt, const std::string& location,
                                                         const ServeOptions& options);

}  // namespace preheat::serve
