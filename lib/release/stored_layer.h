// Walking the tar entries of a layer stored in a Store (a registry, an OCI
// directory): the store-specific half of archive::WalkLayer.
//
// The blob is fetched by a producer thread through store::FetchVerified,
// which checks size and digest as the bytes pass, into a bounded BytePipe
// read by the tar walk; the pipe withholds the last byte until the digest
// matched, and archive::WalkLayer reads to the end even after the visitor
// stopped, so the walk succeeds only after the whole layer was read and
// matched: nothing taken from a corrupt layer is trusted. The fetch error,
// when there is one, is the one reported. One thread per call; the store
// must be thread-safe (every Store is).
#pragma once

#include "archive/layer_reader.h"
#include "oci/manifest.h"
#include "ref/reference.h"
#include "store/store.h"

namespace mk::release {

Status WalkLayerFromStore(store::Store& store, const Reference& repo, const oci::Descriptor& layer,
                          const archive::EntryVisitor& visit);

}  // namespace mk::release
