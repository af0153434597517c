#include "release/stored_layer.h"

#include <thread>

#include "base/byte_pipe.h"
#include "store/blob_stream.h"

namespace mk::release {

Status WalkLayerFromStore(store::Store& store, const Reference& repo, const oci::Descriptor& layer,
                          const archive::EntryVisitor& visit) {
  BytePipe pipe(1 << 20, static_cast<uint64_t>(layer.size));
  Status fetch_status;
  std::thread producer([&] {
    fetch_status = store::FetchVerified(store, repo, layer, [&](const char* d, size_t n) { return pipe.Write(d, n); });
    pipe.Close(fetch_status);
  });
  Status walk_status =
      archive::WalkLayer([&](char* out, size_t n) { return pipe.Read(out, n); }, "layer " + layer.digest.str(), visit);
  // On failure the producer may be blocked on a full pipe: abort wakes it.
  if (!walk_status.ok()) pipe.Abort(walk_status);
  producer.join();
  if (!fetch_status.ok()) return fetch_status;
  return walk_status;
}

}  // namespace mk::release
