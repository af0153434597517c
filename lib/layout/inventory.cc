#include "layout/inventory.h"

#include <dirent.h>
#include <sys/stat.h>

#include <map>

#include "base/atomic_file.h"
#include "base/signals.h"
#include "base/strings.h"
#include "oci/media_types.h"
#include "records/reader.h"

namespace mk::layout {

std::string FormatInventory(const Inventory& inventory, const std::string& source) {
  std::string out;
  out.reserve(128 + 74 * inventory.size());
  out += kInventoryHeader;
  out += "\n# source: " + OneLine(source, 1024) + "\n# " + std::to_string(inventory.manifests.size()) + " manifests, " +
         std::to_string(inventory.blobs.size()) + " blobs\n";
  for (const auto& d : inventory.manifests) out += "m " + d.str() + "\n";
  for (const auto& d : inventory.blobs) out += "b " + d.str() + "\n";
  return out;
}

Result<Inventory> ParseInventory(std::string_view text) {
  Inventory inv;
  size_t line_no = 0;
  bool header = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!header) {
      if (line != kInventoryHeader)
        return InvalidArgument("not a mirrorkit inventory (the first line is not \"" + std::string(kInventoryHeader) +
                               "\")");
      header = true;
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    auto bad = [&](const std::string& why) {
      return InvalidArgument("inventory line " + std::to_string(line_no) + ": " + why + ": " + Quote(line, 100));
    };
    if (line.size() < 3 || (line[0] != 'm' && line[0] != 'b') || line[1] != ' ')
      return bad("not \"m DIGEST\" or \"b DIGEST\"");
    auto digest = Digest::Parse(line.substr(2));
    if (!digest.ok()) return bad(digest.status().message());
    (line[0] == 'm' ? inv.manifests : inv.blobs).insert(*digest);
  }
  if (!header) return InvalidArgument("not a mirrorkit inventory (empty)");
  return inv;
}

Result<Inventory> ReadInventory(const std::string& path) {
  auto text = ReadInputLimited(path, kMaxInventoryBytes);
  if (!text.ok()) return text.status().WithContext("inventory " + path);
  auto inv = ParseInventory(*text);
  if (!inv.ok()) return inv.status().WithContext(path);
  return inv;
}

Status WriteInventory(const std::string& path, const Inventory& inventory, const std::string& source) {
  return WriteFileAtomic(path, FormatInventory(inventory, source), 0644);
}

namespace {

class DirWalker {
 public:
  DirWalker(store::OciDirStore& dir, Inventory& inv, HaveSummary& summary,
            const std::function<void(const std::string&)>& problem)
      : dir_(dir), inv_(inv), summary_(summary), problem_(problem) {}

  void Manifest(const oci::Descriptor& d, int depth) {
    if (!seen_.insert(d.digest).second) return;
    if (!Present(d)) return;
    auto m = dir_.ReadManifestBlob(d.digest, d.media_type);
    if (!m.ok() || depth > oci::kMaxIndexDepth) {
      // Left out: a delta carries every manifest anyway, and verify says
      // what is wrong with this one.
      ++summary_.manifests_unreadable;
      problem_(dir_.BlobPath(d.digest) + ": " + (m.ok() ? "indexes nest too deep" : m.status().message()));
      return;
    }
    inv_.manifests.insert(d.digest);
    if (m->is_index()) {
      for (const auto& child : m->manifests) Manifest(child, depth + 1);
      return;
    }
    if (!m->is_schema1()) Blob(m->config);
    for (const auto& layer : m->layers) {
      if (oci::IsForeignLayer(layer.media_type) && !layer.urls.empty()) continue;
      Blob(layer);
    }
  }

  void Blob(const oci::Descriptor& d) {
    if (!seen_.insert(d.digest).second) return;
    // A schema 1 layer has no size: presence is all we can say.
    if (Present(d)) inv_.blobs.insert(d.digest);
  }

  // Every other file named by a digest: content the directory has.
  Status Rest() {
    std::string folder = dir_.dir() + "/blobs/sha256";
    DIR* d = ::opendir(folder.c_str());
    if (!d) return Status::Ok();  // an empty layout
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
    ::closedir(d);
    for (const auto& name : names) {
      auto digest = Digest::Parse("sha256:" + name);
      if (!digest.ok() || seen_.count(*digest)) continue;  // ".", "..", temporaries, strays
      struct stat st;
      if (::lstat((folder + "/" + name).c_str(), &st) == 0 && S_ISREG(st.st_mode)) inv_.blobs.insert(*digest);
    }
    return Status::Ok();
  }

 private:
  bool Present(const oci::Descriptor& d) {
    struct stat st;
    std::string path = dir_.BlobPath(d.digest);
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      ++summary_.blobs_missing;
      return false;
    }
    if (d.size > 0 && st.st_size != d.size) {
      ++summary_.blobs_wrong_size;
      problem_(path + " has " + std::to_string(st.st_size) + " bytes, its descriptor says " + std::to_string(d.size) +
               "; left out of the inventory");
      return false;
    }
    return true;
  }

  store::OciDirStore& dir_;
  Inventory& inv_;
  HaveSummary& summary_;
  const std::function<void(const std::string&)>& problem_;
  std::set<Digest> seen_;
};

}  // namespace

Result<Inventory> DirectoryInventory(store::OciDirStore& dir, HaveSummary& summary,
                                     const std::function<void(const std::string&)>& problem) {
  MK_ASSIGN_OR_RETURN(std::vector<store::NamedImage> images, dir.List());
  Inventory inv;
  DirWalker walker(dir, inv, summary, problem);
  for (const auto& img : images) {
    if (Interrupted()) return Cancelled("interrupted");
    ++summary.images;
    walker.Manifest(img.descriptor, 0);
  }
  MK_RETURN_IF_ERROR(walker.Rest());
  return inv;
}

namespace {

// Walks one image in a registry; returns the first failure.
// done: what earlier images listed; mine: what this one did so far (merged
// into done only when the whole image could be read).
Status WalkRegistryImage(store::Store& store, const Reference& ref, int depth, Inventory& inv,
                         const std::set<std::string>& done, std::set<std::string>& mine) {
  if (Interrupted()) return Cancelled("interrupted");
  if (depth > oci::kMaxIndexDepth) return InvalidArgument(ref.String() + ": indexes nest too deep");
  MK_ASSIGN_OR_RETURN(oci::Manifest m, store.GetManifest(ref));
  // Blobs and manifests live per repository in a registry; a digest seen in
  // one repository needs no second walk there.
  std::string key = ref.repository() + "@" + m.digest.str();
  if (done.count(key) || !mine.insert(key).second) return Status::Ok();
  if (m.is_index()) {
    for (const auto& child : m.manifests) {
      MK_RETURN_IF_ERROR(WalkRegistryImage(store, ref.WithDigest(child.digest), depth + 1, inv, done, mine));
    }
  } else {
    if (!m.is_schema1()) inv.blobs.insert(m.config.digest);
    for (const auto& layer : m.layers) {
      if (oci::IsForeignLayer(layer.media_type) && !layer.urls.empty()) continue;
      inv.blobs.insert(layer.digest);
    }
  }
  // Only once its children and blobs are listed: an index whose child could
  // not be read is not claimed.
  inv.manifests.insert(m.digest);
  return Status::Ok();
}

}  // namespace

Result<std::vector<Reference>> ImagesFromRecords(json::LineReader& reader,
                                                 const std::function<void(size_t line, const Status&)>& problem) {
  std::vector<Reference> out;
  std::set<std::string> seen;
  Status s = records::ReadRecords(reader, [&](records::InputLine& in) {
    if (!in.problem.ok()) {
      problem(in.line, in.problem);
      return true;
    }
    auto dest = in.record.GetString("dest");
    auto status = in.record.GetString("status");
    if (!dest || dest->empty() || (status && *status != "copied" && *status != "present")) return true;
    if (dest->rfind("dir:", 0) == 0) {
      problem(in.line, InvalidArgument("dest " + Quote(*dest) + " is a directory; run oci-dir have on it"));
      return true;
    }
    auto ref = Reference::Parse(*dest);
    if (ref.ok()) {
      auto digest = in.record.GetString("digest");
      if (digest && !digest->empty()) {
        auto d = Digest::Parse(*digest);
        if (!d.ok()) {
          problem(in.line, d.status().WithContext("digest"));
          return true;
        }
        *ref = ref->WithDigest(*d);
      }
    }
    if (!ref.ok()) {
      problem(in.line, ref.status().WithContext("dest " + Quote(*dest)));
      return true;
    }
    if (seen.insert(ref->String()).second) out.push_back(std::move(*ref));
    return true;
  });
  if (!s.ok()) return s;
  return out;
}

Inventory RegistryInventory(store::StoreResolver& stores, const std::vector<Reference>& images,
                            const std::function<void(const Reference&, const Status&)>& failed) {
  Inventory inv;
  std::set<std::string> seen;
  for (const auto& ref : images) {
    if (Interrupted()) break;
    // Into a scratch inventory first: a half-walked image adds nothing.
    Inventory one;
    std::set<std::string> mine;
    Status s = WalkRegistryImage(stores.ForReference(ref), ref, 0, one, seen, mine);
    if (!s.ok()) {
      failed(ref, s);
      continue;
    }
    inv.manifests.merge(one.manifests);
    inv.blobs.merge(one.blobs);
    seen.merge(mine);
  }
  return inv;
}

}  // namespace mk::layout
