// Store: one interface for every place images live — a registry, an OCI
// image-layout directory, an in-memory store in tests — so copy/ and
// release/ never care which kind they read or write.
//
// Images are named by Reference: a registry store uses domain and path; a
// directory store keys images by the full reference string. Blob bodies
// stream: FetchBlob pushes raw, unverified bytes into a sink and PushBlob
// pulls them from a source, so memory never depends on blob size. Verifying
// digests is done once, above the stores (FetchVerified in blob_stream.h).
// Implementations are thread-safe: copy workers share one store.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/status.h"
#include "digest/digest.h"
#include "oci/manifest.h"
#include "ref/reference.h"

namespace mk::store {

// Whether a manifest is an image the store should name (a top-level image,
// listed in an OCI layout's index.json) or only content another manifest
// references (a platform manifest of an index).
enum class ManifestRole { kTop, kChild };

using BlobSink = std::function<Status(const char* data, size_t n)>;
using BlobSource = std::function<Result<size_t>(char* out, size_t n)>;

class Store {
 public:
  virtual ~Store() = default;

  // A short name for messages and for same-store checks ("registry quay.io").
  virtual std::string Name() const = 0;

  // The manifest a reference names (tag or digest). Digest-pinned reads are
  // verified against the digest.
  virtual Result<oci::Manifest> GetManifest(const Reference& ref) = 0;
  // The digest a reference resolves to, or nullopt when it does not exist.
  virtual Result<std::optional<Digest>> ManifestDigest(const Reference& ref) = 0;
  // Stores the manifest's exact bytes under ref's tag, or its digest; a
  // kTop manifest is also named ref (in a directory store's index).
  virtual Status PutManifest(const Reference& ref, const oci::Manifest& manifest,
                             ManifestRole role = ManifestRole::kTop) = 0;

  // The full name of an image the user selected by a shorter name or a
  // glob (a directory store matches the names in its index); registries
  // take references as they are.
  virtual Result<Reference> ResolveName(const std::string& name) { return Reference::Parse(name); }

  // Blobs are shared within a scope: a registry repository, or a whole
  // directory store. Dedup and mount decisions are per scope.
  virtual std::string BlobScope(const Reference& repo) const { return repo.repository(); }

  virtual Result<bool> HasBlob(const Reference& repo, const oci::Descriptor& blob) = 0;
  virtual Status FetchBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSink& sink) = 0;
  // Stores exactly blob.size bytes from source. The source fails (and the
  // store must then keep nothing) if the bytes do not match the digest.
  virtual Status PushBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSource& source) = 0;
  // Makes a blob that exists in from (same store) available in repo without
  // copying bytes. False when not possible; the caller then copies.
  virtual Result<bool> MountBlob(const Reference& repo, const oci::Descriptor& blob, const Reference& from) {
    (void)repo, (void)blob, (void)from;
    return false;
  }
};

}  // namespace mk::store
