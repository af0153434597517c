#include "store/blob_stream.h"

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

#include "base/byte_pipe.h"

namespace mk::store {

Status FetchVerified(Store& store, const Reference& repo, const oci::Descriptor& blob, const BlobSink& sink) {
  DigestHasher hasher(blob.digest.algorithm());
  const uint64_t want = static_cast<uint64_t>(blob.size);
  const std::string what = "blob " + repo.repository() + "@" + blob.digest.str();
  Status s = store.FetchBlob(repo, blob, [&](const char* data, size_t n) -> Status {
    if (hasher.bytes() + n > want)
      return DataLoss(what + ": more bytes than the " + std::to_string(want) + " its descriptor says");
    hasher.Update(data, n);
    return sink(data, n);
  });
  MK_RETURN_IF_ERROR(s);
  if (hasher.bytes() != want)
    return DataLoss(what + ": got " + std::to_string(hasher.bytes()) + " bytes, descriptor says " +
                    std::to_string(want));
  Digest got = hasher.Finish();
  if (got != blob.digest) return DataLoss(what + ": content does not match its digest (got " + got.str() + ")");
  return Status::Ok();
}

Status CopyBlob(Store& from, const Reference& from_repo, Store& to, const Reference& to_repo,
                const oci::Descriptor& blob, size_t pipe_bytes, uint64_t* resumed) {
  if (resumed) *resumed = 0;
  if (to.PullsBlobs()) {
    uint64_t kept = 0;
    Status s = to.PullBlob(
        to_repo, blob,
        [&](uint64_t offset, const BlobSink& sink) { return from.FetchBlobFrom(from_repo, blob, offset, sink); },
        &kept);
    if (resumed) *resumed = kept;
    return s;
  }
  BytePipe pipe(pipe_bytes, static_cast<uint64_t>(blob.size));
  Status fetch_status;
  std::thread producer([&] {
    fetch_status = FetchVerified(from, from_repo, blob, [&](const char* d, size_t n) { return pipe.Write(d, n); });
    pipe.Close(fetch_status);
  });
  Status push_status = to.PushBlob(to_repo, blob, [&](char* out, size_t n) { return pipe.Read(out, n); });
  if (!push_status.ok()) pipe.Abort(push_status);
  producer.join();
  // The fetch error is the root cause when both failed.
  if (!fetch_status.ok()) return fetch_status;
  return push_status;
}

Result<std::string> ReadBlobToString(Store& store, const Reference& repo, const oci::Descriptor& blob,
                                     size_t max_bytes) {
  if (blob.size < 0 || static_cast<uint64_t>(blob.size) > max_bytes)
    return InvalidArgument("blob " + blob.digest.str() + " is larger than " + std::to_string(max_bytes) + " bytes");
  std::string out;
  out.reserve(static_cast<size_t>(blob.size));
  MK_RETURN_IF_ERROR(FetchVerified(store, repo, blob, [&](const char* d, size_t n) {
    out.append(d, n);
    return Status::Ok();
  }));
  return out;
}

Status EnsureBlobs(Store& from, const Reference& from_repo, Store& to, const Reference& to_repo,
                   const std::vector<oci::Descriptor>& blobs) {
  for (const auto& d : blobs) {
    MK_ASSIGN_OR_RETURN(bool has, to.HasBlob(to_repo, d));
    if (has) continue;
    if (&to == &from) {
      MK_ASSIGN_OR_RETURN(bool mounted, to.MountBlob(to_repo, d, from_repo));
      if (mounted) continue;
    }
    MK_RETURN_IF_ERROR(CopyBlob(from, from_repo, to, to_repo, d));
  }
  return Status::Ok();
}

Status PutMadeBlob(Store& to, const Reference& repo, const oci::Descriptor& d, const ReadAt& read_at) {
  MK_ASSIGN_OR_RETURN(bool has, to.HasBlob(repo, d));
  if (has) return Status::Ok();
  if (to.PullsBlobs()) {
    uint64_t resumed = 0;
    return to.PullBlob(
        repo, d,
        [&](uint64_t offset, const BlobSink& sink) -> Status {
          std::vector<char> buf(1 << 16);
          for (;;) {
            MK_ASSIGN_OR_RETURN(size_t n, read_at(offset, buf.data(), buf.size()));
            if (n == 0) return Status::Ok();
            MK_RETURN_IF_ERROR(sink(buf.data(), n));
            offset += n;
          }
        },
        &resumed);
  }
  uint64_t offset = 0;
  return to.PushBlob(repo, d, [&](char* out, size_t n) -> Result<size_t> {
    MK_ASSIGN_OR_RETURN(size_t got, read_at(offset, out, n));
    offset += got;
    return got;
  });
}

Status PutMadeBlob(Store& to, const Reference& repo, const oci::Descriptor& d, std::string_view bytes) {
  return PutMadeBlob(to, repo, d, [bytes](uint64_t offset, char* out, size_t n) -> Result<size_t> {
    if (offset >= bytes.size()) return size_t{0};
    size_t k = std::min<uint64_t>(n, bytes.size() - offset);
    std::memcpy(out, bytes.data() + offset, k);
    return k;
  });
}

}  // namespace mk::store
