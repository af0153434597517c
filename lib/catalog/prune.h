// catalog-list --catalog-to: the catalog image pruned to the selection,
// written to a registry or a dir:.
//
// The new image is the original's manifest and layers, all kept, plus one
// layer that replaces the catalog's content, a config that names it and a
// new manifest:
//   file-based  an opaque whiteout of the configs directory (ROOT/.wh..wh..opq)
//               and ROOT/<package>/catalog.json holding the kept documents
//               (prune_documents.h), taken from a second streaming pass over
//               the original (WalkConfigDocuments), so memory follows the
//               selection; and a whiteout of opm serve's cache directory
//               (prune_documents.h's CacheDir), built from the old documents,
//               so opm rebuilds it from the new ones instead of serving stale
//               content;
//   sqlite      ROOT (the index.db) replaced by a copy pruned in place
//               (prune_sqlite.h).
// Blobs reach the destination first (the original's layers mounted within
// one registry, else copied, verified), the manifest last, so a failure
// never leaves a manifest naming missing blobs. The resolver must outlive
// the call; not thread-safe per call.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "catalog/plan.h"
#include "digest/digest.h"
#include "store/location.h"
#include "store/resolver.h"

namespace mk::catalog {

struct PruneResult {
  std::string dest;        // the destination as a location string
  Digest digest;           // of the new manifest
  Digest layer;            // the added layer
  uint64_t documents = 0;  // file-based: documents written
};

Result<PruneResult> WritePrunedCatalog(store::StoreResolver& stores, const CatalogListing& listing,
                                       const store::Location& to);

// The original config with one layer appended: rootfs.diff_ids and, when
// the config keeps a history, an entry for it.
Result<std::string> PrunedConfig(std::string_view config_raw, const Digest& diff_id, const std::string& comment);

// The whiteout entry that hides path (a file or directory) in lower layers:
// "a/b" -> "a/.wh.b".
std::string WhiteoutPath(const std::string& path);

}  // namespace mk::catalog
