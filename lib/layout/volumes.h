// Volumes: an OCI layout directory split into tar archives of at most N
// bytes each (FAT32's 4 GiB file limit, DVDs), and read back.
//
// Each volume is a plain uncompressed tar holding, first,
// mirrorkit-volume.json ({"kind": "mirrorkit-volume", "set", "volume",
// "volumes", "blobs": [{digest, size}]}), oci-layout and the whole
// index.json, then its share of blobs/sha256/<hex>. So every volume
// describes itself and its set, and `tar -xf` of all of them in one folder
// gives the original layout. Volumes are planned first-fit-decreasing, each
// written to a temporary name and renamed when complete; every blob is
// re-hashed as it is packed.
//
// Unpacking takes only those entry names (anything else — "../x", links,
// devices — is refused), writes each blob through OciDirStore::PushBlob (so
// it is verified before it gets its name), names the images, then verifies
// them, and reports volumes of the set that were not given (kind
// missing-volume): a set may be unpacked one volume at a time.
#pragma once

#include <string>
#include <vector>

#include "layout/verify.h"

namespace mk::layout {

struct PackOptions {
  uint64_t max_bytes = 0;         // per volume, including tar overhead
  std::string out_dir;            // where the volumes go
  std::string prefix = "mirror";  // PREFIX-001.tar, PREFIX-002.tar, ...
};

Status PackDirectory(store::OciDirStore& dir, const PackOptions& options, const Emit& emit);

struct UnpackSummary {
  int volumes_read = 0;
  int volumes_missing = 0;
  int entries_refused = 0;
  int blobs_written = 0;
  int blobs_failed = 0;
  VerifySummary verify;
  // Volumes not given do not fail an unpack whose images are whole (one
  // disc at a time); images they would have completed show as damaged.
  bool ok() const { return entries_refused == 0 && blobs_failed == 0 && verify.ok(); }
};

Result<UnpackSummary> UnpackVolumes(const std::vector<std::string>& volumes, store::OciDirStore& dest,
                                    const Emit& emit);

}  // namespace mk::layout
