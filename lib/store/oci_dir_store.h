// OciDirStore: a Store over an OCI image layout directory (OCI image-spec
// image-layout.md) — the removable media of disconnected mirroring.
//
//   DIR/oci-layout            {"imageLayoutVersion": "1.0.0"}
//   DIR/index.json            an OCI index; one entry per named image, its
//                             org.opencontainers.image.ref.name annotation
//                             holding the image's full original reference
//   DIR/blobs/sha256/<hex>    every blob and manifest, byte for byte, once
//
// Many images share one content-addressed blob store, so a blob used by a
// hundred images is stored once. Names are FAT/exFAT-safe: no ':' in file
// names, no links. Every write goes to a temporary file in the same folder
// (".<hex>.tmp-XXXXXX") that is renamed only after its digest checks out,
// so a crash at any moment leaves either the whole blob or none of it under
// its name; index.json is rewritten atomically under an flock on DIR
// (base/file_lock.h), so several processes (GNU parallel) can add images at
// once. Opening for writing removes the temporaries killed writers left
// (RemoveStaleTemps: only those no live writer holds), except those of
// blobs: a blob's temporary left by a killed (or interrupted) writer is
// adopted by the next writer of that blob in a store opened for writing,
// which keeps its whole MiB units (a torn last write is dropped), re-hashes
// them and fetches only the rest (PullBlob). The digest of the whole blob
// is still checked before the rename; when it fails after a resume (a
// power cut can leave garbage that a kill cannot), the blob is fetched
// again from its start, once. Reads are re-hashed by FetchVerified like
// every store's. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/atomic_file.h"
#include "base/unique_fd.h"
#include "oci/manifest.h"
#include "store/store.h"

namespace mk::store {

struct NamedImage {
  std::string name;  // ref.name annotation ("" when absent)
  oci::Descriptor descriptor;
};

class OciDirStore : public Store {
 public:
  // Opens DIR; with create, makes it (and oci-layout) when missing.
  static Result<std::unique_ptr<OciDirStore>> Open(const std::string& dir, bool create);
  // Removes the blob temporaries found at Open that no writer adopted
  // (their blobs were not written again), unless the run was interrupted:
  // temporaries do not pile up on the media.
  ~OciDirStore() override;

  std::string Name() const override { return "directory " + dir_; }
  Result<oci::Manifest> GetManifest(const Reference& ref) override;
  Result<std::optional<Digest>> ManifestDigest(const Reference& ref) override;
  Result<std::optional<oci::Descriptor>> ManifestHead(const Reference& ref) override;
  Status PutManifest(const Reference& ref, const oci::Manifest& manifest, ManifestRole role) override;
  Result<bool> HasBlob(const Reference& repo, const oci::Descriptor& blob) override;
  Status FetchBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSink& sink) override;
  Status FetchBlobFrom(const Reference& repo, const oci::Descriptor& blob, uint64_t offset,
                       const BlobSink& sink) override;
  Status PushBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSource& source) override;
  bool PullsBlobs() const override { return true; }
  Status PullBlob(const Reference& repo, const oci::Descriptor& blob, const BlobFetch& fetch,
                  uint64_t* resumed) override;
  Result<Reference> ResolveName(const std::string& name) override;
  std::string BlobScope(const Reference&) const override { return ""; }

  // The images named in index.json, in its order.
  Result<std::vector<NamedImage>> List();
  // Names matching a pattern: the full name, the name without its domain,
  // or the tag, each as a glob (fnmatch).
  Result<std::vector<NamedImage>> Match(const std::string& pattern);
  // Adds or replaces the index entry called name.
  Status Name(const std::string& name, const oci::Descriptor& descriptor);

  // The manifest stored under digest, verified; media_type as a
  // descriptor gives it ("" when unknown: the document or its shape says).
  Result<oci::Manifest> ReadManifestBlob(const Digest& digest, const std::string& media_type);

  const std::string& dir() const { return dir_; }
  // Paths are built only from a parsed Digest (digest/digest.h: a known
  // algorithm and hex of its length), so no name in a hostile index.json
  // or manifest can reach outside DIR/blobs.
  std::string BlobPath(const Digest& digest) const;
  // Opens a blob file to read: a regular file, never through a symbolic
  // link (a layout has none, and one could lead out of DIR) nor a FIFO or
  // device (which could block or never end). kNotFound when missing,
  // kDataLoss naming the path for anything else found there.
  static Result<UniqueFd> OpenBlobFile(const std::string& path);
  // Reads DIR/index.json or DIR/oci-layout (links allowed), refused past
  // max_bytes or when not a regular file (a FIFO would block the reader).
  static Result<std::string> ReadLayoutFile(const std::string& path, size_t max_bytes);

 private:
  explicit OciDirStore(std::string dir) : dir_(std::move(dir)) {}
  Result<std::string> ReadIndex();
  Status WriteBytes(const Digest& digest, std::string_view bytes);
  // The longest stale temporary of the blob found at Open, now ours
  // (others of the same blob are removed); nullopt when there is none.
  Result<std::optional<AtomicFile>> AdoptPartial(const Digest& digest);

  std::string dir_;
  std::mutex index_mu_;  // with the flock, one index writer at a time
  std::mutex orphans_mu_;
  // Blob temporaries present at Open ("sha256/HEX" -> paths), candidates
  // for adoption; each is tried by one writer only.
  std::map<std::string, std::vector<std::string>> orphans_;
};

}  // namespace mk::store
