#include "base/byte_pipe.h"

#include <algorithm>
#include <cstring>

namespace mk {

BytePipe::BytePipe(size_t capacity, std::optional<uint64_t> expected_size)
    : capacity_(std::max<size_t>(capacity, 1)), expected_(expected_size), ring_(capacity_) {}

Status BytePipe::Write(const char* data, size_t n) {
  std::unique_lock<std::mutex> lock(mu_);
  while (n > 0) {
    cv_.wait(lock, [&] { return consumer_abort_.has_value() || size_ < capacity_; });
    if (consumer_abort_) return *consumer_abort_;
    size_t tail = (head_ + size_) % capacity_;
    size_t chunk = std::min({n, capacity_ - size_, capacity_ - tail});
    std::memcpy(ring_.data() + tail, data, chunk);
    size_ += chunk;
    data += chunk;
    n -= chunk;
    cv_.notify_all();
  }
  return consumer_abort_ ? *consumer_abort_ : Status::Ok();
}

void BytePipe::Close(Status final_status) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return;
  closed_ = true;
  producer_status_ = std::move(final_status);
  cv_.notify_all();
}

Result<size_t> BytePipe::Read(char* out, size_t n) {
  if (n == 0) return size_t{0};
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (consumer_abort_) return *consumer_abort_;
    if (closed_ && !producer_status_.ok()) return producer_status_;
    if (size_ > 0) {
      size_t want = std::min(n, size_);
      // Hold back the final byte until the producer has vouched for it.
      if (expected_ && !closed_ && delivered_ + want >= *expected_) {
        if (*expected_ > delivered_ + 1) {
          want = static_cast<size_t>(*expected_ - delivered_ - 1);
        } else {
          want = 0;
        }
      }
      if (want > 0) {
        size_t chunk = std::min(want, capacity_ - head_);
        std::memcpy(out, ring_.data() + head_, chunk);
        head_ = (head_ + chunk) % capacity_;
        size_ -= chunk;
        delivered_ += chunk;
        cv_.notify_all();
        return chunk;
      }
    } else if (closed_) {
      if (expected_ && delivered_ != *expected_)
        return DataLoss("stream ended after " + std::to_string(delivered_) + " of " + std::to_string(*expected_) +
                        " bytes");
      return size_t{0};
    }
    cv_.wait(lock);
  }
}

void BytePipe::Abort(Status why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!consumer_abort_) consumer_abort_ = why.ok() ? Cancelled("reader stopped") : std::move(why);
  cv_.notify_all();
}

}  // namespace mk
