#include "records/reader.h"

#include "base/signals.h"
#include "records/records.h"

namespace mk::records {

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
      if (in.text.find_first_not_of(" \t") == std::string::npos) continue;
      auto value = json::Value::Parse(in.text);
      if (!value.ok()) in.problem = value.status();
      else if (!value->is_object()) in.problem = InvalidArgument("record is not a JSON object");
      else in.record = std::move(*value);
    }
    in.line = reader.line_number();
    if (!handle(in)) return Status::Ok();
  }
  return Cancelled("interrupted");
}

json::Value ProblemRecord(const InputLine& in) {
  ErrorRecord e;
  e.line = in.line;
  e.error = in.problem.message();
  return Error(e);
}

}  // namespace mk::records
