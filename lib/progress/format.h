// Progress formatting, pure functions: the --progress modes, human sizes,
// rates, durations, the ETA and the line a Reporter draws (reporter.h says
// where and when). Stateless; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace mk::progress {

enum class Mode { kAuto, kTty, kPlain, kNone };

// "auto", "tty", "plain" or "none"; anything else is InvalidArgument.
Result<Mode> ParseMode(std::string_view text);
// kAuto made concrete for a stderr that is (or is not) a terminal.
Mode Decide(Mode mode, bool stderr_is_terminal);

struct Snapshot {
  uint64_t images_total = 0;
  uint64_t images_done = 0;
  uint64_t images_failed = 0;
  uint64_t bytes = 0;
};

// Pure formatting (unit-tested): "0 B", "999 B", "1.0 KiB", "12.3 MiB",
// "1.50 GiB"; "7s", "3m05s", "2h04m"; the whole line.
std::string HumanBytes(uint64_t bytes);
std::string HumanDuration(std::chrono::seconds d);
// Bytes per second over elapsed; nullopt before a second has passed (a
// rate over a few milliseconds is noise).
std::optional<double> Rate(uint64_t bytes, std::chrono::milliseconds elapsed);
// Time left, from the images still to do at the pace so far; nullopt
// until one image is done or when nothing is left.
std::optional<std::chrono::seconds> Eta(const Snapshot& s, std::chrono::milliseconds elapsed);
// "12/40 images (1 failed), 1.20 GiB, 35.0 MiB/s, ETA 3m10s"
std::string FormatLine(const Snapshot& s, std::chrono::milliseconds elapsed);

}  // namespace mk::progress
