// Digest: a content address "algorithm:hex" (OCI image-spec descriptor.md,
// "Digests"). Only sha256 is produced; sha512 is parsed and verified too.
// Grammar: digest := algorithm ":" encoded ; encoded is lower-case hex of the
// algorithm's length (64 for sha256, 128 for sha512).
//
// DigestHasher wraps an OpenSSL EVP context (RAII); this module is
// the only OpenSSL user. Hashers are not thread-safe; Digest values are.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace mk {

class Digest {
 public:
  Digest() = default;
  static Result<Digest> Parse(std::string_view text);
  // sha256 of data, in one call.
  static Digest Sha256Of(std::string_view data);

  const std::string& str() const { return text_; }
  std::string_view algorithm() const;
  std::string_view hex() const;
  bool empty() const { return text_.empty(); }
  bool operator==(const Digest& o) const { return text_ == o.text_; }
  bool operator!=(const Digest& o) const { return text_ != o.text_; }
  bool operator<(const Digest& o) const { return text_ < o.text_; }

 private:
  friend class DigestHasher;
  explicit Digest(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

// Incremental hasher for a digest's algorithm.
class DigestHasher {
 public:
  explicit DigestHasher(std::string_view algorithm = "sha256");
  ~DigestHasher();
  DigestHasher(const DigestHasher&) = delete;
  DigestHasher& operator=(const DigestHasher&) = delete;

  void Update(const void* data, size_t n);
  // Finishes; the hasher may not be updated afterwards.
  Digest Finish();
  uint64_t bytes() const { return bytes_; }

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
  std::string algorithm_;
  uint64_t bytes_ = 0;
};

// Checks that data has the given digest.
Status VerifyDigest(const Digest& expected, std::string_view data, std::string_view what);

}  // namespace mk

template <>
struct std::hash<mk::Digest> {
  size_t operator()(const mk::Digest& d) const noexcept { return std::hash<std::string>()(d.str()); }
};
