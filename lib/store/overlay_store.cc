#include "store/overlay_store.h"

namespace mk::store {

OverlayStore::OverlayStore(Store& base, Reference alias, const Overlay& overlay)
    : base_(base), alias_(std::move(alias)) {
  for (size_t i = 0; i < overlay.manifests.size(); ++i) {
    if (i == 0) top_ = overlay.manifests[i].digest;
    manifests_.emplace(overlay.manifests[i].digest, overlay.manifests[i]);
  }
  for (const auto& [desc, bytes] : overlay.blobs) blobs_.emplace(desc.digest, bytes);
}

const oci::Manifest* OverlayStore::Find(const Reference& ref) const {
  if (ref.digest()) {
    auto it = manifests_.find(*ref.digest());
    if (it != manifests_.end()) return &it->second;
  }
  if (ref == alias_ && !manifests_.empty()) return &manifests_.at(top_);
  return nullptr;
}

Result<oci::Manifest> OverlayStore::GetManifest(const Reference& ref) {
  if (const oci::Manifest* m = Find(ref)) return *m;
  return base_.GetManifest(ref);
}

Result<std::optional<Digest>> OverlayStore::ManifestDigest(const Reference& ref) {
  if (const oci::Manifest* m = Find(ref)) return std::optional<Digest>(m->digest);
  return base_.ManifestDigest(ref);
}

Status OverlayStore::PutManifest(const Reference& ref, const oci::Manifest&, ManifestRole) {
  return Unsupported("cannot write into the source of a rewritten image (" + ref.String() + ")");
}

Result<bool> OverlayStore::HasBlob(const Reference& repo, const oci::Descriptor& blob) {
  if (blobs_.count(blob.digest)) return true;
  return base_.HasBlob(repo, blob);
}

Status OverlayStore::FetchBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSink& sink) {
  auto it = blobs_.find(blob.digest);
  if (it == blobs_.end()) return base_.FetchBlob(repo, blob, sink);
  return sink(it->second.data(), it->second.size());
}

Status OverlayStore::PushBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSource&) {
  return Unsupported("cannot write into the source of a rewritten image (" + repo.String() + "@" + blob.digest.str() +
                     ")");
}

}  // namespace mk::store
