// Process-wide interrupt handling, in the manner of ninja: SIGINT/SIGTERM set
// a flag that long loops poll (workers stop taking new work, transfers abort),
// and the tool exits 130. SIGPIPE is ignored so a closed stdout shows up as
// EPIPE on write, which tools turn into a quiet exit; SIGXFSZ likewise, so a
// file-size limit shows up as EFBIG and an error naming the file. Install
// once from main.
// The handlers are installed without SA_RESTART, so a blocking read or
// flock returns EINTR and its caller can look at the flag.
#pragma once

namespace mk {

void InstallSignalHandlers();
bool Interrupted();
// For tests and for code that wants to cancel everything in-process.
void SetInterrupted();

// Test hooks. A probe, when set, is asked at every Interrupted() poll and
// raises the flag when it returns true: a test can interrupt a long loop at
// the moment it chooses (e.g. once a file reached its full size). Reset
// clears the flag and the probe. Not for production code.
using InterruptProbe = bool (*)();
void SetInterruptProbeForTest(InterruptProbe probe);
void ResetInterruptedForTest();

}  // namespace mk
