#include "prune/dir_prune.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <set>

#include "base/atomic_file.h"
#include "base/file_lock.h"
#include "json/value.h"
#include "oci/media_types.h"
#include "prune/sigstore_tag.h"
#include "ref/reference.h"
#include "signature/config_map_check.h"
#include "store/oci_dir_store.h"

namespace mk::prune {
namespace {

// The same directory however a record spelled it (relative to the working
// directory, a trailing '/', a link): compared by real path when it exists.
std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf)) return buf;
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// Whether an index name is the name a record wrote: the same text, or the
// same reference spelled otherwise (a short name for docker.io).
bool SameName(const std::string& entry, const std::string& name) {
  if (entry == name) return true;
  auto a = Reference::Parse(entry);
  auto b = Reference::Parse(name);
  return a.ok() && b.ok() && a->String() == b->String();
}

std::string TagOf(const std::string& name) {
  auto ref = Reference::Parse(name);
  return ref.ok() ? ref->tag() : "";
}

// Every manifest and blob the manifests in queue reference, read (and
// verified) from the directory.
Status Expand(store::OciDirStore& store, std::deque<oci::Descriptor> queue, std::set<Digest>& manifests,
              std::set<Digest>& blobs) {
  while (!queue.empty()) {
    oci::Descriptor d = std::move(queue.front());
    queue.pop_front();
    if (!blobs.insert(d.digest).second) continue;
    manifests.insert(d.digest);
    auto m = store.ReadManifestBlob(d.digest, d.media_type);
    if (!m.ok()) return m.status().WithContext("reading kept manifest " + d.digest.str() + " in " + store.dir());
    if (m->is_index()) {
      for (const auto& child : m->manifests) queue.push_back(child);
      continue;
    }
    if (!m->config.digest.empty()) blobs.insert(m->config.digest);
    for (const auto& layer : m->layers) blobs.insert(layer.digest);
  }
  return Status::Ok();
}

Status Unlink(const std::string& path) {
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return Status::Ok();
  return IoError("cannot remove " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<DirPlan> PruneDirectory(const std::string& dir, const KeepList& keep, bool apply) {
  MK_ASSIGN_OR_RETURN(std::unique_ptr<store::OciDirStore> store, store::OciDirStore::Open(dir, false));
  // Held to the end: no index writer (blob-copy, oci-dir unpack) may name
  // an image whose blobs this is about to unlink.
  MK_ASSIGN_OR_RETURN(FileLock lock, FileLock::Exclusive(dir));
  MK_ASSIGN_OR_RETURN(std::vector<store::NamedImage> images, store->List());
  DirPlan plan;
  const std::string real = RealPath(dir);

  // 1. The kept images the records place in DIR must be named there.
  std::set<Digest> top;  // manifest digests kept at the top
  std::set<Digest> entry_digests;
  for (const auto& img : images) entry_digests.insert(img.descriptor.digest);
  for (const auto& digest : keep.digests) {
    if (entry_digests.count(digest)) {
      top.insert(digest);
      continue;
    }
    // A kept platform manifest, or one stored by digest only: kept when it
    // is a manifest here (a record may name a blob of another kind).
    if (::access(store->BlobPath(digest).c_str(), F_OK) == 0 && store->ReadManifestBlob(digest, "").ok())
      top.insert(digest);
  }
  for (const auto& kept : keep.images) {
    if (!kept.location.is_dir() || RealPath(kept.location.dir) != real) continue;
    const std::string what = "line " + std::to_string(kept.line) + ": " + kept.location.String();
    if (kept.location.name.empty()) return InvalidArgument(what + ": names no image of the directory");
    bool found = false;
    for (const auto& img : images)
      if (!img.name.empty() && SameName(img.name, kept.location.name)) {
        top.insert(img.descriptor.digest);
        found = true;
      }
    auto pinned = Reference::Parse(kept.location.name);
    if (!found && pinned.ok() && pinned->digest() && entry_digests.count(*pinned->digest())) {
      top.insert(*pinned->digest());
      found = true;
    }
    if (!found) return NotFound(what + ": not in " + dir + " (a kept image is missing: wrong RECORDS or TARGET?)");
    if (kept.digest && !entry_digests.count(*kept.digest)) {
      // A manifest kept by digest only (a platform manifest) must be there.
      auto m = store->ReadManifestBlob(*kept.digest, "");
      if (!m.ok()) return m.status().WithContext(what + ": kept manifest " + kept.digest->str());
    }
    if (kept.digest) top.insert(*kept.digest);
  }
  if (top.empty())
    return InvalidArgument("no kept record names an image in " + dir +
                           ": refusing to delete everything there (wrong RECORDS or TARGET?)");

  // 2. Everything the kept manifests reference; then the signature tags of
  // kept digests, and what they reference.
  std::set<Digest> manifests, blobs;
  std::deque<oci::Descriptor> queue;
  for (const auto& img : images)
    if (top.count(img.descriptor.digest)) queue.push_back(img.descriptor);
  for (const auto& d : top)
    if (!entry_digests.count(d)) queue.push_back(oci::Descriptor{"", d});
  MK_RETURN_IF_ERROR(Expand(*store, std::move(queue), manifests, blobs));
  queue.clear();
  for (const auto& img : images)
    if (auto signs = SignedDigest(TagOf(img.name));
        signs && manifests.count(*signs) && !blobs.count(img.descriptor.digest))
      queue.push_back(img.descriptor);
  MK_RETURN_IF_ERROR(Expand(*store, std::move(queue), manifests, blobs));

  // 3. What goes: index entries, blobs, signature ConfigMaps.
  std::set<std::string> removed;
  for (const auto& img : images) {
    if (manifests.count(img.descriptor.digest)) {
      ++plan.entries_kept;
      continue;
    }
    bool sig = SignedDigest(TagOf(img.name)).has_value();
    plan.entries.push_back(
        {img.name, img.descriptor.digest, sig ? "signature of an image not kept" : "no kept record names it"});
    removed.insert(img.descriptor.digest.str());
  }
  for (const char* algorithm : {"sha256", "sha512"}) {
    const std::string folder = dir + "/blobs/" + algorithm;
    DIR* d = ::opendir(folder.c_str());
    if (!d) {
      if (errno == ENOENT) continue;
      return IoError("cannot list " + folder + ": " + std::strerror(errno));
    }
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
    ::closedir(d);
    for (const auto& name : names) {
      if (name.empty() || name[0] == '.') continue;  // temporaries, . and ..
      auto digest = Digest::Parse(std::string(algorithm) + ":" + name);
      if (!digest.ok()) continue;  // not a blob: oci-dir verify reports it
      if (blobs.count(*digest)) continue;
      const std::string path = folder + "/" + name;
      struct stat st;
      if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      plan.blobs.push_back(path);
      plan.blob_bytes += static_cast<uint64_t>(st.st_size);
    }
  }
  MK_ASSIGN_OR_RETURN(auto signatures, signature::CheckConfigMapFiles(dir, [](const std::string&) { return true; }));
  for (const auto& c : signatures) {
    if (!c.status.ok() || c.digest.empty()) continue;  // damaged: oci-dir verify reports it
    auto d = Digest::Parse(c.digest);
    if (!d.ok() || manifests.count(*d)) continue;
    plan.signature_files.push_back(c.path);
    plan.signature_digests.push_back(*d);
  }
  if (!apply) return plan;

  // 4. The index first (atomically), then the files nothing names any more.
  if (!plan.entries.empty()) {
    const std::string path = dir + "/index.json";
    MK_ASSIGN_OR_RETURN(std::string text, store::OciDirStore::ReadLayoutFile(path, oci::kMaxLayoutIndexBytes));
    MK_ASSIGN_OR_RETURN(json::Value index, json::Value::Parse(text));
    const json::Value* old = index.Find("manifests");
    if (!index.is_object() || !old || !old->is_array()) return InvalidArgument(path + " has no manifests array");
    json::Value manifests_out = json::Value::Array();
    for (const auto& e : old->items()) {
      auto digest = e.GetString("digest");
      if (digest && removed.count(*digest)) continue;
      manifests_out.Append(e);
    }
    index.Set("manifests", std::move(manifests_out));
    MK_RETURN_IF_ERROR(WriteFileAtomic(path, index.Serialize() + "\n"));
  }
  for (const auto& path : plan.blobs) MK_RETURN_IF_ERROR(Unlink(path));
  for (const auto& path : plan.signature_files) MK_RETURN_IF_ERROR(Unlink(path));
  return plan;
}

}  // namespace mk::prune
