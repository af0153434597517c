// Verifying an OCI layout directory before it is trusted (media carried
// across an air gap may be damaged or tampered with).
//
// Every image named in index.json is walked — manifest, platform manifests,
// config, layers — and every blob it needs is re-hashed (each once); then
// every other file under blobs/ is hashed too, and leftover temporary files
// of interrupted writes are listed (and, with prune, removed when no live
// writer holds them: see RemoveStaleTemps in base/atomic_file.h). Results are
// records: one per image, one per corrupt or stray blob, one per temporary
// file. Nothing is changed unless prune is set.
//
// Verifier is the walk itself, for callers that check images before naming
// them (unpack: never a half-made image) and then verify the directory,
// hashing each blob once for both. Not thread-safe; the directory and emit
// must outlive it.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <vector>

#include "json/value.h"
#include "store/oci_dir_store.h"

namespace mk::layout {

struct VerifySummary {
  int images_ok = 0;
  int images_damaged = 0;
  int blobs_checked = 0;
  int blobs_corrupt = 0;
  int blobs_missing = 0;
  int temp_files = 0;
  int stray_files = 0;  // not blobs (a name that is no digest): reported, not damage
  bool ok() const { return images_damaged == 0 && blobs_corrupt == 0 && blobs_missing == 0; }
};

using Emit = std::function<void(const json::Value& record)>;

class Verifier {
 public:
  Verifier(store::OciDirStore& dir, const Emit& emit) : dir_(dir), emit_(emit) {}

  // What one image's walk found (digests), missing blobs and manifests
  // first, as met.
  struct ImageCheck {
    std::vector<std::string> missing;
    std::vector<std::string> corrupt;
    bool ok() const { return missing.empty() && corrupt.empty(); }
    // The image record of name at digest (status ok or damaged); takes the
    // lists.
    json::Value Record(const std::string& name, const Digest& digest) &&;
  };
  // Walks an image from its top manifest (platform manifests, config,
  // layers), hashing each blob once per Verifier; a missing or corrupt
  // blob is counted in summary once. Emits nothing.
  ImageCheck Check(const oci::Descriptor& top);
  // Check, counted as a named image, and its image record.
  void Image(const store::NamedImage& img);
  // Every other file under blobs/: corrupt and stray blobs, temporaries.
  void Strays(bool prune);

  VerifySummary summary;

 private:
  const Status& Blob(const oci::Descriptor& d);
  void Walk(const oci::Descriptor& d, int depth, ImageCheck& out);
  bool Note(const oci::Descriptor& d, const Status& s, ImageCheck& out);

  store::OciDirStore& dir_;
  const Emit& emit_;
  std::map<Digest, Status> checked_;
  std::set<Digest> counted_;
};

Result<VerifySummary> VerifyDirectory(store::OciDirStore& dir, bool prune_temp, const Emit& emit);
// The same with a Verifier that may have checked some blobs already.
Result<VerifySummary> VerifyDirectory(Verifier& verifier, store::OciDirStore& dir, bool prune_temp);

// Hashes one blob file against the digest its name says. Ok, kNotFound,
// or kDataLoss (content or size differs).
Status CheckBlobFile(const std::string& path, const Digest& digest, int64_t want_size);

}  // namespace mk::layout
