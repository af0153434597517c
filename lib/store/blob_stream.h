// Verified blob streaming shared by every store.
//
// FetchVerified hashes bytes as they pass and fails with kDataLoss when the
// count or the digest differs from the descriptor (a longer stream fails as
// soon as it passes the size). CopyBlob streams a blob from one store into
// another through a bounded BytePipe: a producer thread fetches and verifies,
// the calling thread pushes; because the pipe withholds the final byte until
// the producer vouches for the digest, a corrupt source can never complete
// an upload under the wrong digest. A destination that pulls blobs (a
// directory: Store::PullBlob) fetches straight from the source instead and
// verifies as it writes. ReadBlobToString is for small blobs
// (configs) with a hard size cap.
#pragma once

#include <string>

#include "store/store.h"

namespace mk::store {

Status FetchVerified(Store& store, const Reference& repo, const oci::Descriptor& blob, const BlobSink& sink);

// resumed (when given): bytes a directory destination kept from an
// interrupted write instead of fetching them.
Status CopyBlob(Store& from, const Reference& from_repo, Store& to, const Reference& to_repo,
                const oci::Descriptor& blob, size_t pipe_bytes = 1 << 20, uint64_t* resumed = nullptr);

Result<std::string> ReadBlobToString(Store& store, const Reference& repo, const oci::Descriptor& blob,
                                     size_t max_bytes = 16 << 20);

}  // namespace mk::store
