#include "store/registry_store.h"

namespace mk::store {

Result<oci::Manifest> RegistryStore::GetManifest(const Reference& ref) {
  return client_->GetManifest(ref.path(), ref.manifest_ref());
}

Result<std::optional<Digest>> RegistryStore::ManifestDigest(const Reference& ref) {
  return client_->HeadManifest(ref.path(), ref.manifest_ref());
}

Result<std::optional<oci::Descriptor>> RegistryStore::ManifestHead(const Reference& ref) {
  oci::Descriptor d;
  MK_ASSIGN_OR_RETURN(std::optional<Digest> digest,
                      client_->HeadManifest(ref.path(), ref.manifest_ref(), &d.media_type));
  if (!digest) return std::optional<oci::Descriptor>();
  d.digest = *digest;
  return std::optional<oci::Descriptor>(std::move(d));
}

Status RegistryStore::PutManifest(const Reference& ref, const oci::Manifest& manifest, ManifestRole) {
  std::string target = ref.tag().empty() ? manifest.digest.str() : ref.tag();
  return client_->PutManifest(ref.path(), target, manifest);
}

Result<bool> RegistryStore::HasBlob(const Reference& repo, const oci::Descriptor& blob) {
  return client_->HasBlob(repo.path(), blob.digest);
}

Status RegistryStore::FetchBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSink& sink) {
  return client_->GetBlob(repo.path(), blob.digest, sink);
}

Status RegistryStore::FetchBlobFrom(const Reference& repo, const oci::Descriptor& blob, uint64_t offset,
                                    const BlobSink& sink) {
  return client_->GetBlob(repo.path(), blob.digest, sink, offset);
}

Status RegistryStore::PushBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSource& source) {
  return client_->PushBlob(repo.path(), blob.digest, static_cast<uint64_t>(blob.size), source);
}

Result<bool> RegistryStore::MountBlob(const Reference& repo, const oci::Descriptor& blob, const Reference& from) {
  if (from.domain() != repo.domain()) return false;
  return client_->MountBlob(repo.path(), blob.digest, from.path());
}

Status RegistryStore::DeleteManifest(const Reference& ref) {
  // By digest only: deleting by tag is not in docker/distribution 2.x, and
  // a digest says exactly which content goes.
  if (!ref.digest()) return InvalidArgument("delete " + ref.String() + ": a manifest is deleted by digest");
  return client_->DeleteManifest(ref.path(), *ref.digest());
}

}  // namespace mk::store
