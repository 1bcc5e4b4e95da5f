// Ctrl-C and SIGTERM, as a flag the program polls.
//
// install_interrupt_handler() makes SIGINT and SIGTERM set a process-wide
// flag; the runtime notices it within ~50 ms, cancels what runs and the
// command exits with kExitInterrupted (130). A second signal while the first
// is being handled ends the process at once with 130.
//
// Thread safety: interrupt_requested() may be called from any thread.
#pragma once

namespace preheat {

void install_interrupt_handler();
bool interrupt_requested();
// For tests: behave as if a signal had arrived (or clear it).
void set_interrupt_requested(bool value);

}  // namespace preheat
