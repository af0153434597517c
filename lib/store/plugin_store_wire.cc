#include "store/plugin_store_wire.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/signals.h"
#include "base/strings.h"

namespace mk::store::wire {
namespace {

constexpr size_t kReadAhead = 256 << 10;
constexpr size_t kWriteBuffer = 64 << 10;

}  // namespace

Status Conn::Fill() {
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  size_t old = buf_.size();
  buf_.resize(old + kReadAhead);
  for (;;) {
    ssize_t n = ::read(in_, buf_.data() + old, kReadAhead);
    if (n < 0 && errno == EINTR) {
      if (Interrupted()) {
        buf_.resize(old);
        return Cancelled("interrupted while waiting for " + peer_);
      }
      continue;
    }
    if (n < 0) {
      int err = errno;
      buf_.resize(old);
      return IoError("reading from " + peer_ + ": " + std::strerror(err));
    }
    buf_.resize(old + static_cast<size_t>(n));
    if (n == 0) {
      eof_ = true;
      return Unavailable(peer_ + " closed the connection");
    }
    return Status::Ok();
  }
}

Result<std::string> Conn::ReadLine() {
  for (;;) {
    size_t nl = buf_.find('\n', pos_);
    if (nl != std::string::npos) {
      if (nl - pos_ > kMaxLine) return InvalidArgument(peer_ + " sent a line longer than 64 KiB");
      std::string line = buf_.substr(pos_, nl - pos_);
      pos_ = nl + 1;
      return line;
    }
    if (buf_.size() - pos_ > kMaxLine) return InvalidArgument(peer_ + " sent a line longer than 64 KiB");
    // Keep the unread part only, so the buffer never grows past a line.
    if (pos_ > 0) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    MK_RETURN_IF_ERROR(Fill());
  }
}

Status Conn::ReadExact(size_t n, std::string& out) {
  while (n > 0) {
    if (pos_ == buf_.size()) MK_RETURN_IF_ERROR(Fill());
    size_t take = std::min(n, buf_.size() - pos_);
    out.append(buf_, pos_, take);
    pos_ += take;
    n -= take;
  }
  return Status::Ok();
}

Result<size_t> BodyReader::Read(char* out, size_t n) {
  while (!done_ && left_ == 0) {
    MK_ASSIGN_OR_RETURN(std::string line, conn_.ReadLine());
    if (line == "end") {
      done_ = true;
      return size_t{0};
    }
    if (line == "abort") {
      done_ = true;
      return Cancelled(conn_.peer_ + " abandoned the transfer");
    }
    if (IsErrorLine(line)) {
      done_ = true;
      return ParseErrorLine(line, conn_.peer_);
    }
    if (line.substr(0, 5) != "data ")
      return InvalidArgument(conn_.peer_ + " sent " + Quote(line, 60) + " where a data chunk was due");
    MK_ASSIGN_OR_RETURN(left_, ParseCount(line.substr(5), kChunk, "chunk size"));
  }
  if (done_) return size_t{0};
  // Straight from the read-ahead buffer, refilled as needed.
  if (conn_.pos_ == conn_.buf_.size()) MK_RETURN_IF_ERROR(conn_.Fill());
  size_t take = static_cast<size_t>(std::min<uint64_t>({left_, n, conn_.buf_.size() - conn_.pos_}));
  std::memcpy(out, conn_.buf_.data() + conn_.pos_, take);
  conn_.pos_ += take;
  left_ -= take;
  return take;
}

Status BodyReader::Drain() {
  std::vector<char> buf(64 << 10);
  while (!done_) {
    auto n = Read(buf.data(), buf.size());
    if (!n.ok()) return n.status();
  }
  return Status::Ok();
}

Status Conn::Write(std::string_view data) {
  pending_.append(data);
  if (pending_.size() >= kWriteBuffer) return Flush();
  return Status::Ok();
}

Status Conn::WriteChunk(const char* data, size_t n) {
  while (n > 0) {
    size_t take = std::min(n, kChunk);
    MK_RETURN_IF_ERROR(Write("data " + std::to_string(take) + "\n"));
    MK_RETURN_IF_ERROR(Write(std::string_view(data, take)));
    data += take;
    n -= take;
  }
  return Status::Ok();
}

Status Conn::Flush() {
  std::string_view rest = pending_;
  while (!rest.empty()) {
    ssize_t n = ::write(out_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) {
      if (Interrupted()) return Cancelled("interrupted while writing to " + peer_);
      continue;
    }
    if (n < 0) {
      int err = errno;
      pending_.clear();
      if (err == EPIPE) return Unavailable(peer_ + " closed the connection");
      return IoError("writing to " + peer_ + ": " + std::strerror(err));
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  pending_.clear();
  return Status::Ok();
}

std::string ErrorLine(const Status& s) {
  std::string message = s.message().empty() ? "failed" : s.message();
  for (char& c : message)
    if (c == '\n' || c == '\r') c = ' ';
  return std::string("error ") + CodeName(s.code()) + " " + message;
}

Status ParseErrorLine(std::string_view line, const std::string& peer) {
  if (!IsErrorLine(line)) return InvalidArgument(peer + " sent " + Quote(line, 60) + " where an answer was due");
  std::string_view rest = line.substr(6);
  size_t space = rest.find(' ');
  std::string_view code_name = rest.substr(0, space);
  std::string message = space == std::string_view::npos ? peer + " failed (" + std::string(code_name) + ")"
                                                        : OneLine(rest.substr(space + 1), 1000);
  for (Code c : {Code::kInvalidArgument, Code::kNotFound, Code::kAlreadyExists, Code::kPermissionDenied,
                 Code::kUnavailable, Code::kDataLoss, Code::kUnsupported, Code::kIo, Code::kCancelled, Code::kInternal})
    if (code_name == CodeName(c)) return Status(c, message);
  // An unknown code is still a failure; the message says what.
  return Internal(message);
}

std::vector<std::string> Words(std::string_view line) { return Split(line, ' '); }

Result<uint64_t> ParseCount(std::string_view text, uint64_t max, std::string_view what) {
  if (text.empty() || text.size() > 20) return InvalidArgument("bad " + std::string(what) + ": " + Quote(text, 40));
  uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return InvalidArgument("bad " + std::string(what) + ": " + Quote(text, 40));
    if (n > (UINT64_MAX - static_cast<uint64_t>(c - '0')) / 10)
      return InvalidArgument(std::string(what) + " too large");
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n > max) return InvalidArgument(std::string(what) + " " + std::string(text) + " is over " + std::to_string(max));
  return n;
}

}  // namespace mk::store::wire
