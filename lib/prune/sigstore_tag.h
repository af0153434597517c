// The inverse of release/sigstore.h's SigstoreTag: which digest a cosign
// signature tag "sha256-<hex>.sig" signs, so that a prune keeps the
// signatures of kept images and deletes those of deleted ones. Pure.
#pragma once

#include <optional>
#include <string>

#include "digest/digest.h"

namespace mk::prune {

// The digest a signature tag signs; nullopt for any other tag.
std::optional<Digest> SignedDigest(const std::string& tag);

}  // namespace mk::prune
