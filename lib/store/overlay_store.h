// OverlayStore: a read-only view of a source store with some content laid
// over it — the manifests and blobs a manifest rewrite made, carried in a
// record (records/rewrite.h) — so that the copier pushes a rewritten image
// exactly as it pushes any other: blobs from the source, manifests (and any
// new blob) from the overlay, children before the top.
//
// The image the overlay replaces is named `alias` (the record's source);
// asking for it by that reference gives the new top manifest. Any other
// manifest or blob is looked up by digest in the overlay, then in the base
// store. Overlay content is verified when it is made (Parse hashes the
// bytes), so nothing here serves bytes under a digest they do not match.
// Thread-safe as the base store is; the base must outlive the overlay.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "store/store.h"

namespace mk::store {

struct Overlay {
  std::vector<oci::Manifest> manifests;                        // the new top first, then its new children
  std::vector<std::pair<oci::Descriptor, std::string>> blobs;  // new blobs and their bytes
};

class OverlayStore : public Store {
 public:
  OverlayStore(Store& base, Reference alias, const Overlay& overlay);

  Store& base() { return base_; }

  std::string Name() const override { return base_.Name(); }
  Result<oci::Manifest> GetManifest(const Reference& ref) override;
  Result<std::optional<Digest>> ManifestDigest(const Reference& ref) override;
  Status PutManifest(const Reference& ref, const oci::Manifest& manifest, ManifestRole role) override;
  Result<Reference> ResolveName(const std::string& name) override { return base_.ResolveName(name); }
  std::string BlobScope(const Reference& repo) const override { return base_.BlobScope(repo); }
  Result<bool> HasBlob(const Reference& repo, const oci::Descriptor& blob) override;
  Status FetchBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSink& sink) override;
  Status PushBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSource& source) override;

 private:
  const oci::Manifest* Find(const Reference& ref) const;

  Store& base_;
  Reference alias_;
  std::map<Digest, oci::Manifest> manifests_;
  Digest top_;
  std::map<Digest, std::string> blobs_;
};

}  // namespace mk::store
