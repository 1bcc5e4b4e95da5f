#include "trace/event_kind.h"

namespace preheat::trace {

std::string_view to_string(EventKind kind) {
  switch (kind) {
#define PREHEAT_X(id, name, desc) \
  case EventKind::id:             \
    return name;
    PREHEAT_TRACE_EVENT_KINDS(PREHEAT_X)
#undef PREHEAT_X
  }
  return "?";
}

std::string_view describe(EventKind kind) {
  switch (kind) {
#define PREHEAT_X(id, name, desc) \
  case EventKind::id:             \
    return desc;
    PREHEAT_TRACE_EVENT_KINDS(PREHEAT_X)
#undef PREHEAT_X
  }
  return "?";
}

std::optional<EventKind> parse_event_kind(std::string_view text) {
#define PREHEAT_X(id, name, desc) \
  if (text == name) return EventKind::id;
  PREHEAT_TRACE_EVENT_KINDS(PREHEAT_X)
#undef PREHEAT_X
  return std::nullopt;
}

}  // namespace preheat::trace
