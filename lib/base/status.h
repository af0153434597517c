// Status and Result<T>: errors as values, in the manner of LevelDB's Status.
//
// A Status is either ok or carries a small code and a message that says what
// failed first, lower-case, naming the culprit (a reference, a path, an HTTP
// status) and never a secret. Result<T> holds either a T or a non-ok Status.
// Both are cheap to move and are [[nodiscard]], so an ignored error is a
// compiler warning. Library code returns these; only tools map them to exit
// codes. Values are not shared between threads without external locking.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace mk {

enum class Code {
  kOk = 0,
  kInvalidArgument,  // the input is malformed (a reference, a JSON line)
  kNotFound,         // a manifest, blob, file or key does not exist
  kAlreadyExists,
  kPermissionDenied,  // 401/403, or a file we may not write
  kUnavailable,       // network failure, 5xx, connection refused: may retry
  kDataLoss,          // digest or size mismatch: content is not what it claims
  kUnsupported,       // a media type or feature we do not handle
  kIo,                // local I/O failure (disk full, read error)
  kCancelled,         // interrupted by a signal or by the caller
  kInternal,
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message"; ok stays ok.
  Status WithContext(const std::string& context) const;

  std::string ToString() const { return ok() ? "ok" : message_; }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
inline Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
inline Status PermissionDenied(std::string m) { return Status(Code::kPermissionDenied, std::move(m)); }
inline Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
inline Status DataLoss(std::string m) { return Status(Code::kDataLoss, std::move(m)); }
inline Status Unsupported(std::string m) { return Status(Code::kUnsupported, std::move(m)); }
inline Status IoError(std::string m) { return Status(Code::kIo, std::move(m)); }
inline Status Cancelled(std::string m) { return Status(Code::kCancelled, std::move(m)); }
inline Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

// Result<T>: a T, or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "Result built from an ok Status has no value");
    if (status_.ok()) status_ = Internal("result without value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace mk

// Early-return helpers. MK_RETURN_IF_ERROR(expr) returns a non-ok Status;
// MK_ASSIGN_OR_RETURN(lhs, expr) unwraps a Result or returns its Status.
#define MK_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::mk::Status mk_status_ = (expr);        \
    if (!mk_status_.ok()) return mk_status_; \
  } while (0)

#define MK_CONCAT_INNER(a, b) a##b
#define MK_CONCAT(a, b) MK_CONCAT_INNER(a, b)
#define MK_ASSIGN_OR_RETURN(lhs, expr) MK_ASSIGN_OR_RETURN_IMPL(MK_CONCAT(mk_result_, __LINE__), lhs, expr)
#define MK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
