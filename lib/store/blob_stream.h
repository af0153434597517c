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
#include <vector>

#include "store/store.h"

namespace mk::store {

Status FetchVerified(Store& store, const Reference& repo, const oci::Descriptor& blob, const BlobSink& sink);

// resumed (when given): bytes a directory destination kept from an
// interrupted write instead of fetching them.
Status CopyBlob(Store& from, const Reference& from_repo, Store& to, const Reference& to_repo,
                const oci::Descriptor& blob, size_t pipe_bytes = 1 << 20, uint64_t* resumed = nullptr);

Result<std::string> ReadBlobToString(Store& store, const Reference& repo, const oci::Descriptor& blob,
                                     size_t max_bytes = 16 << 20);

// Makes every blob available in to_repo, for an image built on a base
// (one layer added): nothing for a blob already there, a mount when from
// and to are one store, else a copy (verified as it passes).
Status EnsureBlobs(Store& from, const Reference& from_repo, Store& to, const Reference& to_repo,
                   const std::vector<oci::Descriptor>& blobs);

// Stores a blob we made (a layer built in a temporary file, a config),
// unless the store has it already: pulled by stores that write locally,
// pushed to the others. read_at(offset, out, n) fills out with the bytes
// from offset on and returns how many, 0 at the end; the store checks
// them against d's digest and size as for any blob.
using ReadAt = std::function<Result<size_t>(uint64_t offset, char* out, size_t n)>;
Status PutMadeBlob(Store& to, const Reference& repo, const oci::Descriptor& d, const ReadAt& read_at);
// The same for bytes held in memory.
Status PutMadeBlob(Store& to, const Reference& repo, const oci::Descriptor& d, std::string_view bytes);

}  // namespace mk::store
