// A sqlite index database pruned to a selection (selection.h), in place:
// the rows of packages, channels, channel entries and bundles that were
// not selected go, with what hangs off them (related_image, properties,
// dependencies, deprecated, api_provider, api_requirer); a kept package's
// default_channel and a kept channel's head are set to what the selection
// keeps; a replaces naming a bundle that is gone is cleared (as for
// file-based catalogs, prune_documents.h); then VACUUM, so the file holds
// none of the dropped rows' bytes. Tables a database lacks are skipped
// (older and newer opm schemas differ). The caller owns the file (a
// private copy); not thread-safe.
#pragma once

#include <string>

#include "base/status.h"
#include "catalog/model.h"
#include "catalog/selection.h"

namespace mk::catalog {

Status PruneDatabase(const std::string& path, const Catalog& catalog, const Selection& selection);

// The head a kept channel has once pruned: the kept entry that no other
// kept entry replaces or skips (the last kept one if that is not unique).
std::string KeptHead(const Channel& channel, const SelectedChannel& kept);

}  // namespace mk::catalog
