#include "records/reader.h"

#include "base/signals.h"

namespace mk::records {
namespace {

// Parses in.text into in.record or in.problem; false for a blank line.
bool ParseLine(InputLine& in) {
  if (in.text.find_first_not_of(" \t") == std::string::npos) return false;
  auto value = json::Value::Parse(in.text);
  if (!value.ok())
    in.problem = value.status();
  else if (!value->is_object())
    in.problem = InvalidArgument("record is not a JSON object");
  else
    in.record = std::move(*value);
  return true;
}

}  // namespace

Status ReadRecords(json::LineReader& reader, const std::function<bool(InputLine&)>& handle) {
  while (!Interrupted()) {
    InputLine in;
    auto line = reader.Next();
    if (!line.ok()) {
      // Cancelled and I/O errors end the input; an over-long line is one
      // bad line and the reader has already moved past it.
      if (line.status().code() == Code::kCancelled || line.status().code() == Code::kIo) return line.status();
      in.problem = line.status();
    } else if (!*line) {
      return Status::Ok();
    } else {
      in.text = std::move(**line);
      if (!ParseLine(in)) continue;
    }
    in.line = reader.line_number();
    if (!handle(in)) return Status::Ok();
  }
  return Cancelled("interrupted");
}

Status ReadRecordsIn(std::string_view text, const std::function<bool(InputLine&)>& handle) {
  size_t line = 0;
  while (!text.empty()) {
    if (Interrupted()) return Cancelled("interrupted");
    size_t nl = text.find('\n');
    InputLine in;
    in.line = ++line;
    in.text = std::string(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!in.text.empty() && in.text.back() == '\r') in.text.pop_back();
    // A byte order mark before the first line goes, as json::LineReader
    // drops it: both readers see the same lines (tests/fuzz/json_lines_fuzz.cc).
    if (line == 1 && in.text.compare(0, 3, "\xEF\xBB\xBF") == 0) in.text.erase(0, 3);
    if (!ParseLine(in)) continue;
    if (!handle(in)) break;
  }
  return Status::Ok();
}

}  // namespace mk::records
