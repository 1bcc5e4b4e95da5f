#include "base/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>

namespace preheat {

namespace {
std::atomic<int> g_signals{0};

extern "C" void on_signal(int) {
  if (g_signals.fetch_add(1) >= 1) _exit(130);  // second signal: leave now
}
}  // namespace

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool interrupt_requested() { return g_signals.load() > 0; }

void set_interrupt_requested(bool value) { g_signals.store(value ? 1 : 0); }

}  // namespace preheat
