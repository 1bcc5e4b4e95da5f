// Fts5TokenProbe: asks a connection's FTS5 "unicode61" tokenizer (the one the
// search index uses, store/sqlite/sqlite_crawl_store_search.cc) whether a
// piece of text holds any token, i.e. any letter or digit by Unicode's
// categories. fts5_match_expression() drops the terms that hold none.
//
// Lifetime: made from a Connection, must be destroyed before it (the
// tokenizer belongs to the connection's FTS5 module).
// Thread safety: used by the connection's thread only.
#pragma once

#include <memory>
#include <string_view>

#include "base/status.h"
#include "store/sqlite/sqlite_db.h"

struct Fts5Tokenizer;

namespace preheat::store::sqlite {

class Fts5TokenProbe {
 public:
  // Errors: internal when this SQLite has no FTS5.
  static Result<std::unique_ptr<Fts5TokenProbe>> open(Connection& db);
  ~Fts5TokenProbe();
  Fts5TokenProbe(const Fts5TokenProbe&) = delete;
  Fts5TokenProbe& operator=(const Fts5TokenProbe&) = delete;

  bool has_tokens(std::string_view text) const;

 private:
  struct Module;
  Fts5TokenProbe(std::unique_ptr<Module> module, Fts5Tokenizer* tokenizer);

  std::unique_ptr<Module> module_;
  Fts5Tokenizer* tokenizer_;
};

}  // namespace preheat::store::sqlite
