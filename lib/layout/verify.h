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
#pragma once

#include <functional>

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

Result<VerifySummary> VerifyDirectory(store::OciDirStore& dir, bool prune_temp, const Emit& emit);

// Hashes one blob file against the digest its name says. Ok, kNotFound,
// or kDataLoss (content or size differs).
Status CheckBlobFile(const std::string& path, const Digest& digest, int64_t want_size);

}  // namespace mk::layout
