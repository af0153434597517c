// BytePipe: a bounded in-memory pipe between one producer thread and one
// consumer thread, so a blob can stream from a download straight into an
// upload (or a tar reader) with memory bounded by the capacity, never by the
// blob's size.
//
// Content addressing: when the expected total size is known, the consumer is
// never handed the final byte until the producer has closed the pipe with
// ok (i.e. after the producer verified the digest). A consumer that uploads
// can therefore never complete an upload of unverified content. Either side
// may Close/Abort with an error; the other side then sees that error.
// Thread-safe for exactly one producer and one consumer.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "base/status.h"

namespace mk {

class BytePipe {
 public:
  // expected_size: total bytes the producer will write, or nullopt if unknown.
  explicit BytePipe(size_t capacity, std::optional<uint64_t> expected_size = std::nullopt);

  // Producer side. Blocks while the pipe is full. Fails when the consumer has
  // aborted (its error is returned).
  Status Write(const char* data, size_t n);
  // Producer side: no more bytes. A non-ok status is passed to the consumer.
  void Close(Status final_status);

  // Consumer side. Returns bytes read (>0), 0 at a clean end, or the error
  // the producer closed with.
  Result<size_t> Read(char* out, size_t n);
  // Consumer side: stop; the producer's next Write fails with this status.
  void Abort(Status why);

 private:
  const size_t capacity_;
  const std::optional<uint64_t> expected_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<char> ring_;
  size_t head_ = 0;  // next byte to read
  size_t size_ = 0;  // bytes buffered
  uint64_t delivered_ = 0;
  bool closed_ = false;
  Status producer_status_;
  std::optional<Status> consumer_abort_;
};

}  // namespace mk
