// JSON-lines I/O: the record stream every mirrorkit tool reads and writes.
//
// LineReader reads newline-terminated lines from a file descriptor with a
// bounded buffer (a line longer than max_line is reported as an error and
// skipped, never held whole). RecordWriter writes one compact JSON value per
// line and flushes each, so a downstream stage sees records as they happen;
// it is thread-safe (copy workers share one) and remembers a closed pipe or a
// write error so the tool can end quietly or fail at exit, as coreutils do.
#pragma once

#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

#include "base/status.h"
#include "json/value.h"

namespace mk::json {

class LineReader {
 public:
  explicit LineReader(int fd, size_t max_line = 16 << 20) : fd_(fd), max_line_(max_line) {}

  // The next line without its newline (nor a '\r' before it, nor a UTF-8
  // byte order mark at the start of the first line: CRLF files and files
  // from Windows editors are read as they are meant); nullopt at end of
  // input. A line over the limit gives an InvalidArgument error and the
  // reader moves past it.
  Result<std::optional<std::string>> Next();
  // 1-based number of the line last returned.
  size_t line_number() const { return line_no_; }

 private:
  bool Fill();
  std::string Clean(std::string line) const;
  int fd_;
  size_t max_line_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  size_t line_no_ = 0;
  Status read_error_;
};

class RecordWriter {
 public:
  explicit RecordWriter(FILE* out) : out_(out) {}
  // Writes v.Serialize() and a newline, then flushes. Returns false once the
  // reader has gone away (EPIPE) or writing failed.
  bool Write(const Value& v);
  bool WriteLine(const std::string& line);
  bool broken_pipe() const { return broken_pipe_; }
  bool failed() const { return failed_; }

 private:
  FILE* out_;
  std::mutex mu_;
  bool broken_pipe_ = false;
  bool failed_ = false;
};

}  // namespace mk::json
