// RegistryStore: Store over one registry host's HTTP API (registry/).
// Thread-safe; owns its RegistryClient.
#pragma once

#include <memory>

#include "registry/registry_client.h"
#include "store/store.h"

namespace mk::store {

class RegistryStore : public Store {
 public:
  explicit RegistryStore(std::unique_ptr<registry::RegistryClient> client) : client_(std::move(client)) {}

  std::string Name() const override { return "registry " + client_->host(); }
  Result<oci::Manifest> GetManifest(const Reference& ref) override;
  Result<std::optional<Digest>> ManifestDigest(const Reference& ref) override;
  Result<std::optional<oci::Descriptor>> ManifestHead(const Reference& ref) override;
  Status PutManifest(const Reference& ref, const oci::Manifest& manifest,
                     ManifestRole role = ManifestRole::kTop) override;
  Result<bool> HasBlob(const Reference& repo, const oci::Descriptor& blob) override;
  Status FetchBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSink& sink) override;
  Status FetchBlobFrom(const Reference& repo, const oci::Descriptor& blob, uint64_t offset,
                       const BlobSink& sink) override;
  Status PushBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSource& source) override;
  Result<bool> MountBlob(const Reference& repo, const oci::Descriptor& blob, const Reference& from) override;
  Status DeleteManifest(const Reference& ref) override;

  registry::RegistryClient& client() { return *client_; }

 private:
  std::unique_ptr<registry::RegistryClient> client_;
};

}  // namespace mk::store
