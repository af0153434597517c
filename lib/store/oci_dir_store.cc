#include "store/oci_dir_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/atomic_file.h"
#include "base/file_lock.h"
#include "base/signals.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "json/value.h"
#include "oci/media_types.h"

namespace mk::store {
namespace {

constexpr const char* kRefName = "org.opencontainers.image.ref.name";
constexpr const char* kLayout = "{\"imageLayoutVersion\":\"1.0.0\"}";

std::string Errno(int err) { return std::strerror(err); }

// Whether an index name denotes ref: the same text, or a short name other
// tools wrote ("console" for docker.io/library/console).
bool SameName(const std::string& entry, const std::string& full) {
  if (entry == full) return true;
  auto parsed = Reference::Parse(entry);
  return parsed.ok() && parsed->String() == full;
}

bool Glob(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

}  // namespace

Result<std::unique_ptr<OciDirStore>> OciDirStore::Open(const std::string& dir, bool create) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    if (!create) return NotFound("no such directory: " + dir);
    MK_RETURN_IF_ERROR(MakeDirectories(dir));
  } else if (!S_ISDIR(st.st_mode)) {
    return InvalidArgument("not a directory: " + dir);
  }
  std::unique_ptr<OciDirStore> store(new OciDirStore(dir));
  std::string layout = dir + "/oci-layout";
  auto existing = ReadLayoutFile(layout, 4096);
  if (existing.ok()) {
    auto v = json::Value::Parse(*existing);
    if (!v.ok() || !v->GetString("imageLayoutVersion")) return InvalidArgument(layout + " is not an OCI layout file");
  } else if (existing.status().code() == Code::kNotFound) {
    if (!create) return NotFound(dir + " is not an OCI image layout (no oci-layout file)");
    Status s = WriteFileAtomic(layout, kLayout);
    if (!s.ok()) return s;
  } else {
    return existing.status();
  }
  if (create) {
    MK_RETURN_IF_ERROR(MakeDirectories(dir + "/blobs/sha256"));
    // Opened for writing: remove the temporaries of writers that were
    // killed (each live writer holds a lock on its own, so those of other
    // processes filling the directory now stay). Under the directory lock,
    // like every other change of the layout. Housekeeping only: when a
    // temporary cannot be removed (a read-only medium), the first write
    // says so with a clearer error than this could.
    MK_ASSIGN_OR_RETURN(FileLock lock, FileLock::Exclusive(dir));
    (void)RemoveStaleTemps(dir);
    // Blob temporaries are kept: the next writer of the blob resumes from
    // them (AdoptPartial). Those of live writers are listed too; adopting
    // one fails on its lock and leaves it alone.
    for (const char* algorithm : {"sha256", "sha512"}) {
      std::string folder = dir + "/blobs/" + algorithm;
      DIR* d = ::opendir(folder.c_str());
      if (!d) continue;
      while (struct dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        size_t mark = name.find(".tmp-");
        if (name.size() < 2 || name[0] != '.' || mark == std::string::npos || !IsTempName(name)) continue;
        store->orphans_[std::string(algorithm) + "/" + name.substr(1, mark - 1)].push_back(folder + "/" + name);
      }
      ::closedir(d);
    }
  }
  return store;
}

OciDirStore::~OciDirStore() {
  if (Interrupted()) return;  // a re-run may still resume them
  for (const auto& [blob, paths] : orphans_)
    for (const auto& path : paths) (void)RemoveTempIfStale(path);
}

std::string OciDirStore::BlobPath(const Digest& digest) const {
  return dir_ + "/blobs/" + std::string(digest.algorithm()) + "/" + std::string(digest.hex());
}

Result<UniqueFd> OciDirStore::OpenBlobFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it has no
  // effect on the regular files we then accept.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd.valid()) {
    int err = errno;
    if (err == ENOENT) return NotFound("no such file: " + path);
    if (err == ELOOP) return DataLoss(path + " is a symbolic link; a layout's blobs are files (refused)");
    return IoError("cannot open " + path + ": " + Errno(err));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return IoError("cannot stat " + path + ": " + Errno(errno));
  if (!S_ISREG(st.st_mode)) return DataLoss(path + " is not a regular file (refused)");
  return fd;
}

Result<std::string> OciDirStore::ReadLayoutFile(const std::string& path, size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    int err = errno;
    if (err == ENOENT) return NotFound("no such file: " + path);
    if (err == EACCES) return PermissionDenied("cannot read " + path + ": " + Errno(err));
    return IoError("cannot open " + path + ": " + Errno(err));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return IoError("cannot stat " + path + ": " + Errno(errno));
  if (!S_ISREG(st.st_mode)) return DataLoss(path + " is not a regular file (refused)");
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot read " + path + ": " + Errno(errno));
    if (n == 0) return out;
    if (out.size() + static_cast<size_t>(n) > max_bytes)
      return InvalidArgument("file too large (over " + std::to_string(max_bytes) + " bytes): " + path);
    out.append(buf, static_cast<size_t>(n));
  }
}

namespace {

// Whether a regular file (not a link to one) of size bytes is at path.
bool RegularFileOfSize(const std::string& path, int64_t size) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == size;
}

}  // namespace

Result<std::string> OciDirStore::ReadIndex() {
  auto text = ReadLayoutFile(dir_ + "/index.json", oci::kMaxLayoutIndexBytes);
  if (!text.ok() && text.status().code() == Code::kNotFound)
    return std::string(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})");
  return text;
}

Result<std::vector<NamedImage>> OciDirStore::List() {
  MK_ASSIGN_OR_RETURN(std::string text, ReadIndex());
  auto index = oci::Manifest::ParseLayoutIndex(std::move(text));
  if (!index.ok()) return index.status().WithContext(dir_ + "/index.json");
  std::vector<NamedImage> out;
  for (const auto& d : index->manifests) {
    auto it = d.annotations.find(kRefName);
    out.push_back({it == d.annotations.end() ? "" : it->second, d});
  }
  return out;
}

Result<std::vector<NamedImage>> OciDirStore::Match(const std::string& pattern) {
  MK_ASSIGN_OR_RETURN(std::vector<NamedImage> all, List());
  std::vector<NamedImage> out;
  for (auto& img : all) {
    if (img.name.empty()) continue;
    bool hit = Glob(pattern, img.name);
    if (!hit) {
      auto ref = Reference::Parse(img.name);
      if (ref.ok()) {
        // Without the registry: path[:tag][@digest]; or the tag alone.
        std::string short_name = ref->path() + (ref->tag().empty() ? "" : ":" + ref->tag()) +
                                 (ref->digest() ? "@" + ref->digest()->str() : "");
        hit = Glob(pattern, short_name) || (!ref->tag().empty() && Glob(pattern, ref->tag()));
      }
    }
    if (hit) out.push_back(std::move(img));
  }
  return out;
}

Result<Reference> OciDirStore::ResolveName(const std::string& name) {
  if (name.empty()) {
    MK_ASSIGN_OR_RETURN(std::vector<NamedImage> all, List());
    if (all.size() == 1 && !all[0].name.empty()) return ResolveName(all[0].name);
    return InvalidArgument("name one of the " + std::to_string(all.size()) + " images in " + dir_ + " (dir:" + dir_ +
                           ":NAME)");
  }
  MK_ASSIGN_OR_RETURN(std::vector<NamedImage> hits, Match(name));
  if (hits.empty()) {
    // A full reference may still name content stored by digest.
    auto ref = Reference::Parse(name);
    if (ref.ok() && ref->digest()) return ref;
    return NotFound("no image matching " + Quote(name) + " in " + dir_);
  }
  for (const auto& h : hits)
    if (h.name == name) {
      auto exact = Reference::Parse(h.name);
      if (!exact.ok()) return exact.status().WithContext(dir_ + "/index.json");
      return exact;
    }
  if (hits.size() > 1) {
    std::string names;
    for (size_t i = 0; i < hits.size() && i < 5; ++i) names += (i ? ", " : "") + hits[i].name;
    return InvalidArgument(Quote(name) + " matches " + std::to_string(hits.size()) + " images in " + dir_ + ": " +
                           names + (hits.size() > 5 ? ", ..." : ""));
  }
  auto ref = Reference::Parse(hits[0].name);
  if (!ref.ok()) return ref.status().WithContext(dir_ + "/index.json");
  return ref;
}

Result<oci::Manifest> OciDirStore::ReadManifestBlob(const Digest& digest, const std::string& media_type) {
  std::string path = BlobPath(digest);
  auto fd = OpenBlobFile(path);
  if (!fd.ok()) {
    if (fd.status().code() == Code::kNotFound) return NotFound("manifest " + digest.str() + " missing from " + dir_);
    return fd.status();
  }
  std::string raw;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd->get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot read " + path + ": " + Errno(errno));
    if (n == 0) break;
    // The registry's own cap, before the bytes are held or parsed.
    if (raw.size() + static_cast<size_t>(n) > oci::kMaxManifestBytes)
      return InvalidArgument("manifest " + path + " is larger than 4 MiB (refused)");
    raw.append(buf, static_cast<size_t>(n));
  }
  MK_RETURN_IF_ERROR(VerifyDigest(digest, raw, "manifest " + path));
  auto m = oci::Manifest::Parse(std::move(raw), media_type);
  if (!m.ok()) return m.status().WithContext(path);
  return m;
}

Result<oci::Manifest> OciDirStore::GetManifest(const Reference& ref) {
  std::string name = ref.String();
  MK_ASSIGN_OR_RETURN(std::vector<NamedImage> all, List());
  for (const auto& img : all)
    if (SameName(img.name, name)) return ReadManifestBlob(img.descriptor.digest, img.descriptor.media_type);
  if (ref.digest()) {
    // Content addressed: a child manifest, or an image stored under another
    // name; the media type comes from the document or its shape.
    for (const auto& img : all)
      if (img.descriptor.digest == *ref.digest()) return ReadManifestBlob(*ref.digest(), img.descriptor.media_type);
    return ReadManifestBlob(*ref.digest(), "");
  }
  return NotFound("no image named " + name + " in " + dir_);
}

Result<std::optional<Digest>> OciDirStore::ManifestDigest(const Reference& ref) {
  MK_ASSIGN_OR_RETURN(std::optional<oci::Descriptor> head, ManifestHead(ref));
  if (!head) return std::optional<Digest>();
  return std::optional<Digest>(head->digest);
}

Result<std::optional<oci::Descriptor>> OciDirStore::ManifestHead(const Reference& ref) {
  MK_ASSIGN_OR_RETURN(std::vector<NamedImage> all, List());
  std::string name = ref.String();
  for (const auto& img : all)
    if (SameName(img.name, name)) {
      // Named, and its manifest is really here.
      struct stat st;
      if (::lstat(BlobPath(img.descriptor.digest).c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return std::optional<oci::Descriptor>();
      return std::optional<oci::Descriptor>(img.descriptor);
    }
  return std::optional<oci::Descriptor>();
}

Status OciDirStore::WriteBytes(const Digest& digest, std::string_view bytes) {
  std::string final_path = BlobPath(digest);
  if (RegularFileOfSize(final_path, static_cast<int64_t>(bytes.size()))) return Status::Ok();
  MK_RETURN_IF_ERROR(MakeDirectories(dir_ + "/blobs/" + std::string(digest.algorithm())));
  auto file = AtomicFile::Create(final_path, 0644);
  if (!file.ok()) return file.status();
  MK_RETURN_IF_ERROR(file->Write(bytes));
  return file->Commit();
}

Status OciDirStore::PutManifest(const Reference& ref, const oci::Manifest& manifest, ManifestRole role) {
  MK_RETURN_IF_ERROR(WriteBytes(manifest.digest, manifest.raw));
  if (role == ManifestRole::kChild) return Status::Ok();
  oci::Descriptor d;
  d.media_type = manifest.media_type;
  d.digest = manifest.digest;
  d.size = static_cast<int64_t>(manifest.raw.size());
  return Name(ref.String(), d);
}

Status OciDirStore::Name(const std::string& name, const oci::Descriptor& d) {
  std::lock_guard<std::mutex> guard(index_mu_);
  MK_ASSIGN_OR_RETURN(FileLock lock, FileLock::Exclusive(dir_));
  MK_ASSIGN_OR_RETURN(std::string text, ReadIndex());
  auto index = json::Value::Parse(text);
  if (!index.ok() || !index->is_object()) return InvalidArgument(dir_ + "/index.json is not a JSON object");
  json::Value entry = json::Value::Object();
  entry.Set("mediaType", json::Value::String(d.media_type));
  entry.Set("digest", json::Value::String(d.digest.str()));
  entry.Set("size", json::Value::Number(d.size));
  json::Value annotations = json::Value::Object();
  annotations.Set(kRefName, json::Value::String(name));
  entry.Set("annotations", std::move(annotations));
  json::Value manifests = json::Value::Array();
  bool replaced = false;
  if (const json::Value* old = index->Find("manifests"); old && old->is_array()) {
    for (const auto& e : old->items()) {
      const json::Value* a = e.Find("annotations");
      bool same = a && a->GetString(kRefName) == name;
      if (same && !replaced) {
        manifests.Append(entry);
        replaced = true;
      } else if (!same) {
        manifests.Append(e);
      }
    }
  }
  if (!replaced) manifests.Append(std::move(entry));
  if (!index->Find("schemaVersion")) index->Set("schemaVersion", json::Value::Number(2));
  index->Set("manifests", std::move(manifests));
  return WriteFileAtomic(dir_ + "/index.json", index->Serialize() + "\n");
}

Result<bool> OciDirStore::HasBlob(const Reference&, const oci::Descriptor& blob) {
  // Only verified bytes are ever renamed into place; a size mismatch means
  // the media was altered since, and the blob must be written again (a
  // link, which no writer makes, too: the rename replaces it).
  return RegularFileOfSize(BlobPath(blob.digest), blob.size);
}

Status OciDirStore::FetchBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSink& sink) {
  return FetchBlobFrom(repo, blob, 0, sink);
}

Status OciDirStore::FetchBlobFrom(const Reference&, const oci::Descriptor& blob, uint64_t offset,
                                  const BlobSink& sink) {
  std::string path = BlobPath(blob.digest);
  auto opened = OpenBlobFile(path);
  if (!opened.ok()) {
    if (opened.status().code() == Code::kNotFound)
      return NotFound("blob " + blob.digest.str() + " missing from " + dir_);
    return opened.status();
  }
  UniqueFd fd = std::move(opened).value();
  (void)::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  std::vector<char> buf(1 << 20);
  for (off_t at = static_cast<off_t>(offset);;) {
    ssize_t n = ::pread(fd.get(), buf.data(), buf.size(), at);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read " + path + ": " + Errno(errno));
    }
    if (n == 0) return Status::Ok();
    at += n;
    MK_RETURN_IF_ERROR(sink(buf.data(), static_cast<size_t>(n)));
  }
}

Status OciDirStore::PushBlob(const Reference&, const oci::Descriptor& blob, const BlobSource& source) {
  std::string final_path = BlobPath(blob.digest);
  MK_RETURN_IF_ERROR(MakeDirectories(dir_ + "/blobs/" + std::string(blob.digest.algorithm())));
  auto file = AtomicFile::Create(final_path, 0644);
  if (!file.ok()) return file.status();
  DigestHasher hasher(blob.digest.algorithm());
  std::vector<char> buf(1 << 20);
  for (;;) {
    MK_ASSIGN_OR_RETURN(size_t n, source(buf.data(), buf.size()));
    if (n == 0) break;
    hasher.Update(buf.data(), n);
    if (hasher.bytes() > static_cast<uint64_t>(blob.size))
      return DataLoss("blob " + blob.digest.str() + " is longer than its descriptor says");
    MK_RETURN_IF_ERROR(file->Write(std::string_view(buf.data(), n)));
  }
  if (hasher.bytes() != static_cast<uint64_t>(blob.size))
    return DataLoss("blob " + blob.digest.str() + " ended after " + std::to_string(hasher.bytes()) + " of " +
                    std::to_string(blob.size) + " bytes");
  Digest got = hasher.Finish();
  if (got != blob.digest)
    return DataLoss("blob " + blob.digest.str() + " does not match its digest (got " + got.str() + ")");
  return file->Commit();
}

}  // namespace mk::store

namespace mk::store {

Result<std::optional<AtomicFile>> OciDirStore::AdoptPartial(const Digest& digest) {
  std::vector<std::string> paths;
  {
    std::lock_guard<std::mutex> lock(orphans_mu_);
    auto it = orphans_.find(std::string(digest.algorithm()) + "/" + std::string(digest.hex()));
    if (it == orphans_.end()) return std::optional<AtomicFile>();
    paths = std::move(it->second);
    orphans_.erase(it);
  }
  std::optional<AtomicFile> best;
  off_t best_size = -1;
  for (const auto& path : paths) {
    MK_ASSIGN_OR_RETURN(std::optional<AtomicFile> file, AtomicFile::Adopt(BlobPath(digest), path));
    if (!file) continue;  // a live writer's, or gone
    struct stat st;
    if (::fstat(file->fd(), &st) != 0) continue;  // dropped: its destructor removes it
    if (st.st_size > best_size) {
      best_size = st.st_size;
      best.reset();  // the shorter one before is removed
      best.emplace(std::move(*file));
    }
  }
  return best;
}

Status OciDirStore::PullBlob(const Reference&, const oci::Descriptor& blob, const BlobFetch& fetch, uint64_t* resumed) {
  // Whole units only: the last write a killed writer made may be torn.
  constexpr uint64_t kUnit = 1 << 20;
  if (resumed) *resumed = 0;
  const uint64_t size = static_cast<uint64_t>(blob.size);
  const std::string final_path = BlobPath(blob.digest);
  const std::string what = "blob " + blob.digest.str();
  MK_RETURN_IF_ERROR(MakeDirectories(dir_ + "/blobs/" + std::string(blob.digest.algorithm())));
  MK_ASSIGN_OR_RETURN(std::optional<AtomicFile> partial, AdoptPartial(blob.digest));
  std::vector<char> buf(kUnit);
  for (int round = 0; round < 2; ++round) {
    DigestHasher hasher(blob.digest.algorithm());
    uint64_t kept = 0;
    std::optional<AtomicFile> file = std::move(partial);
    partial.reset();
    if (file) {
      struct stat st;
      if (::fstat(file->fd(), &st) != 0) return IoError("cannot stat " + file->temp_path() + ": " + Errno(errno));
      kept = std::min<uint64_t>(static_cast<uint64_t>(st.st_size), size) / kUnit * kUnit;
      if (static_cast<uint64_t>(st.st_size) == size) kept = size;  // whole: the rename was all it missed
      for (uint64_t at = 0; at < kept;) {
        ssize_t n = ::pread(file->fd(), buf.data(), static_cast<size_t>(std::min<uint64_t>(kUnit, kept - at)),
                            static_cast<off_t>(at));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return IoError("cannot read " + file->temp_path() + ": " + Errno(n < 0 ? errno : EIO));
        hasher.Update(buf.data(), static_cast<size_t>(n));
        at += static_cast<uint64_t>(n);
      }
      if (::ftruncate(file->fd(), static_cast<off_t>(kept)) != 0 ||
          ::lseek(file->fd(), static_cast<off_t>(kept), SEEK_SET) != static_cast<off_t>(kept))
        return IoError("cannot resume " + file->temp_path() + ": " + Errno(errno));
    } else {
      MK_ASSIGN_OR_RETURN(AtomicFile fresh, AtomicFile::Create(final_path, 0644));
      file.emplace(std::move(fresh));
    }
    Status s;
    if (kept < size)
      s = fetch(kept, [&](const char* data, size_t n) -> Status {
        if (hasher.bytes() + n > size)
          return DataLoss(what + ": more bytes than the " + std::to_string(size) + " its descriptor says");
        hasher.Update(data, n);
        return file->Write(std::string_view(data, n));
      });
    if (s.ok() && hasher.bytes() != size)
      s = DataLoss(what + ": got " + std::to_string(hasher.bytes()) + " bytes, descriptor says " +
                   std::to_string(size));
    if (s.ok()) {
      Digest got = hasher.Finish();
      if (got != blob.digest) s = DataLoss(what + ": content does not match its digest (got " + got.str() + ")");
    }
    if (s.ok()) {
      MK_RETURN_IF_ERROR(file->Commit());
      if (resumed) *resumed = kept;
      return Status::Ok();
    }
    // Interrupted: what is written stays for the next run to resume.
    if (s.code() == Code::kCancelled) {
      file->Keep();
      return s;
    }
    // The kept bytes were bad, or the source would not resume at an
    // offset: once more from the start (the temporary goes with file).
    if (kept > 0 && (s.code() == Code::kDataLoss || s.code() == Code::kUnavailable)) continue;
    return s;
  }
  return DataLoss(what + ": content does not match its digest");
}

}  // namespace mk::store
