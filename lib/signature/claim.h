// The claim inside a release signature: the JSON an OpenPGP signed message
// carries ("atomic container signature", containers/image's simple signing
// format, as the cluster-version operator reads it through library-go):
//
//   {"critical": {"identity": {"docker-reference": "quay.io/…"},
//                 "image": {"docker-manifest-digest": "sha256:…"},
//                 "type": "atomic container signature"},
//    "optional": {…}}
//
// Unknown members of "critical" (and of its identity and image) are refused,
// as the format says: a verifier that ignored a critical field it does not
// understand would accept a claim it cannot check. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace mk::signature {

inline constexpr const char kSignatureType[] = "atomic container signature";

struct Claim {
  std::string docker_reference;
  std::string digest;  // critical.image.docker-manifest-digest
};

// Parses and checks the claim for digest ("sha256:<hex>"): a malformed claim
// or unknown critical field is kInvalidArgument; a claim for another digest
// is kPermissionDenied (the signature is good for something else, not for
// this release).
Result<Claim> CheckClaim(std::string_view json_text, const std::string& digest);

}  // namespace mk::signature
