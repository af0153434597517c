// Pruning an OCI layout directory (store/oci_dir_store.h): the index.json
// entries whose manifest no kept record names are removed from the index,
// then every blob that no kept manifest references (transitively: index
// children, configs, layers) is unlinked, and so is every release
// signature ConfigMap (signature/config_map_check.h) of a release that
// went.
//
// Everything happens under the layout's lock (the flock on DIR that every
// index writer takes), so no blob-copy or oci-dir unpack can add an image
// in between; all is read and checked before anything changes: the index
// must parse, every kept image a record places in DIR must be named there
// and every kept manifest must read back whole (verified). The index is
// rewritten atomically first; blobs are unlinked after, so an interrupted
// prune leaves only unreferenced blobs, which the next prune removes.
// Blob temporaries of interrupted writes and files that are no blobs are
// left alone (oci-dir verify --prune is for those).
//
// Not thread-safe; one call at a time per directory (the lock enforces it
// across processes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "digest/digest.h"
#include "prune/keep.h"

namespace mk::prune {

struct DirRemoval {
  std::string name;  // the index entry's ref.name ("" when it has none)
  Digest digest;
  std::string reason;
};

struct DirPlan {
  std::vector<DirRemoval> entries;           // index entries to remove
  std::vector<std::string> blobs;            // blob files to unlink
  uint64_t blob_bytes = 0;                   // their size
  std::vector<std::string> signature_files;  // ConfigMaps of releases removed
  std::vector<Digest> signature_digests;     // the release each one vouches for
  int entries_kept = 0;
};

// Plans the prune of DIR and, with apply, carries it out, all under the
// directory's lock. The plan is returned either way; an error means
// nothing was changed, except when applying fails part way (an unlink
// that fails): the index is then already rewritten, and what failed is
// the error.
Result<DirPlan> PruneDirectory(const std::string& dir, const KeepList& keep, bool apply);

}  // namespace mk::prune
