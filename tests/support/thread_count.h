// The threads of this process right now (/proc/self/task): for tests that
// check a component runs no thread of its own.
#pragma once

#include <dirent.h>

namespace preheat::testing {

inline int thread_count() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (const dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n;
}

}  // namespace preheat::testing
