#include "copy/image_copier.h"

#include "base/signals.h"
#include "oci/media_types.h"
#include "store/blob_stream.h"

namespace mk::copy {
namespace {
constexpr int kMaxIndexDepth = oci::kMaxIndexDepth;
}

Result<CopyOutcome> ImageCopier::Copy(const Reference& source, const Reference& dest) {
  return Copy(store::Location{"", source.String()}, store::Location{"", dest.String()});
}

Result<CopyOutcome> ImageCopier::Copy(const store::Location& source_loc, const store::Location& dest_loc,
                                      const std::optional<Digest>& expected, const store::Overlay* overlay) {
  // After the deadline nothing starts, whatever the stores (a directory
  // copy makes no request that would notice).
  if (retry_ && retry_->DeadlinePassed()) return Unavailable(source_loc.String() + ": " + retry_->DeadlineMessage());
  MK_ASSIGN_OR_RETURN(auto from, stores_.ForLocation(source_loc, false));
  MK_ASSIGN_OR_RETURN(auto to, stores_.ForLocation(dest_loc, true, from.ref.String()));
  std::optional<store::OverlayStore> rewritten;
  if (overlay) rewritten.emplace(*from.store, from.ref, *overlay);
  store::Store& src = rewritten ? static_cast<store::Store&>(*rewritten) : *from.store;
  store::Store& dst = *to.store;
  const Reference& source = from.ref;
  const Reference& dest = to.ref;
  CopyOutcome out;
  out.source_name = source.String();
  // Where the image goes: the destination's tag, or else its digest.
  auto target = [&dest](const Digest& d) { return dest.tag().empty() ? dest.WithDigest(d) : dest.WithTag(dest.tag()); };

  // The fast path of a re-run: when the plan already pins the image (the
  // record's digest, or a source named by digest) and the destination
  // resolves to it, the image is there — one HEAD, no source request. A
  // rewritten image's digest is the overlay's, so it takes the long way.
  std::optional<Digest> pinned = expected;
  if (source.digest()) {
    if (pinned && *pinned != *source.digest())
      pinned.reset();  // the slow path names the conflict
    else
      pinned = *source.digest();
  }
  bool probed = false;
  if (pinned && !overlay && (!dest.digest() || *dest.digest() == *pinned)) {
    MK_ASSIGN_OR_RETURN(std::optional<oci::Descriptor> head, dst.ManifestHead(target(*pinned)));
    if (head && head->digest == *pinned) {
      out.digest = *pinned;
      out.media_type = head->media_type;
      out.already_present = true;
      return out;
    }
    probed = true;  // not there: the check below would only repeat it
  }

  MK_ASSIGN_OR_RETURN(oci::Manifest manifest, src.GetManifest(source));
  if (manifest.is_schema1())
    return Unsupported(source.String() +
                       " is a Docker schema 1 image; convert it with manifest-rewrite --convert docker");
  if (expected && manifest.digest != *expected)
    return DataLoss(source.String() + " is now " + manifest.digest.str() + ", not the record's \"digest\" " +
                    expected->str() + " (its tag moved); nothing copied");
  if (dest.digest() && *dest.digest() != manifest.digest)
    return InvalidArgument("destination digest " + dest.digest()->str() + " differs from the source's " +
                           manifest.digest.str());
  out.digest = manifest.digest;
  out.media_type = manifest.media_type;

  // Where the destination already holds exactly this image, there is
  // nothing to do (a registry only accepts a manifest whose blobs exist).
  if (!probed || manifest.digest != *pinned) {
    MK_ASSIGN_OR_RETURN(std::optional<Digest> existing, dst.ManifestDigest(target(manifest.digest)));
    if (existing && *existing == manifest.digest) {
      out.already_present = true;
      return out;
    }
  }
  MK_RETURN_IF_ERROR(
      CopyManifestTree(src, source.RepositoryOnly(), dst, dest.RepositoryOnly(), manifest, 0, out.stats));
  MK_RETURN_IF_ERROR(dst.PutManifest(target(manifest.digest), manifest));
  ++out.stats.manifests_pushed;
  return out;
}

Status ImageCopier::CopyManifestTree(store::Store& src, const Reference& src_repo, store::Store& dst,
                                     const Reference& dst_repo, const oci::Manifest& manifest, int depth,
                                     CopyStats& stats) {
  if (depth > kMaxIndexDepth)
    return InvalidArgument("manifest " + manifest.digest.str() + ": indexes nested deeper than " +
                           std::to_string(kMaxIndexDepth));
  if (!manifest.is_index()) {
    std::vector<oci::Descriptor> blobs = {manifest.config};
    for (const auto& layer : manifest.layers) {
      // Non-distributable layers are fetched by clients from their urls.
      if (oci::IsForeignLayer(layer.media_type) && !layer.urls.empty()) continue;
      blobs.push_back(layer);
    }
    return EnsureBlobs(src, src_repo, dst, dst_repo, blobs, stats);
  }
  for (const auto& child_desc : manifest.manifests) {
    if (Interrupted()) return Cancelled("interrupted");
    MK_ASSIGN_OR_RETURN(oci::Manifest child, src.GetManifest(src_repo.WithDigest(child_desc.digest)));
    if (child.is_schema1())
      return Unsupported(src_repo.WithDigest(child.digest).String() +
                         " is a Docker schema 1 image; convert it with manifest-rewrite --convert docker");
    if (static_cast<int64_t>(child.raw.size()) != child_desc.size)
      return DataLoss("child manifest " + child_desc.digest.str() + " has " + std::to_string(child.raw.size()) +
                      " bytes, the index says " + std::to_string(child_desc.size));
    Reference child_dst = dst_repo.WithDigest(child.digest);
    MK_ASSIGN_OR_RETURN(std::optional<Digest> existing, dst.ManifestDigest(child_dst));
    if (existing && *existing == child.digest) continue;
    MK_RETURN_IF_ERROR(CopyManifestTree(src, src_repo, dst, dst_repo, child, depth + 1, stats));
    MK_RETURN_IF_ERROR(dst.PutManifest(child_dst, child, store::ManifestRole::kChild));
    ++stats.manifests_pushed;
  }
  return Status::Ok();
}

Status ImageCopier::EnsureBlobs(store::Store& src, const Reference& src_repo, store::Store& dst,
                                const Reference& dst_repo, const std::vector<oci::Descriptor>& blobs,
                                CopyStats& stats) {
  if (!pool_) {
    for (const auto& blob : blobs) {
      if (Interrupted()) return Cancelled("interrupted");
      MK_RETURN_IF_ERROR(EnsureBlob(src, src_repo, dst, dst_repo, blob, stats));
    }
    return Status::Ok();
  }
  // Each task has its own stats and status, merged once all are done; the
  // first failure in manifest order is the one reported.
  std::vector<CopyStats> each(blobs.size());
  std::vector<Status> results(blobs.size());
  std::vector<std::function<void()>> tasks;
  tasks.reserve(blobs.size());
  for (size_t i = 0; i < blobs.size(); ++i)
    tasks.push_back([&, i] {
      results[i] =
          Interrupted() ? Cancelled("interrupted") : EnsureBlob(src, src_repo, dst, dst_repo, blobs[i], each[i]);
    });
  pool_->RunAll(std::move(tasks));
  for (size_t i = 0; i < blobs.size(); ++i) {
    stats.bytes_copied += each[i].bytes_copied;
    stats.bytes_resumed += each[i].bytes_resumed;
    stats.blobs_copied += each[i].blobs_copied;
    stats.blobs_skipped += each[i].blobs_skipped;
    stats.blobs_mounted += each[i].blobs_mounted;
  }
  for (const Status& s : results) MK_RETURN_IF_ERROR(s);
  return Status::Ok();
}

Status ImageCopier::EnsureBlob(store::Store& src, const Reference& src_repo, store::Store& dst,
                               const Reference& dst_repo, const oci::Descriptor& blob, CopyStats& stats) {
  if (retry_ && retry_->DeadlinePassed())
    return Unavailable("blob " + blob.digest.str() + ": " + retry_->DeadlineMessage());
  const std::string key = dst.Name() + "|" + dst.BlobScope(dst_repo);
  if (ledger_.Acquire(key, blob.digest) == BlobLedger::Claim::kPresent) {
    ++stats.blobs_skipped;
    return Status::Ok();
  }
  auto finish = [&](Status s) {
    ledger_.Finish(key, blob.digest, s.ok());
    if (s.ok()) ledger_.NoteLocation(dst.Name(), dst_repo.path(), blob.digest);
    return s;
  };
  auto has = dst.HasBlob(dst_repo, blob);
  if (!has.ok()) return finish(has.status());
  if (*has) {
    ++stats.blobs_skipped;
    return finish(Status::Ok());
  }
  // Mount from the source repository when it is in the same store, or from
  // any destination repository this run already filled.
  std::vector<Reference> candidates;
  store::Store* real_src = &src;  // a rewritten image's source is an overlay on the real store
  if (auto* overlay = dynamic_cast<store::OverlayStore*>(&src)) real_src = &overlay->base();
  if (real_src == &dst) candidates.push_back(src_repo);
  for (const auto& path : ledger_.Locations(dst.Name(), blob.digest))
    if (path != dst_repo.path()) candidates.push_back(dst_repo.WithPath(path));
  for (const auto& from : candidates) {
    if (from.path() == dst_repo.path()) continue;
    auto mounted = dst.MountBlob(dst_repo, blob, from);
    if (mounted.ok() && *mounted) {
      ++stats.blobs_mounted;
      return finish(Status::Ok());
    }
  }
  uint64_t resumed = 0;
  Status s = CopyBlobRetrying(src, src_repo, dst, dst_repo, blob, &resumed);
  if (s.ok()) {
    ++stats.blobs_copied;
    stats.bytes_copied += static_cast<uint64_t>(blob.size) - resumed;
    stats.bytes_resumed += resumed;
    if (on_blob_copied_) on_blob_copied_(static_cast<uint64_t>(blob.size) - resumed);
  }
  return finish(s);
}

Status ImageCopier::CopyBlobRetrying(store::Store& src, const Reference& src_repo, store::Store& dst,
                                     const Reference& dst_repo, const oci::Descriptor& blob, uint64_t* resumed) {
  // Only a failure the layers below did not already retry to the end is
  // tried again here (a GET the Client gave up on would only multiply).
  // Content that did not match its digest was never stored; it is fetched
  // once more (a proxy or a link can spoil one transfer), and wrong twice is
  // an integrity failure.
  const std::string what = "blob " + blob.digest.str() + " to " + dst.Name();
  int mismatches = 0;
  for (int retries = 0;; ++retries) {
    Status s = store::CopyBlob(src, src_repo, dst, dst_repo, blob, 1 << 20, resumed);
    const bool refetch = s.code() == Code::kDataLoss && ++mismatches < 2;
    if (s.ok() || !retry_ || !(refetch || s.code() == Code::kUnavailable) || http::RetryPolicy::GaveUp(s) ||
        Interrupted())
      return s;
    http::RetryPolicy::Decision next = retry_->AfterFailure(dst.Name(), retries);
    if (!next.retry) return Status(s.code(), s.message() + " (" + next.reason + ")");
    Status slept = retry_->Sleep(next.delay, what);
    if (slept.code() == Code::kCancelled) return slept;
    if (!slept.ok()) return Status(s.code(), s.message() + " (" + retry_->DeadlineMessage() + ")");
  }
}

}  // namespace mk::copy
