#include "layout/volumes.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include "archive/tar.h"
#include "base/atomic_file.h"
#include "base/signals.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "oci/media_types.h"
#include "records/records.h"
#include "store/blob_stream.h"

namespace mk::layout {
namespace {

constexpr const char* kVolumeFile = "mirrorkit-volume.json";

struct BlobFile {
  Digest digest;
  uint64_t size;
};

Result<std::vector<BlobFile>> ListBlobFiles(const std::string& dir) {
  std::vector<BlobFile> out;
  std::string folder = dir + "/blobs/sha256";
  DIR* d = ::opendir(folder.c_str());
  if (!d) return NotFound("no blobs in " + dir);
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    auto digest = Digest::Parse("sha256:" + name);
    if (!digest.ok()) continue;  // ".", "..", temporary files
    struct stat st;
    if (::stat((folder + "/" + name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    out.push_back({*digest, static_cast<uint64_t>(st.st_size)});
  }
  ::closedir(d);
  return out;
}

std::string VolumeName(const PackOptions& o, int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%03d.tar", i);
  return o.out_dir + "/" + o.prefix + buf;
}

// Bytes mirrorkit-volume.json takes for n blob entries (a delta's base
// entries included), generously.
uint64_t VolumeFileBytes(size_t n) { return archive::TarEntryBytes(256 + 110 * n); }

// What a delta needs to know of the layout beyond its blob files: which of
// them are manifests (always carried) and what blobs the images need.
struct DeltaPlan {
  std::set<Digest> manifests;
  std::map<Digest, int64_t> needed;  // configs and layers, with their sizes
};

Status PlanManifest(store::OciDirStore& dir, const std::string& name, const oci::Descriptor& d, int depth,
                    DeltaPlan& plan) {
  if (!plan.manifests.insert(d.digest).second) return Status::Ok();
  if (depth > oci::kMaxIndexDepth) return InvalidArgument(dir.dir() + ": " + name + ": indexes nest too deep");
  auto m = dir.ReadManifestBlob(d.digest, d.media_type);
  if (!m.ok())
    return m.status().WithContext(dir.dir() + ": image " + name + " is not whole; run oci-dir verify (manifest " +
                                  d.digest.str() + ")");
  if (m->is_index()) {
    for (const auto& child : m->manifests) MK_RETURN_IF_ERROR(PlanManifest(dir, name, child, depth + 1, plan));
    return Status::Ok();
  }
  if (!m->is_schema1()) plan.needed.emplace(m->config.digest, m->config.size);
  for (const auto& layer : m->layers) {
    if (oci::IsForeignLayer(layer.media_type) && !layer.urls.empty()) continue;
    plan.needed.emplace(layer.digest, layer.size);
  }
  return Status::Ok();
}

// Drops from blobs those the inventory lists (not manifests); returns the
// base: the dropped blobs the images need. Refuses a layout whose images
// need a blob that neither it nor the inventory has (the delta could not
// complete them).
Result<std::vector<BlobFile>> PlanDelta(store::OciDirStore& dir, const Inventory& exclude,
                                        std::vector<BlobFile>& blobs) {
  MK_ASSIGN_OR_RETURN(std::vector<store::NamedImage> images, dir.List());
  DeltaPlan plan;
  for (const auto& img : images) MK_RETURN_IF_ERROR(PlanManifest(dir, img.name, img.descriptor, 0, plan));
  std::set<Digest> files;
  std::vector<BlobFile> kept;
  for (const auto& b : blobs) {
    files.insert(b.digest);
    if (plan.manifests.count(b.digest) || !exclude.Has(b.digest)) kept.push_back(b);
  }
  blobs = std::move(kept);
  std::vector<BlobFile> base;
  for (const auto& [digest, size] : plan.needed) {
    if (plan.manifests.count(digest)) continue;
    if (exclude.Has(digest)) {
      base.push_back({digest, static_cast<uint64_t>(size)});
    } else if (!files.count(digest)) {
      return NotFound(dir.dir() + " lacks blob " + digest.str() +
                      " that its images need, and the inventory does not list it: the delta could not complete "
                      "them; run oci-dir verify");
    }
  }
  return base;
}

}  // namespace

Status PackDirectory(store::OciDirStore& dir, const PackOptions& options, const Emit& emit) {
  MK_ASSIGN_OR_RETURN(std::string index, store::OciDirStore::ReadLayoutFile(dir.dir() + "/index.json", 64 << 20));
  MK_ASSIGN_OR_RETURN(std::string layout, store::OciDirStore::ReadLayoutFile(dir.dir() + "/oci-layout", 4096));
  MK_ASSIGN_OR_RETURN(std::vector<BlobFile> blobs, ListBlobFiles(dir.dir()));
  std::vector<BlobFile> base;
  if (options.exclude) {
    MK_ASSIGN_OR_RETURN(base, PlanDelta(dir, *options.exclude, blobs));
  }
  MK_RETURN_IF_ERROR(MakeDirectories(options.out_dir));
  // Every volume repeats the base list and the side files, so they are part
  // of the fixed cost.
  uint64_t fixed = archive::TarEntryBytes(index.size()) + archive::TarEntryBytes(layout.size()) +
                   archive::kTarEndBytes + VolumeFileBytes(base.size());
  for (const auto& f : options.side_files) fixed += archive::TarEntryBytes(f.path.size() + f.bytes.size());

  // First fit, largest first.
  std::sort(blobs.begin(), blobs.end(), [](const BlobFile& a, const BlobFile& b) {
    return a.size != b.size ? a.size > b.size : a.digest < b.digest;
  });
  std::vector<std::vector<BlobFile>> volumes;
  std::vector<uint64_t> used;
  for (const auto& b : blobs) {
    uint64_t cost = archive::TarEntryBytes(b.size);
    if (fixed + VolumeFileBytes(1) + cost > options.max_bytes)
      return InvalidArgument("blob " + b.digest.str() + " (" + std::to_string(b.size) +
                             " bytes) does not fit in volumes of " + std::to_string(options.max_bytes) + " bytes");
    size_t v = 0;
    for (; v < volumes.size(); ++v)
      if (fixed + VolumeFileBytes(volumes[v].size() + 1) + used[v] + cost <= options.max_bytes) break;
    if (v == volumes.size()) {
      volumes.emplace_back();
      used.push_back(0);
    }
    volumes[v].push_back(b);
    used[v] += cost;
  }
  if (volumes.empty()) volumes.emplace_back();  // an empty layout still travels

  // The set id names this exact content: the digest of the sorted blob list.
  std::vector<std::string> ids;
  for (const auto& b : blobs) ids.push_back(b.digest.str());
  std::sort(ids.begin(), ids.end());
  std::string basis = Join(ids, "\n") + "\n" + index;
  for (const auto& f : options.side_files) basis += "\nfile " + f.path + " " + Digest::Sha256Of(f.bytes).str();
  if (options.exclude) {
    // A delta of the same content against another base is another set.
    basis += "\nbase\n";
    for (const auto& b : base) basis += b.digest.str() + "\n";
  }
  std::string set = std::string(Digest::Sha256Of(basis).hex().substr(0, 16));

  const int n = static_cast<int>(volumes.size());
  for (int i = 0; i < n; ++i) {
    json::Value meta = json::Value::Object();
    meta.Set("kind", json::Value::String("mirrorkit-volume"));
    meta.Set("set", json::Value::String(set));
    meta.Set("volume", json::Value::Number(i + 1));
    meta.Set("volumes", json::Value::Number(n));
    json::Value list = json::Value::Array();
    for (const auto& b : volumes[i]) {
      json::Value e = json::Value::Object();
      e.Set("digest", json::Value::String(b.digest.str()));
      e.Set("size", json::Value::Number(static_cast<int64_t>(b.size)));
      list.Append(std::move(e));
    }
    meta.Set("blobs", std::move(list));
    if (options.exclude) {
      meta.Set("delta", json::Value::Bool(true));
      json::Value base_list = json::Value::Array();
      for (const auto& b : base) {
        json::Value e = json::Value::Object();
        e.Set("digest", json::Value::String(b.digest.str()));
        e.Set("size", json::Value::Number(static_cast<int64_t>(b.size)));
        base_list.Append(std::move(e));
      }
      meta.Set("base", std::move(base_list));
    }

    std::string path = VolumeName(options, i + 1);
    MK_ASSIGN_OR_RETURN(AtomicFile out, AtomicFile::Create(path, 0644));
    uint64_t written = 0;
    archive::TarWriter tar([&](const char* d, size_t len) {
      written += len;
      return out.Write(std::string_view(d, len));
    });
    MK_RETURN_IF_ERROR(tar.AddString(kVolumeFile, meta.Serialize() + "\n"));
    MK_RETURN_IF_ERROR(tar.AddString("oci-layout", layout));
    MK_RETURN_IF_ERROR(tar.AddString("index.json", index));
    for (const auto& f : options.side_files) MK_RETURN_IF_ERROR(tar.AddString(f.path, f.bytes));
    for (const auto& b : volumes[i]) {
      if (Interrupted()) return Cancelled("interrupted");  // the volume's temp file goes away
      std::string blob_path = dir.BlobPath(b.digest);
      // Never through a link: its target's bytes would be in the volume
      // before the digest check could refuse them.
      MK_ASSIGN_OR_RETURN(UniqueFd fd, store::OciDirStore::OpenBlobFile(blob_path));
      DigestHasher hasher;
      MK_RETURN_IF_ERROR(
          tar.Add("blobs/sha256/" + std::string(b.digest.hex()), b.size, [&](char* buf, size_t cap) -> Result<size_t> {
            ssize_t got = ::read(fd.get(), buf, cap);
            if (got < 0) return IoError("cannot read " + blob_path + ": " + std::strerror(errno));
            hasher.Update(buf, static_cast<size_t>(got));
            return static_cast<size_t>(got);
          }));
      if (hasher.Finish() != b.digest) return DataLoss(blob_path + " does not match its digest; run oci-dir verify");
    }
    MK_RETURN_IF_ERROR(tar.Close());
    MK_RETURN_IF_ERROR(out.Commit());
    emit(records::Volume({path, set, i + 1, n, written, volumes[i].size()}));
  }
  return Status::Ok();
}

namespace {

// A volume's mirrorkit-volume.json, which pack writes first: read alone,
// before anything is written, to check a delta's base.
Result<json::Value> ReadVolumeMeta(const std::string& path) {
  std::optional<json::Value> meta;
  Status s = archive::WalkTarFile(
      path, [&](const archive::Entry& e, archive::EntryContent& content) -> Result<archive::Visit> {
        if (e.type == archive::Entry::Type::kFile && e.path == kVolumeFile) {
          MK_ASSIGN_OR_RETURN(std::string text, content.ReadAll(64 << 20));
          auto parsed = json::Value::Parse(text);
          if (!parsed.ok() || parsed->GetString("kind") != "mirrorkit-volume")
            return InvalidArgument(path + ": not a mirrorkit volume");
          meta = std::move(parsed).value();
        }
        return archive::Visit::kStop;
      });
  if (!s.ok()) return s;
  if (!meta) return InvalidArgument(path + " has no " + std::string(kVolumeFile) + "; not a mirrorkit volume");
  return std::move(*meta);
}

// The base blobs of a delta set that dest lacks (present: a regular file of
// the right size; verification after naming hashes them).
Result<std::vector<oci::Descriptor>> MissingBase(const std::vector<std::string>& paths, store::OciDirStore& dest,
                                                 bool& delta) {
  std::map<Digest, int64_t> base;
  for (const auto& path : paths) {
    MK_ASSIGN_OR_RETURN(json::Value meta, ReadVolumeMeta(path));
    const json::Value* flag = meta.Find("delta");
    if (!flag || !flag->is_bool() || !flag->as_bool()) continue;
    delta = true;
    const json::Value* list = meta.Find("base");
    if (!list || !list->is_array()) return InvalidArgument(path + ": a delta volume without its base list");
    for (const auto& e : list->items()) {
      auto digest = Digest::Parse(e.GetString("digest").value_or(""));
      auto size = e.GetInt("size");
      if (!digest.ok() || !size || *size < 0) return InvalidArgument(path + ": a malformed base entry");
      base.emplace(*digest, *size);
    }
  }
  std::vector<oci::Descriptor> missing;
  const Reference any = Reference::Parse("volume.invalid/x").value();
  for (const auto& [digest, size] : base) {
    oci::Descriptor d;
    d.digest = digest;
    d.size = size;
    MK_ASSIGN_OR_RETURN(bool have, dest.HasBlob(any, d));
    if (!have) missing.push_back(d);
  }
  return missing;
}

// Side files stay small (a signature ConfigMap is a few KiB; 16 signatures
// of 50 KiB at most).
constexpr size_t kMaxSideFileBytes = 2u << 20;

// A relative path without "..", "." or empty parts: one that stays inside
// the directory whatever the policy says.
bool IsSideFileName(const std::string& path) {
  if (path.empty() || path[0] == '/') return false;
  for (const auto& part : Split(path, '/'))
    if (part.empty() || part == "." || part == "..") return false;
  return true;
}

// dir/path, made atomically (0640, as release-signatures writes them), its
// parent made when missing (config/).
Status WriteSideFile(const std::string& dir, const std::string& path, const std::string& bytes) {
  if (size_t slash = path.rfind('/'); slash != std::string::npos) {
    MK_RETURN_IF_ERROR(MakeDirectories(dir + "/" + path.substr(0, slash)));
  }
  MK_ASSIGN_OR_RETURN(AtomicFile out, AtomicFile::Create(dir + "/" + path, 0640));
  MK_RETURN_IF_ERROR(out.Write(bytes));
  return out.Commit();
}

// Splits what dest lacks into what the base repositories hold (with where)
// and what nobody has (summary.base_missing). A repository that cannot be
// asked (refused credentials, unreachable) is an error: never a guess.
Result<std::vector<std::pair<oci::Descriptor, const BaseRepo*>>> LocateBase(const std::vector<oci::Descriptor>& lacking,
                                                                            const std::vector<BaseRepo>& base_from,
                                                                            UnpackSummary& summary) {
  std::vector<std::pair<oci::Descriptor, const BaseRepo*>> found;
  for (const auto& d : lacking) {
    const BaseRepo* where = nullptr;
    for (const auto& b : base_from) {
      auto has = b.store->HasBlob(b.repo, d);
      if (!has.ok()) return has.status().WithContext("looking for the delta's base in " + b.repo.String());
      if (*has) {
        where = &b;
        break;
      }
    }
    if (where) {
      found.emplace_back(d, where);
    } else {
      summary.base_missing.push_back(d.digest);
    }
  }
  return found;
}

}  // namespace

Result<UnpackSummary> UnpackVolumes(const std::vector<std::string>& paths, store::OciDirStore& dest, const Emit& emit,
                                    const std::vector<BaseRepo>& base_from, const SideFilePolicy* side_files) {
  UnpackSummary summary;
  // A delta whose base is not here (nor in a base repository) could only
  // make half images: refused before anything is written.
  MK_ASSIGN_OR_RETURN(std::vector<oci::Descriptor> lacking, MissingBase(paths, dest, summary.delta));
  MK_ASSIGN_OR_RETURN(auto fetch, LocateBase(lacking, base_from, summary));
  if (!summary.base_missing.empty()) {
    std::string elsewhere;
    for (const auto& b : base_from) elsewhere += (elsewhere.empty() ? " nor in " : ", ") + b.repo.String();
    for (const auto& d : summary.base_missing)
      emit(records::Blob(dest.BlobPath(d), "missing",
                         "the delta's base blob " + d.str() + " is not in " + dest.dir() + elsewhere));
    return summary;
  }
  // The base from the mirror registry, into the directory: then the images
  // are whole here, verified and named like any others.
  const Reference any = Reference::Parse("volume.invalid/x").value();
  for (const auto& [d, from] : fetch) {
    if (Interrupted()) return Cancelled("interrupted");
    Status s = store::CopyBlob(*from->store, from->repo, dest, any, d);
    if (!s.ok()) return s.WithContext("the delta's base blob " + d.digest.str() + " from " + from->repo.String());
    ++summary.base_fetched;
    summary.base_bytes += static_cast<uint64_t>(d.size);
  }
  std::string set;
  int total = 0;
  std::set<int> seen;
  std::map<std::string, oci::Descriptor> names;  // from every volume's index.json
  std::set<std::string> side_written;

  for (const auto& path : paths) {
    int volume = 0;
    Status s = archive::WalkTarFile(
        path, [&](const archive::Entry& e, archive::EntryContent& content) -> Result<archive::Visit> {
          if (Interrupted()) return Cancelled("interrupted");
          if (e.type != archive::Entry::Type::kFile) {
            ++summary.entries_refused;
            emit(records::Refused(path, "entry " + Quote(e.path) + " is not a regular file"));
            return archive::Visit::kContinue;
          }
          if (e.path == kVolumeFile) {
            MK_ASSIGN_OR_RETURN(std::string text, content.ReadAll(64 << 20));
            auto meta = json::Value::Parse(text);
            if (!meta.ok() || meta->GetString("kind") != "mirrorkit-volume")
              return InvalidArgument(path + ": not a mirrorkit volume");
            std::string this_set = meta->GetString("set").value_or("");
            if (!set.empty() && this_set != set)
              return InvalidArgument(path + " belongs to set " + this_set + ", the others to " + set);
            set = this_set;
            volume = static_cast<int>(meta->GetInt("volume").value_or(0));
            total = static_cast<int>(meta->GetInt("volumes").value_or(0));
            seen.insert(volume);
            return archive::Visit::kContinue;
          }
          if (e.path == "oci-layout") return archive::Visit::kContinue;  // dest has its own
          if (e.path == "index.json") {
            MK_ASSIGN_OR_RETURN(std::string text, content.ReadAll(64 << 20));
            auto index = oci::Manifest::ParseLayoutIndex(std::move(text));
            if (!index.ok()) return index.status().WithContext(path + ": index.json");
            for (const auto& d : index->manifests) {
              auto it = d.annotations.find("org.opencontainers.image.ref.name");
              if (it != d.annotations.end()) names[it->second] = d;
            }
            return archive::Visit::kContinue;
          }
          if (side_files && IsSideFileName(e.path) && side_files->accepts(e.path)) {
            if (side_written.count(e.path)) return archive::Visit::kContinue;  // every volume carries it
            MK_ASSIGN_OR_RETURN(std::string bytes, content.ReadAll(kMaxSideFileBytes));
            if (Status sound = side_files->check(e.path, bytes); !sound.ok()) {
              ++summary.entries_refused;
              emit(records::Refused(path, "entry " + Quote(e.path) + ": " + sound.message()));
              return archive::Visit::kContinue;
            }
            MK_RETURN_IF_ERROR(WriteSideFile(dest.dir(), e.path, bytes));
            side_written.insert(e.path);
            ++summary.side_files_written;
            return archive::Visit::kContinue;
          }
          std::string_view p = e.path;
          if (p.substr(0, 13) != "blobs/sha256/" || !Digest::Parse("sha256:" + std::string(p.substr(13))).ok()) {
            ++summary.entries_refused;
            emit(records::Refused(path, "unexpected entry " + Quote(e.path)));
            return archive::Visit::kContinue;
          }
          oci::Descriptor d;
          d.digest = Digest::Parse("sha256:" + std::string(p.substr(13))).value();
          d.size = e.size;
          MK_ASSIGN_OR_RETURN(bool have, dest.HasBlob(any, d));
          if (have) return archive::Visit::kContinue;
          Status put = dest.PushBlob(any, d, [&](char* out, size_t n) { return content.Read(out, n); });
          if (put.ok()) {
            ++summary.blobs_written;
          } else {
            ++summary.blobs_failed;
            emit(records::Blob(path, "", put.message()));
            if (put.code() == Code::kIo || put.code() == Code::kPermissionDenied) return put;  // disk full: stop
          }
          return archive::Visit::kContinue;
        });
    if (!s.ok()) return s;
    if (volume == 0) return InvalidArgument(path + " has no " + std::string(kVolumeFile) + "; not a mirrorkit volume");
    ++summary.volumes_read;
  }
  for (int v = 1; v <= total; ++v)
    if (!seen.count(v)) {
      // Not an error by itself: volumes may be unpacked one disc at a time.
      // Verification below says whether what is named is whole.
      ++summary.volumes_missing;
      emit(records::MissingVolume(set, v, total));
    }
  // Name only the images of the set that are whole (base and delta blobs,
  // hashed): never a half-made image. The others (their volumes yet to
  // come, a blob that did not match) are reported, not named; the blobs
  // they got stay as content for a later run. The same verifier then
  // checks the directory, hashing no blob twice.
  Verifier verifier(dest, emit);
  for (const auto& [name, d] : names) {
    Verifier::ImageCheck check = verifier.Check(d);
    if (Interrupted()) return Cancelled("interrupted");
    if (check.ok()) {
      MK_RETURN_IF_ERROR(dest.Name(name, d));
      continue;
    }
    ++summary.images_incomplete;
    emit(std::move(check).Record(name, d.digest));
  }
  MK_ASSIGN_OR_RETURN(summary.verify, VerifyDirectory(verifier, dest, false));
  return summary;
}

}  // namespace mk::layout
