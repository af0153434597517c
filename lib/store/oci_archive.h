// oci-archive: a single uncompressed tar file holding an OCI image layout
// (oci-layout, index.json, blobs/ALG/HEX) — what `skopeo copy
// oci-archive:FILE:NAME` writes and reads and `podman load` reads; easier
// to carry than a directory. The store behind the shipped storage plugin
// mirrorkit-storage-oci-archive (plugins/storage-oci-archive/, man page
// mirrorkit-storage-oci-archive(1)).
//
// Reading never extracts: TarIndex records where each member's bytes start
// in the file, and blobs are served by pread from there. Compressed
// archives are refused (a gzip stream cannot be read at an offset).
//
// Writing goes through a staging directory beside the file,
// FILE.partial.d/layout, an OciDirStore (which verifies every blob written
// and writes it atomically); an existing FILE is first copied into it,
// every blob verified on the way, so new images are added to what FILE
// holds (an image of the same name is replaced). Finish writes the tar to
// a temporary beside FILE and renames it over FILE: FILE is always either
// the old archive or the whole new one, never half of either. Discard
// (the core failed, was interrupted or killed) removes the staging
// directory. FILE.partial.d is locked (flock) while a writer uses it: a
// second writer of the same FILE is refused, and a staging directory whose
// lock is free is a dead writer's, removed before use (as is a temporary of
// FILE left by a writer killed during its finish).
//
// Not thread-safe: the plugin serves one request at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/file_lock.h"
#include "base/unique_fd.h"
#include "store/oci_dir_store.h"
#include "store/plugin_store_server.h"

namespace mk::store {

// The regular files of an uncompressed tar (ustar, pax and GNU long
// names), by normalized path ("./blobs/x" is "blobs/x"), with where their
// bytes are. A later member of the same path wins, as when extracting.
class TarIndex {
 public:
  struct Member {
    uint64_t offset = 0;
    uint64_t size = 0;
  };
  // Reads the headers of the tar open on fd (what names it in messages).
  static Result<TarIndex> Read(int fd, const std::string& what);
  const Member* Find(const std::string& path) const;
  const std::map<std::string, Member>& members() const { return members_; }

 private:
  std::map<std::string, Member> members_;
};

class OciArchive : public PluginBackend {
 public:
  // path: FILE. A missing FILE reads as an empty archive (and is created
  // at Finish when something was written).
  explicit OciArchive(std::string path) : path_(std::move(path)) {}
  ~OciArchive() override;

  Result<std::vector<NamedImage>> List() override;
  Result<uint64_t> StatBlob(const Digest& digest) override;
  Status GetBlob(const Digest& digest, uint64_t offset, const BlobSink& sink) override;
  Status PutBlob(const Digest& digest, uint64_t size, const BlobSource& source) override;
  Result<ManifestBytes> GetManifest(const std::string& name_or_digest) override;
  Status PutManifest(const std::string& name, ManifestRole role, const std::string& media_type, const Digest& digest,
                     std::string raw) override;
  Status Finish() override;
  void Discard() override;

  std::string staging_dir() const { return path_ + ".partial.d"; }

 private:
  // The archive as it is on disk (opened and indexed on first use);
  // nullptr when FILE does not exist.
  Result<const TarIndex*> Existing();
  Result<std::string> ReadMember(const std::string& member, size_t max_bytes);
  // Starts writing: the staging directory, with FILE's content copied in.
  Status Stage();

  std::string path_;
  bool looked_ = false;
  UniqueFd fd_;                       // FILE, for reading
  std::optional<TarIndex> index_;     // FILE's members
  std::optional<FileLock> lock_;      // on the staging directory, while it is ours
  std::unique_ptr<OciDirStore> dir_;  // the staging layout, once writing
};

}  // namespace mk::store
