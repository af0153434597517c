// Verifying release signatures with GPGME (this module is the project's only
// GPGME user) against the public keys of one keyring file, never against the
// user's own keyring: the keys are imported into a throwaway GNUPGHOME (a
// 0700 directory under $TMPDIR, removed with the Verifier), so a key the user
// happens to trust never vouches for a release, and nothing of ours is left
// in ~/.gnupg.
//
// A signature is an OpenPGP signed message (what `gpg --sign` writes); it is
// good when every signature in it is valid (GPGME status "no error": made by
// one of the keyring's keys, not expired, not revoked) and the message
// inside is a claim (claim.h) for the release digest.
//
// A Verifier owns its GPGME context and temporary directory; one thread at a
// time.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "signature/claim.h"

namespace mk::signature {

struct Verified {
  Claim claim;
  std::string fingerprint;  // of the key that made the signature
};

class Verifier {
 public:
  // Imports keyring_path's public keys (armored or binary). kInvalidArgument
  // when the file holds no public key; kNotFound/kPermissionDenied when it
  // cannot be read; kInternal when GPGME cannot start.
  static Result<std::unique_ptr<Verifier>> Open(const std::string& keyring_path);
  ~Verifier();
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // kPermissionDenied: not signed by a key of the keyring, or the claim is
  // for another digest; kInvalidArgument: not a signed message, or a
  // malformed claim.
  Result<Verified> Verify(const std::string& signature, const std::string& digest);

  int keys() const { return keys_; }

 private:
  struct Impl;
  explicit Verifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  int keys_ = 0;
};

}  // namespace mk::signature
