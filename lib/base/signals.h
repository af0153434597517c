// Process-wide interrupt handling, in the manner of ninja: SIGINT/SIGTERM set
// a flag that long loops poll (workers stop taking new work, transfers abort),
// and the tool exits 130. SIGPIPE is ignored so a closed stdout shows up as
// EPIPE on write, which tools turn into a quiet exit. Install once from main.
#pragma once

namespace mk {

void InstallSignalHandlers();
bool Interrupted();
// For tests and for code that wants to cancel everything in-process.
void SetInterrupted();

}  // namespace mk
