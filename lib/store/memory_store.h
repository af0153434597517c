// MemoryStore: a complete Store held in memory — manifests by repository and
// tag/digest, blobs by repository and digest. For unit tests of everything
// above the store interface and for small in-process pipelines. It enforces
// what a registry enforces (pushed bytes must match the digest; a manifest's
// blobs must exist first), so tests against it fail where a registry would.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "store/store.h"

namespace mk::store {

class MemoryStore : public Store {
 public:
  explicit MemoryStore(std::string name) : name_(std::move(name)) {}

  std::string Name() const override { return "memory " + name_; }
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

  // Test helpers: put bytes without checks (to plant corrupt content), count.
  void PutRawBlob(const std::string& repo_path, const Digest& digest, std::string bytes);
  int pushes() const { return pushes_; }
  int mounts() const { return mounts_; }
  // Reads that move content: manifest GETs and blob fetches (and their
  // bytes), so tests can prove a fast path reads nothing.
  int manifest_reads() const { return manifest_reads_; }
  int blob_fetches() const { return blob_fetches_; }
  uint64_t bytes_fetched() const { return bytes_fetched_; }

 private:
  mutable std::mutex mu_;
  std::string name_;
  std::map<std::pair<std::string, std::string>, oci::Manifest> manifests_;  // (path, tag or digest)
  std::map<std::pair<std::string, Digest>, std::string> blobs_;
  int pushes_ = 0;
  int mounts_ = 0;
  std::atomic<int> manifest_reads_{0};
  std::atomic<int> blob_fetches_{0};
  std::atomic<uint64_t> bytes_fetched_{0};
};

}  // namespace mk::store
