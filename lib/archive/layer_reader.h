// Layer reading: walks the entries of an image layer (a tar, optionally
// gzip/zstd compressed) as it streams from a byte source, never holding the
// layer on disk or whole in memory.
//
// Unlike WalkTarStream, the walk reads its source to the very end even when
// the visitor stopped early, so that a source that verifies what passes
// through it (a digest check, see WalkLayerFromStore in release/) has seen
// every byte before the walk can succeed: nothing taken from a corrupt layer
// is ever trusted. Knows nothing of stores or descriptors. SIGINT/SIGTERM
// (base/signals.h) stop the reading of what is left with kCancelled.
#pragma once

#include <string>

#include "archive/tar.h"

namespace mk::archive {

// what names the layer in messages ("layer sha256:...").
Status WalkLayer(const ByteReader& read, const std::string& what, const EntryVisitor& visit);

}  // namespace mk::archive
