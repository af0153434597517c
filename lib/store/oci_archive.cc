#include "store/oci_archive.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "archive/tar.h"
#include "base/atomic_file.h"
#include "base/strings.h"
#include "oci/manifest.h"

namespace mk::store {
namespace {

constexpr const char* kRefName = "org.opencontainers.image.ref.name";
constexpr size_t kBlock = 512;
constexpr size_t kMaxExtendedHeader = 1 << 20;  // a pax header or GNU long name

std::string Errno(int err) { return std::strerror(err); }

Status PreadAll(int fd, char* out, size_t n, uint64_t offset, const std::string& what) {
  while (n > 0) {
    ssize_t got = ::pread(fd, out, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return IoError("cannot read " + what + ": " + Errno(errno));
    if (got == 0) return DataLoss(what + " ends in the middle of a tar member (truncated?)");
    out += got;
    n -= static_cast<size_t>(got);
    offset += static_cast<uint64_t>(got);
  }
  return Status::Ok();
}

// A numeric header field: octal digits (space/NUL padded), or GNU's
// base-256 for large values.
Result<uint64_t> HeaderNumber(const char* field, size_t len, const std::string& what) {
  const auto* u = reinterpret_cast<const unsigned char*>(field);
  if (u[0] & 0x80) {
    uint64_t n = u[0] & 0x3f;
    for (size_t i = 1; i < len; ++i) {
      if (n >> 56) return DataLoss(what + ": a tar size field is too large");
      n = (n << 8) | u[i];
    }
    return n;
  }
  uint64_t n = 0;
  size_t i = 0;
  while (i < len && field[i] == ' ') ++i;
  for (; i < len && field[i] >= '0' && field[i] <= '7'; ++i) n = n * 8 + static_cast<uint64_t>(field[i] - '0');
  for (; i < len; ++i)
    if (field[i] != ' ' && field[i] != '\0') return DataLoss(what + " is not a tar archive (bad header field)");
  return n;
}

bool ChecksumOk(const char* h) {
  uint64_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
  auto want = HeaderNumber(h + 148, 8, "");
  return want.ok() && *want == sum;
}

std::string Field(const char* p, size_t len) { return std::string(p, strnlen(p, len)); }

// pax records "LEN key=value\n": the path and size keys.
void ParsePax(const std::string& text, std::string* path, int64_t* size) {
  size_t at = 0;
  while (at < text.size()) {
    size_t space = text.find(' ', at);
    if (space == std::string::npos) return;
    uint64_t len = 0;
    for (size_t i = at; i < space; ++i) {
      if (text[i] < '0' || text[i] > '9') return;
      len = len * 10 + static_cast<uint64_t>(text[i] - '0');
    }
    if (len == 0 || at + len > text.size()) return;
    std::string record = text.substr(space + 1, at + len - space - 2);  // without "\n"
    size_t eq = record.find('=');
    if (eq != std::string::npos) {
      std::string key = record.substr(0, eq), value = record.substr(eq + 1);
      if (key == "path") *path = value;
      if (key == "size") {
        int64_t n = 0;
        bool ok = !value.empty() && value.size() < 19;
        for (char c : value) ok = ok && c >= '0' && c <= '9', n = n * 10 + (c - '0');
        if (ok) *size = n;
      }
    }
    at += len;
  }
}

// rm -r for the staging directory only (no links followed).
int RemoveEntry(const char* path, const struct stat*, int type, struct FTW*) {
  return type == FTW_DP ? ::rmdir(path) : ::unlink(path);
}

void RemoveTree(const std::string& path) { (void)::nftw(path.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS); }

}  // namespace

Result<TarIndex> TarIndex::Read(int fd, const std::string& what) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return IoError("cannot stat " + what + ": " + Errno(errno));
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  TarIndex index;
  char h[kBlock];
  if (file_size >= 4) {
    MK_RETURN_IF_ERROR(PreadAll(fd, h, 4, 0, what));
    const auto* u = reinterpret_cast<const unsigned char*>(h);
    if (u[0] == 0x1f && u[1] == 0x8b)
      return Unsupported(what +
                         " is gzip-compressed; an oci-archive is read in place and must be an uncompressed tar "
                         "(gunzip it first)");
    if (u[0] == 0x28 && u[1] == 0xb5 && u[2] == 0x2f && u[3] == 0xfd)
      return Unsupported(what + " is zstd-compressed; an oci-archive must be an uncompressed tar (unzstd it first)");
  }
  std::string long_name;
  std::string pax_path;
  int64_t pax_size = -1;  // none
  for (uint64_t at = 0;;) {
    if (at + kBlock > file_size) {
      // No end-of-archive blocks: tolerated only right after a member, as
      // GNU tar does; a header cut short is damage.
      if (at == file_size && long_name.empty() && pax_path.empty()) return index;
      return DataLoss(what + " is truncated (a tar header at byte " + std::to_string(at) + " is cut short)");
    }
    MK_RETURN_IF_ERROR(PreadAll(fd, h, kBlock, at, what));
    bool zero = true;
    for (char c : h) zero = zero && c == 0;
    if (zero) return index;  // the end-of-archive blocks
    if (!ChecksumOk(h))
      return DataLoss(what + " is not a tar archive, or is damaged (bad header checksum at byte " + std::to_string(at) +
                      ")");
    MK_ASSIGN_OR_RETURN(uint64_t size, HeaderNumber(h + 124, 12, what));
    const char type = h[156];
    if (pax_size >= 0 && type != 'x' && type != 'g' && type != 'L') size = static_cast<uint64_t>(pax_size);
    const uint64_t data = at + kBlock;
    const uint64_t padded = (size + kBlock - 1) / kBlock * kBlock;
    if (data + size > file_size || padded < size)
      return DataLoss(what + " is truncated (a member at byte " + std::to_string(at) + " needs " +
                      std::to_string(size) + " bytes)");
    if (type == 'x' || type == 'L') {
      if (size > kMaxExtendedHeader) return DataLoss(what + ": an extended tar header is too large");
      std::string text(static_cast<size_t>(size), '\0');
      MK_RETURN_IF_ERROR(PreadAll(fd, text.data(), text.size(), data, what));
      if (type == 'x')
        ParsePax(text, &pax_path, &pax_size);
      else
        long_name = std::string(text.c_str());
    } else if (type != 'g') {
      std::string name = Field(h, 100);
      if (std::memcmp(h + 257, "ustar", 5) == 0) {
        std::string prefix = Field(h + 345, 155);
        if (!prefix.empty() && std::memcmp(h + 257, "ustar\0", 6) == 0) name = prefix + "/" + name;
      }
      if (!long_name.empty()) name = long_name;
      if (!pax_path.empty()) name = pax_path;
      if (type == '0' || type == '\0' || type == '7') {
        index.members_[archive::NormalizeEntryPath(name)] = Member{data, size};
      } else {
        // A link, directory or device: never a blob here; a later regular
        // member of the path would replace it, this one hides an earlier.
        index.members_.erase(archive::NormalizeEntryPath(name));
      }
      long_name.clear();
      pax_path.clear();
      pax_size = -1;
    }
    at = data + padded;
  }
}

const TarIndex::Member* TarIndex::Find(const std::string& path) const {
  auto it = members_.find(path);
  return it == members_.end() ? nullptr : &it->second;
}

OciArchive::~OciArchive() {
  // Neither finished nor discarded (a plugin that failed): drop the staging.
  if (dir_ || lock_) Discard();
}

Result<const TarIndex*> OciArchive::Existing() {
  if (!looked_) {
    UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) {
      int err = errno;
      if (err != ENOENT) return IoError("cannot open " + path_ + ": " + Errno(err));
    } else {
      struct stat st;
      if (::fstat(fd.get(), &st) != 0) return IoError("cannot stat " + path_ + ": " + Errno(errno));
      if (!S_ISREG(st.st_mode)) return InvalidArgument(path_ + " is not a regular file");
      MK_ASSIGN_OR_RETURN(TarIndex index, TarIndex::Read(fd.get(), path_));
      index_ = std::move(index);
      fd_ = std::move(fd);
    }
    looked_ = true;
  }
  return index_ ? &*index_ : nullptr;
}

Result<std::string> OciArchive::ReadMember(const std::string& member, size_t max_bytes) {
  MK_ASSIGN_OR_RETURN(const TarIndex* index, Existing());
  const TarIndex::Member* m = index ? index->Find(member) : nullptr;
  if (!m) return NotFound(path_ + " has no " + member);
  if (m->size > max_bytes) return InvalidArgument(member + " in " + path_ + " is too large (refused)");
  std::string out(static_cast<size_t>(m->size), '\0');
  MK_RETURN_IF_ERROR(PreadAll(fd_.get(), out.data(), out.size(), m->offset, path_));
  return out;
}

Result<std::vector<NamedImage>> OciArchive::List() {
  if (dir_) return dir_->List();
  MK_ASSIGN_OR_RETURN(const TarIndex* index, Existing());
  if (!index) return std::vector<NamedImage>();  // a new archive: nothing yet
  if (!index->Find("oci-layout")) return InvalidArgument(path_ + " holds no OCI image layout (no oci-layout file)");
  auto text = ReadMember("index.json", oci::kMaxLayoutIndexBytes);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return std::vector<NamedImage>();
    return text.status();
  }
  auto parsed = oci::Manifest::ParseLayoutIndex(std::move(text).value());
  if (!parsed.ok()) return parsed.status().WithContext(path_ + " index.json");
  std::vector<NamedImage> out;
  for (const auto& d : parsed->manifests) {
    auto it = d.annotations.find(kRefName);
    out.push_back({it == d.annotations.end() ? "" : it->second, d});
  }
  return out;
}

namespace {
std::string BlobMember(const Digest& d) { return "blobs/" + std::string(d.algorithm()) + "/" + std::string(d.hex()); }
}  // namespace

Result<uint64_t> OciArchive::StatBlob(const Digest& digest) {
  if (dir_) {
    struct stat st;
    if (::lstat(dir_->BlobPath(digest).c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      return NotFound("blob " + digest.str() + " is not in " + path_);
    return static_cast<uint64_t>(st.st_size);
  }
  MK_ASSIGN_OR_RETURN(const TarIndex* index, Existing());
  const TarIndex::Member* m = index ? index->Find(BlobMember(digest)) : nullptr;
  if (!m) return NotFound("blob " + digest.str() + " is not in " + path_);
  return m->size;
}

Status OciArchive::GetBlob(const Digest& digest, uint64_t offset, const BlobSink& sink) {
  if (dir_) {
    oci::Descriptor d;
    d.digest = digest;
    return dir_->FetchBlobFrom(Reference(), d, offset, sink);
  }
  MK_ASSIGN_OR_RETURN(const TarIndex* index, Existing());
  const TarIndex::Member* m = index ? index->Find(BlobMember(digest)) : nullptr;
  if (!m) return NotFound("blob " + digest.str() + " is not in " + path_);
  std::vector<char> buf(1 << 20);
  for (uint64_t at = std::min(offset, m->size); at < m->size;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), m->size - at));
    MK_RETURN_IF_ERROR(PreadAll(fd_.get(), buf.data(), n, m->offset + at, path_));
    MK_RETURN_IF_ERROR(sink(buf.data(), n));
    at += n;
  }
  return Status::Ok();
}

Result<ManifestBytes> OciArchive::GetManifest(const std::string& name_or_digest) {
  MK_ASSIGN_OR_RETURN(std::vector<NamedImage> all, List());
  std::optional<Digest> digest;
  std::string media_type;
  if (auto d = Digest::Parse(name_or_digest); d.ok()) digest = *d;
  for (const auto& image : all) {
    if (digest ? image.descriptor.digest == *digest : image.name == name_or_digest) {
      digest = image.descriptor.digest;
      media_type = image.descriptor.media_type;
      break;
    }
  }
  if (!digest) return NotFound("no image named " + name_or_digest + " in " + path_);
  std::string raw;
  if (dir_) {
    MK_ASSIGN_OR_RETURN(oci::Manifest m, dir_->ReadManifestBlob(*digest, media_type));
    return ManifestBytes{media_type, std::move(m.raw)};
  }
  auto text = ReadMember(BlobMember(*digest), oci::kMaxManifestBytes);
  if (!text.ok() && text.status().code() == Code::kNotFound)
    return NotFound("manifest " + digest->str() + " is not in " + path_);
  if (!text.ok()) return text.status();
  return ManifestBytes{media_type, std::move(text).value()};
}

Status OciArchive::Stage() {
  if (dir_) return Status::Ok();
  // Read FILE first: a damaged archive is refused before anything changes.
  MK_ASSIGN_OR_RETURN(const TarIndex* index, Existing());
  const std::string staging = staging_dir();
  if (::mkdir(staging.c_str(), 0755) != 0 && errno != EEXIST)
    return IoError("cannot create " + staging + ": " + Errno(errno));
  MK_ASSIGN_OR_RETURN(std::optional<FileLock> lock, FileLock::TryExclusive(staging));
  if (!lock) return Unavailable(path_ + " is being written by another process (" + staging + " is locked)");
  lock_ = std::move(lock);
  // Free: ours, or a dead writer's leftovers, which start over; so does a
  // temporary of FILE a writer killed during its finish left (an
  // AtomicFile's, its lock free).
  RemoveTree(staging + "/layout");
  {
    size_t slash = path_.rfind('/');
    std::string base = slash == std::string::npos ? path_ : path_.substr(slash + 1);
    if (base.find_first_of("*?[\\") == std::string::npos) (void)RemoveStaleTemps(DirectoryOf(path_), base);
  }
  auto opened = OciDirStore::Open(staging + "/layout", true);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<OciDirStore> dir = std::move(opened).value();
  if (index) {
    // Appending: FILE's blobs come along, each verified against its name.
    for (const auto& [member, m] : index->members()) {
      if (member.rfind("blobs/", 0) != 0) continue;
      std::vector<std::string> parts = Split(member, '/');
      if (parts.size() != 3) continue;
      auto digest = Digest::Parse(parts[1] + ":" + parts[2]);
      if (!digest.ok()) continue;  // not a blob of the layout
      oci::Descriptor d;
      d.digest = *digest;
      d.size = static_cast<int64_t>(m.size);
      uint64_t at = 0;
      const uint64_t offset = m.offset, size = m.size;
      Status s = dir->PushBlob(Reference(), d, [&](char* out, size_t n) -> Result<size_t> {
        size_t k = static_cast<size_t>(std::min<uint64_t>(n, size - at));
        MK_RETURN_IF_ERROR(PreadAll(fd_.get(), out, k, offset + at, path_));
        at += k;
        return k;
      });
      if (!s.ok()) return s.WithContext("copying " + path_ + " to add to it");
    }
    if (index->Find("index.json")) {
      MK_ASSIGN_OR_RETURN(std::string text, ReadMember("index.json", oci::kMaxLayoutIndexBytes));
      MK_RETURN_IF_ERROR(WriteFileAtomic(staging + "/layout/index.json", text));
    }
  }
  dir_ = std::move(dir);
  return Status::Ok();
}

Status OciArchive::PutBlob(const Digest& digest, uint64_t size, const BlobSource& source) {
  MK_RETURN_IF_ERROR(Stage());
  oci::Descriptor d;
  d.digest = digest;
  d.size = static_cast<int64_t>(size);
  return dir_->PushBlob(Reference(), d, source);
}

Status OciArchive::PutManifest(const std::string& name, ManifestRole role, const std::string& media_type,
                               const Digest& digest, std::string raw) {
  MK_RETURN_IF_ERROR(Stage());
  auto m = oci::Manifest::Parse(std::move(raw), media_type);
  if (!m.ok()) return m.status().WithContext("manifest " + name);
  if (m->digest != digest) return DataLoss("manifest " + name + " is not " + digest.str());
  if (role == ManifestRole::kChild) return dir_->PutManifest(Reference(), *m, role);
  // Named as the core gave it (a full reference, as skopeo's NAME).
  MK_RETURN_IF_ERROR(dir_->PutManifest(Reference(), *m, ManifestRole::kChild));
  oci::Descriptor d;
  d.media_type = m->media_type;
  d.digest = m->digest;
  d.size = static_cast<int64_t>(m->raw.size());
  return dir_->Name(name, d);
}

Status OciArchive::Finish() {
  if (!dir_) return Status::Ok();  // nothing written: FILE stays as it is
  const std::string layout = staging_dir() + "/layout";
  MK_ASSIGN_OR_RETURN(std::string index_json,
                      OciDirStore::ReadLayoutFile(layout + "/index.json", oci::kMaxLayoutIndexBytes));
  MK_ASSIGN_OR_RETURN(AtomicFile out, AtomicFile::Create(path_, 0644));
  archive::TarWriter tar([&out](const char* data, size_t n) { return out.Write(std::string_view(data, n)); });
  MK_RETURN_IF_ERROR(tar.AddString("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"));
  MK_RETURN_IF_ERROR(tar.AddString("index.json", index_json));
  // Every blob in the staging layout, in name order (deterministic).
  for (const char* algorithm : {"sha256", "sha512"}) {
    std::string folder = layout + "/blobs/" + algorithm;
    std::vector<std::string> names;
    if (DIR* d = ::opendir(folder.c_str())) {
      while (struct dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') names.push_back(e->d_name);
      ::closedir(d);
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      std::string path = folder + "/" + name;
      MK_ASSIGN_OR_RETURN(UniqueFd fd, OciDirStore::OpenBlobFile(path));
      struct stat st;
      if (::fstat(fd.get(), &st) != 0) return IoError("cannot stat " + path + ": " + Errno(errno));
      uint64_t at = 0;
      MK_RETURN_IF_ERROR(tar.Add(std::string("blobs/") + algorithm + "/" + name, static_cast<uint64_t>(st.st_size),
                                 [&](char* buf, size_t n) -> Result<size_t> {
                                   ssize_t got;
                                   do got = ::pread(fd.get(), buf, n, static_cast<off_t>(at));
                                   while (got < 0 && errno == EINTR);
                                   if (got < 0) return IoError("cannot read " + path + ": " + Errno(errno));
                                   at += static_cast<uint64_t>(got);
                                   return static_cast<size_t>(got);
                                 }));
    }
  }
  MK_RETURN_IF_ERROR(tar.Close());
  MK_RETURN_IF_ERROR(out.Commit());
  Discard();  // the staging directory has served
  // Later reads see the new FILE.
  looked_ = false;
  index_.reset();
  fd_.Reset();
  return Status::Ok();
}

void OciArchive::Discard() {
  dir_.reset();
  if (lock_) {
    RemoveTree(staging_dir());
    lock_.reset();
  }
}

}  // namespace mk::store
