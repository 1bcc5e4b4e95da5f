#include "fetch/fetch_error.h"

namespace preheat::fetch {

std::string_view to_string(FetchErrorKind kind) {
  switch (kind) {
#define PREHEAT_X(id, name, retry, desc) \
  case FetchErrorKind::id:               \
    return name;
    PREHEAT_FETCH_ERRORS(PREHEAT_X)
#undef PREHEAT_X
  }
  return "?";
}

std::string_view describe(FetchErrorKind kind) {
  switch (kind) {
#define PREHEAT_X(id, name, retry, desc) \
  case FetchErrorKind::id:               \
    return desc;
    PREHEAT_FETCH_ERRORS(PREHEAT_X)
#undef PREHEAT_X
  }
  return "?";
}

std::optional<FetchErrorKind> parse_fetch_error_kind(std::string_view text) {
#define PREHEAT_X(id, name, retry, desc) \
  if (text == name) return FetchErrorKind::id;
  PREHEAT_FETCH_ERRORS(PREHEAT_X)
#undef PREHEAT_X
  return std::nullopt;
}

namespace {
bool kind_retryable(FetchErrorKind kind) {
  switch (kind) {
#define PREHEAT_X(id, name, retry, desc) \
  case FetchErrorKind::id:               \
    return retry;
    PREHEAT_FETCH_ERRORS(PREHEAT_X)
#undef PREHEAT_X
  }
  return false;
}
}  // namespace

bool FetchError::retryable() const {
  if (kind == FetchErrorKind::kHttp4xx) return status == 429 || status == 408;
  if (kind == FetchErrorKind::kHttp5xx) return status != 501;
  return kind_retryable(kind);
}

}  // namespace preheat::fetch
