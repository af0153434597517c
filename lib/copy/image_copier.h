// ImageCopier: copies one image — a manifest and everything it references,
// every platform of an index — from one store to another, preserving every
// manifest byte for byte, so every digest survives.
//
// Order matters to registries: blobs first, then child manifests by digest,
// then the top manifest under the destination tag (or its digest). An image
// whose destination already resolves to the source digest is skipped whole.
// Each blob: known present (ledger) → skip; HEAD at the destination → skip;
// mount from a repository of the same store that holds it → mount; else a
// verified streaming copy. The blobs of one image are ensured concurrently
// on a pool of blob_jobs threads shared by every image (copy/task_pool.h),
// so at most blob_jobs transfers run at once; all of an image's blobs are
// in place before its manifests are pushed. Thread-safe: workers share one
// copier. The resolver and the ledger must outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "copy/blob_ledger.h"
#include "copy/task_pool.h"
#include "http/retry_policy.h"
#include "oci/manifest.h"
#include "ref/reference.h"
#include "store/location.h"
#include "store/overlay_store.h"
#include "store/resolver.h"

namespace mk::copy {

struct CopyStats {
  uint64_t bytes_copied = 0;   // fetched from the source this run
  uint64_t bytes_resumed = 0;  // kept from an interrupted write (a directory destination)
  int blobs_copied = 0;
  int blobs_skipped = 0;
  int blobs_mounted = 0;
  int manifests_pushed = 0;
};

struct CopyOutcome {
  Digest digest;            // of the top manifest, source and destination alike
  std::string source_name;  // the source's full name (a directory NAME resolved)
  std::string media_type;
  bool already_present = false;
  CopyStats stats;
};

class ImageCopier {
 public:
  // blob_jobs: blob transfers at once across all images; 1 ensures each
  // image's blobs one after another on the calling thread.
  // retry (the session's Client's policy, or none): a blob copy that failed
  // transiently — a 503 on its upload, a reset mid-PATCH, which the Client
  // cannot replay — starts over with a new upload session, under the same
  // backoff, budget and deadline. It must outlive the copier.
  ImageCopier(store::StoreResolver& stores, BlobLedger& ledger, int blob_jobs = 1, http::RetryPolicy* retry = nullptr)
      : stores_(stores),
        ledger_(ledger),
        pool_(blob_jobs > 1 ? std::make_unique<TaskPool>(blob_jobs) : nullptr),
        retry_(retry) {}

  // Copies between locations: registries ("quay.io/a/b:tag") or OCI
  // directories ("dir:PATH[:NAME]"). A directory destination without NAME
  // stores the image under the source's full name. With expected (the
  // digest a plan recorded), a source that now resolves to another digest
  // fails with kDataLoss before anything is copied.
  //
  // With overlay (a rewritten image: records/rewrite.h), the source's
  // manifest is the overlay's new top manifest, and manifests and blobs the
  // overlay holds come from it; everything else from the source.
  Result<CopyOutcome> Copy(const store::Location& source, const store::Location& dest,
                           const std::optional<Digest>& expected = std::nullopt,
                           const store::Overlay* overlay = nullptr);
  Result<CopyOutcome> Copy(const Reference& source, const Reference& dest);

  // Called with a blob's byte count as each blob copy completes (for
  // progress), from whichever thread copied it: thread-safe and quick. Set
  // before the first Copy.
  void SetBlobCopiedHook(std::function<void(uint64_t bytes)> hook) { on_blob_copied_ = std::move(hook); }

 private:
  Status CopyManifestTree(store::Store& src, const Reference& src_repo, store::Store& dst, const Reference& dst_repo,
                          const oci::Manifest& manifest, int depth, CopyStats& stats);
  Status EnsureBlobs(store::Store& src, const Reference& src_repo, store::Store& dst, const Reference& dst_repo,
                     const std::vector<oci::Descriptor>& blobs, CopyStats& stats);
  Status EnsureBlob(store::Store& src, const Reference& src_repo, store::Store& dst, const Reference& dst_repo,
                    const oci::Descriptor& blob, CopyStats& stats);
  // store::CopyBlob, started over after a transient failure while retry_ allows.
  Status CopyBlobRetrying(store::Store& src, const Reference& src_repo, store::Store& dst, const Reference& dst_repo,
                          const oci::Descriptor& blob, uint64_t* resumed);

  store::StoreResolver& stores_;
  BlobLedger& ledger_;
  std::unique_ptr<TaskPool> pool_;
  http::RetryPolicy* retry_;
  std::function<void(uint64_t)> on_blob_copied_;
};

}  // namespace mk::copy
