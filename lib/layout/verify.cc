#include "layout/verify.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "base/atomic_file.h"
#include "base/signals.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "oci/media_types.h"
#include "records/records.h"

namespace mk::layout {

Status CheckBlobFile(const std::string& path, const Digest& digest, int64_t want_size) {
  // A link or a FIFO under a blob's name is damage, not content.
  auto opened = store::OciDirStore::OpenBlobFile(path);
  if (!opened.ok()) {
    if (opened.status().code() == Code::kNotFound) return NotFound("missing " + path);
    return opened.status();
  }
  UniqueFd fd = std::move(opened).value();
  DigestHasher hasher(digest.algorithm());
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    hasher.Update(buf.data(), static_cast<size_t>(n));
  }
  if (want_size >= 0 && hasher.bytes() != static_cast<uint64_t>(want_size))
    return DataLoss(path + " has " + std::to_string(hasher.bytes()) + " bytes, want " + std::to_string(want_size));
  Digest got = hasher.Finish();
  if (got != digest) return DataLoss(path + " does not match its digest (got " + got.str() + ")");
  return Status::Ok();
}

// Checks a blob once; returns its status.
const Status& Verifier::Blob(const oci::Descriptor& d) {
  auto it = checked_.find(d.digest);
  if (it != checked_.end()) return it->second;
  if (Interrupted()) {
    static const Status kCancelled = Cancelled("interrupted");
    return kCancelled;
  }
  ++summary.blobs_checked;
  return checked_.emplace(d.digest, CheckBlobFile(dir_.BlobPath(d.digest), d.digest, d.size)).first->second;
}

Verifier::ImageCheck Verifier::Check(const oci::Descriptor& top) {
  ImageCheck out;
  Walk(top, 0, out);
  return out;
}

json::Value Verifier::ImageCheck::Record(const std::string& name, const Digest& digest) && {
  records::ImageRecord rec;
  rec.name = name;
  rec.digest = digest.str();
  rec.status = ok() ? "ok" : "damaged";
  rec.missing = std::move(missing);
  rec.corrupt = std::move(corrupt);
  return records::Image(rec);
}

void Verifier::Image(const store::NamedImage& img) {
  ImageCheck check = Check(img.descriptor);
  check.ok() ? ++summary.images_ok : ++summary.images_damaged;
  emit_(std::move(check).Record(img.name, img.descriptor.digest));
}

void Verifier::Strays(bool prune) {
  for (const std::string algo : {"sha256", "sha512"}) {
    std::string folder = dir_.dir() + "/blobs/" + algo;
    DIR* d = ::opendir(folder.c_str());
    if (!d) continue;
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
    ::closedir(d);
    for (const auto& name : names) {
      if (name == "." || name == "..") continue;
      std::string path = folder + "/" + name;
      if (IsTempName(name)) {
        // A temporary file of a write that never finished, or of one in
        // progress in another process: prune removes only those no live
        // writer holds (base/atomic_file.h), the others are left.
        ++summary.temp_files;
        bool removed = false;
        if (prune) {
          auto gone = RemoveTempIfStale(path);
          removed = gone.ok() && *gone;
        }
        emit_(records::Temp(path, removed ? "removed" : "left"));
        continue;
      }
      auto digest = Digest::Parse(algo + ":" + name);
      Status s = digest.ok() ? (checked_.count(*digest) ? Status::Ok() : Blob({"", *digest, -1, {}, {}, {}}))
                             : InvalidArgument("not a blob name");
      if (s.ok() || s.code() == Code::kCancelled) continue;
      ++(digest.ok() ? summary.blobs_corrupt : summary.stray_files);
      emit_(records::Blob(path, digest.ok() ? "corrupt" : "stray", s.message()));
    }
  }
}

void Verifier::Walk(const oci::Descriptor& d, int depth, ImageCheck& out) {
  const Status& s = Blob(d);
  if (!Note(d, s, out)) return;
  if (depth > oci::kMaxIndexDepth) {
    // Sound bytes, but no copier walks this deep (oci/manifest.h): the
    // image cannot be used, so it is not reported whole; the manifest
    // that goes too deep is the culprit.
    out.corrupt.push_back(d.digest.str());
    return;
  }
  auto m = dir_.ReadManifestBlob(d.digest, d.media_type);
  if (!m.ok()) {
    out.corrupt.push_back(d.digest.str());
    return;
  }
  if (m->is_index()) {
    for (const auto& child : m->manifests) Walk(child, depth + 1, out);
    return;
  }
  // A schema 1 manifest has no config; its layers are its fsLayers.
  if (!m->is_schema1()) Note(m->config, Blob(m->config), out);
  for (const auto& layer : m->layers) {
    if (oci::IsForeignLayer(layer.media_type) && !layer.urls.empty()) continue;
    Note(layer, Blob(layer), out);
  }
}

bool Verifier::Note(const oci::Descriptor& d, const Status& s, ImageCheck& out) {
  if (s.ok()) return true;
  auto& list = s.code() == Code::kNotFound ? out.missing : out.corrupt;
  for (const auto& x : list)
    if (x == d.digest.str()) return false;
  list.push_back(d.digest.str());
  if (counted_.insert(d.digest).second) (s.code() == Code::kNotFound ? summary.blobs_missing : summary.blobs_corrupt)++;
  return false;
}

Result<VerifySummary> VerifyDirectory(store::OciDirStore& dir, bool prune_temp, const Emit& emit) {
  Verifier v(dir, emit);
  return VerifyDirectory(v, dir, prune_temp);
}

Result<VerifySummary> VerifyDirectory(Verifier& v, store::OciDirStore& dir, bool prune_temp) {
  MK_ASSIGN_OR_RETURN(std::vector<store::NamedImage> images, dir.List());
  for (const auto& img : images) {
    if (Interrupted()) return Cancelled("interrupted");
    v.Image(img);
  }
  v.Strays(prune_temp);
  if (Interrupted()) return Cancelled("interrupted");
  return v.summary;
}

}  // namespace mk::layout
