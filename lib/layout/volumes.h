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
//
// Delta sets (pack with an inventory of what the other side has, see
// layout/inventory.h) leave out the blobs the inventory lists, except
// manifests: every manifest and the whole index.json always travel. Their
// mirrorkit-volume.json adds "delta": true and "base": [{digest, size}], the
// left-out blobs the carried images need. Unpack checks the base is in the
// directory before it writes anything, and refuses the set when it is not,
// listing what is missing.
//
// Whatever the set, unpack names an image (gives it its index.json entry)
// only once every blob it needs is there and matches its digest: never a
// half-made image. Blobs written for an image that could not be named stay
// as unreferenced content (the next unpack or blob-copy uses them; verify
// hashes them like any other).
//
// Side files: small files that live beside the layout and must travel with
// it — the release signature ConfigMaps release-signatures --to-dir writes,
// without which a disconnected cluster cannot update. The tool names them
// when packing (PackOptions::side_files: every volume carries them all, so
// any one disc brings them) and says, when unpacking, which entry names are
// side files and whether their content is sound (SideFilePolicy); a sound
// one is written atomically under its path in the directory, anything else
// is refused like any unexpected entry.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "layout/inventory.h"
#include "layout/verify.h"
#include "ref/reference.h"
#include "store/store.h"

namespace mk::layout {

struct PackOptions {
  uint64_t max_bytes = 0;         // per volume, including tar overhead
  std::string out_dir;            // where the volumes go
  std::string prefix = "mirror";  // PREFIX-001.tar, PREFIX-002.tar, ...
  // When set: a delta, without the blobs (not manifests) listed here.
  // Must outlive the call.
  const Inventory* exclude = nullptr;
  // Side files, by path relative to the layout directory, with their bytes.
  struct SideFile {
    std::string path;
    std::string bytes;
  };
  std::vector<SideFile> side_files;
};

Status PackDirectory(store::OciDirStore& dir, const PackOptions& options, const Emit& emit);

struct UnpackSummary {
  int volumes_read = 0;
  int volumes_missing = 0;
  int entries_refused = 0;
  int blobs_written = 0;
  int blobs_failed = 0;
  bool delta = false;
  // A delta's base blobs neither in the directory nor in any BaseRepo:
  // nothing was written.
  std::vector<Digest> base_missing;
  // Base blobs the directory lacked, fetched from a BaseRepo (verified).
  int base_fetched = 0;
  uint64_t base_bytes = 0;
  // Side files written (each once, however many volumes carry it).
  int side_files_written = 0;
  // Images of the set not named: some blob missing or corrupt (each also
  // an image record, status damaged).
  int images_incomplete = 0;
  VerifySummary verify;
  // Volumes not given do not fail an unpack whose images are whole (one
  // disc at a time); images they would have completed are not named, and
  // show as damaged.
  bool ok() const {
    return base_missing.empty() && images_incomplete == 0 && entries_refused == 0 && blobs_failed == 0 && verify.ok();
  }
};

// A repository of the mirror registry that may hold a delta's base (oci-dir
// unpack --base-from): a restricted side that keeps no directory, only the
// registry its last media were pushed into.
struct BaseRepo {
  store::Store* store;
  Reference repo;
};

// Which volume entries are side files (accepts: by their path in the
// layout, never one with ".." or a leading '/'), and whether one's bytes are
// sound (check: ok, or why not).
struct SideFilePolicy {
  std::function<bool(const std::string& path)> accepts;
  std::function<Status(const std::string& path, const std::string& bytes)> check;
};

// base_from: where base blobs the directory lacks are looked for, in order;
// each found is fetched into the directory (digest-verified) before the
// volumes are read. A base blob found nowhere refuses the whole unpack
// before anything is written.
Result<UnpackSummary> UnpackVolumes(const std::vector<std::string>& volumes, store::OciDirStore& dest, const Emit& emit,
                                    const std::vector<BaseRepo>& base_from = {},
                                    const SideFilePolicy* side_files = nullptr);

}  // namespace mk::layout
