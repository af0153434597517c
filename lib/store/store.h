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

#include <algorithm>
#include <cstdint>
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
using BlobFetch = std::function<Status(uint64_t offset, const BlobSink& sink)>;

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
  // The same, with the manifest's media type when the store knows it
  // without reading the manifest (a registry's HEAD, a directory's index):
  // the copier's "already there" check needs no source read.
  virtual Result<std::optional<oci::Descriptor>> ManifestHead(const Reference& ref) {
    MK_ASSIGN_OR_RETURN(std::optional<Digest> digest, ManifestDigest(ref));
    if (!digest) return std::optional<oci::Descriptor>();
    oci::Descriptor d;
    d.digest = *digest;
    return std::optional<oci::Descriptor>(std::move(d));
  }
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
  // The blob's bytes from byte offset on, to resume a transfer that has
  // the first offset bytes already (a registry answers a Range request, a
  // directory reads from the offset). This fallback fetches everything and
  // drops the first offset bytes: correct, only not cheaper.
  virtual Status FetchBlobFrom(const Reference& repo, const oci::Descriptor& blob, uint64_t offset,
                               const BlobSink& sink) {
    if (offset == 0) return FetchBlob(repo, blob, sink);
    uint64_t skip = offset;
    return FetchBlob(repo, blob, [&](const char* data, size_t n) -> Status {
      size_t drop = static_cast<size_t>(std::min<uint64_t>(skip, n));
      skip -= drop;
      return drop == n ? Status::Ok() : sink(data + drop, n - drop);
    });
  }
  // Stores exactly blob.size bytes from source. The source fails (and the
  // store must then keep nothing) if the bytes do not match the digest.
  virtual Status PushBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSource& source) = 0;
  // Stores a blob by pulling its bytes: fetch(offset, sink) delivers them
  // from offset on. Only stores that write locally take blobs this way
  // (PullsBlobs): they hash what they write and keep nothing that does not
  // match the digest, so a copy into them needs no pipe, no thread and no
  // second hash, and a store that kept the first bytes of an interrupted
  // write (a directory) asks only for the rest; *resumed says how many
  // bytes came from there.
  virtual bool PullsBlobs() const { return false; }
  virtual Status PullBlob(const Reference& repo, const oci::Descriptor& blob, const BlobFetch& fetch,
                          uint64_t* resumed) {
    (void)repo, (void)blob, (void)fetch, (void)resumed;
    return Unsupported(Name() + " takes blobs by push only");
  }
  // Makes a blob that exists in from (same store) available in repo without
  // copying bytes. False when not possible; the caller then copies.
  virtual Result<bool> MountBlob(const Reference& repo, const oci::Descriptor& blob, const Reference& from) {
    (void)repo, (void)blob, (void)from;
    return false;
  }

  // Deletes the manifest ref pins by digest (a registry then drops every
  // tag naming it in that repository; blobs are the registry's garbage
  // collection's). Only registries delete through the Store: a directory
  // is pruned under its lock as a whole (prune/). Last in the class so
  // that adding it moved no other virtual function's slot.
  virtual Status DeleteManifest(const Reference& ref) {
    return Unsupported(Name() + " cannot delete manifest " + ref.String());
  }
};

}  // namespace mk::store
