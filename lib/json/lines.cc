#include "json/lines.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/signals.h"

namespace mk::json {

bool LineReader::Fill() {
  if (eof_) return false;
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  char tmp[65536];
  for (;;) {
    ssize_t n = ::read(fd_, tmp, sizeof tmp);
    if (n < 0) {
      if (errno == EINTR && !Interrupted()) continue;
      read_error_ = errno == EINTR ? Cancelled("interrupted")
                                   : IoError(std::string("cannot read input: ") + std::strerror(errno));
      eof_ = true;
      return false;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
}

std::string LineReader::Clean(std::string line) const {
  // A UTF-8 byte order mark before the first line (Windows editors write
  // one) is not part of the record; dropped, so the line parses and is
  // passed on without it.
  if (line_no_ == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
  return line;
}

Result<std::optional<std::string>> LineReader::Next() {
  bool skipping = false;
  for (;;) {
    size_t nl = buf_.find('\n', pos_);
    if (nl != std::string::npos) {
      ++line_no_;
      if (skipping || nl - pos_ > max_line_) {
        pos_ = nl + 1;
        return InvalidArgument("the line is longer than " + std::to_string(max_line_) + " bytes");
      }
      std::string line = buf_.substr(pos_, nl - pos_);
      pos_ = nl + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return std::optional<std::string>(Clean(std::move(line)));
    }
    if (buf_.size() - pos_ > max_line_) {
      skipping = true;  // drop what we hold; keep reading to the newline
      buf_.clear();
      pos_ = 0;
    }
    if (!Fill()) {
      if (!read_error_.ok()) return read_error_;
      if (pos_ < buf_.size() || skipping) {  // last line without a newline
        ++line_no_;
        if (skipping) {
          buf_.clear();
          pos_ = 0;
          return InvalidArgument("the line is longer than " + std::to_string(max_line_) + " bytes");
        }
        std::string line = buf_.substr(pos_);
        buf_.clear();
        pos_ = 0;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return std::optional<std::string>(Clean(std::move(line)));
      }
      return std::optional<std::string>();
    }
  }
}

bool RecordWriter::Write(const Value& v) { return WriteLine(v.Serialize()); }

bool RecordWriter::WriteLine(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (broken_pipe_ || failed_) return false;
  if (std::fwrite(line.data(), 1, line.size(), out_) != line.size() || std::fputc('\n', out_) == EOF ||
      std::fflush(out_) != 0) {
    if (errno == EPIPE)
      broken_pipe_ = true;
    else
      failed_ = true;
    return false;
  }
  return true;
}

}  // namespace mk::json
