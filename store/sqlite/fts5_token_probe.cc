#include "store/sqlite/fts5_token_probe.h"

#include <climits>

#include <sqlite3.h>

namespace preheat::store::sqlite {

struct Fts5TokenProbe::Module {
  fts5_tokenizer api{};
};

Result<std::unique_ptr<Fts5TokenProbe>> Fts5TokenProbe::open(Connection& db) {
  // The documented way to reach the FTS5 API: SELECT fts5(?1) with a pointer.
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db.handle(), "SELECT fts5(?1)", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  if (api == nullptr || api->iVersion < 2)
    return Status::internal("this SQLite has no FTS5: full-text search needs it");
  auto module = std::make_unique<Module>();
  void* user_data = nullptr;
  rc = api->xFindTokenizer(api, "unicode61", &user_data, &module->api);
  if (rc != SQLITE_OK) return Status::internal("FTS5 has no unicode61 tokenizer");
  Fts5Tokenizer* tokenizer = nullptr;
  rc = module->api.xCreate(user_data, nullptr, 0, &tokenizer);
  if (rc != SQLITE_OK) return Status::internal("cannot create the FTS5 unicode61 tokenizer");
  return std::unique_ptr<Fts5TokenProbe>(new Fts5TokenProbe(std::move(module), tokenizer));
}

Fts5TokenProbe::Fts5TokenProbe(std::unique_ptr<Module> module, Fts5Tokenizer* tokenizer)
    : module_(std::move(module)), tokenizer_(tokenizer) {}

Fts5TokenProbe::~Fts5TokenProbe() {
  module_->api.xDelete(tokenizer_);
}

bool Fts5TokenProbe::has_tokens(std::string_view text) const {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) return true;
  bool found = false;
  // Stops at the first token: the callback's SQLITE_DONE ends xTokenize.
  auto on_token = [](void* ctx, int, const char*, int, int, int) -> int {
    *static_cast<bool*>(ctx) = true;
    return SQLITE_DONE;
  };
  module_->api.xTokenize(tokenizer_, &found, FTS5_TOKENIZE_QUERY, text.data(), static_cast<int>(text.size()), on_token);
  return found;
}

}  // namespace preheat::store::sqlite
