// The one read loop for record streams: every tool that reads JSON-lines
// records (blob-copy, ics-gen) goes through ReadRecords, so they agree on
// what a record is and on how a bad line is reported.
//
// Grammar of the input (man/mirrorkit-records.7): lines ended by '\n' (a
// trailing '\r' is dropped, the last line may lack its newline); a line of
// only spaces and tabs is skipped; every other line must be one JSON object.
// A line that is too long, not JSON or not an object is handed to the
// handler as a problem, with its number, and reading goes on.
//
// Single-threaded: call from one thread; the handler runs on it.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "json/lines.h"
#include "json/value.h"

namespace mk::records {

// One non-blank input line.
struct InputLine {
  size_t line = 0;     // 1-based
  std::string text;    // as read, without its newline: passed on byte for byte
  json::Value record;  // the object; null when problem is set
  Status problem;      // why the line is not a record
};

// Hands every non-blank line to handle until the end of input or until
// handle returns false. Returns OK then; Cancelled when interrupted; the
// read error when reading failed (reader.line_number() is the last line).
Status ReadRecords(json::LineReader& reader, const std::function<bool(InputLine&)>& handle);

// The same over records already in memory (a results file read whole):
// lines split at '\n', numbered from 1, the same problems.
Status ReadRecordsIn(std::string_view text, const std::function<bool(InputLine&)>& handle);

}  // namespace mk::records
