// The framing of the storage plugin protocol (man/mirrorkit-storage.7),
// shared by the core's side (PluginStore) and a plugin's (ServePlugin):
// requests and answers are lines of words separated by single spaces, ended
// by "\n" (at most kMaxLine bytes); bodies follow their line as counted
// bytes. A blob body is a run of chunks, so neither side ever holds a whole
// blob:
//
//   body  := { "data " N "\n" <N bytes> } ( "end\n" | "abort\n" | error-line )
//   error-line := "error " CODE " " MESSAGE "\n"
//
// CODE is a base::CodeName ("not-found", "invalid-argument", "unavailable",
// "data-loss", "unsupported", "io", ...): a plugin's failure becomes the
// same Status, so exit statuses and error records stay right.
//
// Conn reads and writes two descriptors it does not own (a child's pipes,
// or stdin/stdout in a plugin); it buffers both ways. Not thread-safe: one
// request at a time (PluginStore holds a mutex around each).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace mk::store::wire {

inline constexpr int kVersion = 1;
inline constexpr size_t kMaxLine = 64 << 10;
inline constexpr size_t kChunk = 1 << 20;  // the largest "data N" a side sends or accepts

class Conn {
 public:
  // peer names the other side in messages ("mirrorkit-storage-oci-archive").
  Conn(int in_fd, int out_fd, std::string peer) : in_(in_fd), out_(out_fd), peer_(std::move(peer)) {}

  // One line without its "\n". At the end of the input: kUnavailable, and
  // eof() is true. A SIGINT/SIGTERM while waiting: kCancelled.
  Result<std::string> ReadLine();
  // Exactly n bytes, appended to out.
  Status ReadExact(size_t n, std::string& out);
  bool eof() const { return eof_; }

  // Buffered until Flush (or until the buffer is large).
  Status Write(std::string_view data);
  Status WriteLine(std::string_view line) { return Write(std::string(line) + "\n"); }
  // One "data N" chunk (n may be any size: it is split at kChunk).
  Status WriteChunk(const char* data, size_t n);
  Status Flush();

  const std::string& peer() const { return peer_; }

 private:
  friend class BodyReader;
  Status Fill();  // reads more input into buf_

  int in_;
  int out_;
  std::string peer_;
  std::string buf_;      // input read ahead
  size_t pos_ = 0;       // consumed part of buf_
  std::string pending_;  // output not yet written
  bool eof_ = false;
};

// The pull side of a body: Read gives its bytes chunk by chunk, 0 at
// "end"; "abort" gives kCancelled, an error line its Status. A reader that
// stopped early must Drain the rest so the stream stays in step.
class BodyReader {
 public:
  explicit BodyReader(Conn& conn) : conn_(conn) {}
  Result<size_t> Read(char* out, size_t n);
  // Reads and drops the rest of the body; its end status (ok at "end").
  Status Drain();
  bool done() const { return done_; }

 private:
  Conn& conn_;
  uint64_t left_ = 0;  // bytes of the current chunk not yet read
  bool done_ = false;
};

// "error CODE MESSAGE" for s (which is not ok); newlines in the message
// become spaces.
std::string ErrorLine(const Status& s);
// The Status an error line stands for; what names the request in the
// message when the plugin gave none. kInvalidArgument when line is not an
// error line.
Status ParseErrorLine(std::string_view line, const std::string& peer);
// Whether line is an error line.
inline bool IsErrorLine(std::string_view line) { return line.substr(0, 6) == "error "; }

// The words of a line (split at single spaces; empty words kept, so a
// malformed line fails the caller's count check).
std::vector<std::string> Words(std::string_view line);
// A decimal count with no sign or leading junk, at most max.
Result<uint64_t> ParseCount(std::string_view text, uint64_t max, std::string_view what);

}  // namespace mk::store::wire
