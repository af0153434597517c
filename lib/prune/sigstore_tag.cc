#include "prune/sigstore_tag.h"

namespace mk::prune {

std::optional<Digest> SignedDigest(const std::string& tag) {
  static constexpr std::string_view kPrefix = "sha256-", kSuffix = ".sig";
  if (tag.size() != kPrefix.size() + 64 + kSuffix.size() || tag.compare(0, kPrefix.size(), kPrefix) != 0 ||
      tag.compare(tag.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
    return std::nullopt;
  auto d = Digest::Parse("sha256:" + tag.substr(kPrefix.size(), 64));
  if (!d.ok()) return std::nullopt;
  return *d;
}

}  // namespace mk::prune
