#include "store/memory_store.h"

namespace mk::store {

Result<oci::Manifest> MemoryStore::GetManifest(const Reference& ref) {
  std::lock_guard<std::mutex> lock(mu_);
  ++manifest_reads_;
  auto it = manifests_.find({ref.path(), ref.manifest_ref()});
  if (it == manifests_.end()) return NotFound("manifest " + ref.String() + " not found in " + Name());
  return it->second;
}

Result<std::optional<Digest>> MemoryStore::ManifestDigest(const Reference& ref) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = manifests_.find({ref.path(), ref.manifest_ref()});
  if (it == manifests_.end()) return std::optional<Digest>();
  return std::optional<Digest>(it->second.digest);
}

Result<std::optional<oci::Descriptor>> MemoryStore::ManifestHead(const Reference& ref) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = manifests_.find({ref.path(), ref.manifest_ref()});
  if (it == manifests_.end()) return std::optional<oci::Descriptor>();
  oci::Descriptor d;
  d.digest = it->second.digest;
  d.media_type = it->second.media_type;
  d.size = static_cast<int64_t>(it->second.raw.size());
  return std::optional<oci::Descriptor>(std::move(d));
}

Status MemoryStore::PutManifest(const Reference& ref, const oci::Manifest& manifest, ManifestRole) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string& path = ref.path();
  if (manifest.is_index()) {
    for (const auto& child : manifest.manifests)
      if (!manifests_.count({path, child.digest.str()}))
        return InvalidArgument("manifest blob unknown: child " + child.digest.str() + " not in " + path);
  } else {
    if (!blobs_.count({path, manifest.config.digest}))
      return InvalidArgument("blob unknown: config " + manifest.config.digest.str());
    for (const auto& layer : manifest.layers)
      if (layer.urls.empty() && !blobs_.count({path, layer.digest}))
        return InvalidArgument("blob unknown: layer " + layer.digest.str());
  }
  manifests_[{path, manifest.digest.str()}] = manifest;
  if (!ref.tag().empty()) manifests_[{path, ref.tag()}] = manifest;
  return Status::Ok();
}

Result<bool> MemoryStore::HasBlob(const Reference& repo, const oci::Descriptor& blob) {
  std::lock_guard<std::mutex> lock(mu_);
  return blobs_.count({repo.path(), blob.digest}) > 0;
}

Status MemoryStore::FetchBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSink& sink) {
  return FetchBlobFrom(repo, blob, 0, sink);
}

Status MemoryStore::FetchBlobFrom(const Reference& repo, const oci::Descriptor& blob, uint64_t offset,
                                  const BlobSink& sink) {
  std::string bytes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = blobs_.find({repo.path(), blob.digest});
    if (it == blobs_.end()) return NotFound("blob " + blob.digest.str() + " not in " + repo.path());
    if (offset > it->second.size()) return InvalidArgument("offset " + std::to_string(offset) + " beyond the blob");
    bytes = it->second.substr(static_cast<size_t>(offset));
  }
  ++blob_fetches_;
  // Deliver in small pieces, as a network would.
  for (size_t off = 0; off < bytes.size(); off += 4096) {
    size_t n = std::min<size_t>(4096, bytes.size() - off);
    bytes_fetched_ += n;
    MK_RETURN_IF_ERROR(sink(bytes.data() + off, n));
  }
  return Status::Ok();
}

Status MemoryStore::PushBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSource& source) {
  std::string bytes;
  char buf[8192];
  for (;;) {
    MK_ASSIGN_OR_RETURN(size_t n, source(buf, sizeof buf));
    if (n == 0) break;
    bytes.append(buf, n);
    if (bytes.size() > static_cast<size_t>(blob.size)) return DataLoss("pushed more bytes than declared");
  }
  if (Digest::Sha256Of(bytes) != blob.digest) return DataLoss("pushed bytes do not match " + blob.digest.str());
  std::lock_guard<std::mutex> lock(mu_);
  blobs_[{repo.path(), blob.digest}] = std::move(bytes);
  ++pushes_;
  return Status::Ok();
}

Result<bool> MemoryStore::MountBlob(const Reference& repo, const oci::Descriptor& blob, const Reference& from) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = blobs_.find({from.path(), blob.digest});
  if (it == blobs_.end()) return false;
  blobs_[{repo.path(), blob.digest}] = it->second;
  ++mounts_;
  return true;
}

void MemoryStore::PutRawBlob(const std::string& repo_path, const Digest& digest, std::string bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  blobs_[{repo_path, digest}] = std::move(bytes);
}

}  // namespace mk::store
