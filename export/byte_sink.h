// ByteSink: where an exporter's bytes go (a file, stdout, an HTTP response
// body), chunk by chunk. A chunk is valid only during the call. A sink that
// fails (disk full, client gone) returns the error and the writer stops.
#pragma once

#include <functional>
#include <string_view>

#include "base/status.h"

namespace preheat::exports {

using ByteSink = std::function<Status(std::string_view chunk)>;

}  // namespace preheat::exports
