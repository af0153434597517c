#include "archive/layer_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <thread>
#include <vector>

#include "base/byte_pipe.h"
#include "base/strings.h"
#include "store/blob_stream.h"

namespace mk::archive {
namespace {

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

struct PipeSource {
  BytePipe* pipe;
  std::vector<char> buf = std::vector<char>(1 << 16);
  Status error;
};

la_ssize_t ReadCallback(struct archive* a, void* user, const void** out) {
  auto* src = static_cast<PipeSource*>(user);
  auto n = src->pipe->Read(src->buf.data(), src->buf.size());
  if (!n.ok()) {
    src->error = n.status();
    archive_set_error(a, EIO, "%s", "layer stream failed");
    return -1;
  }
  *out = src->buf.data();
  return static_cast<la_ssize_t>(*n);
}

class ArchiveContent : public EntryContent {
 public:
  explicit ArchiveContent(struct archive* a) : a_(a) {}
  Result<size_t> Read(char* out, size_t n) override {
    la_ssize_t got = archive_read_data(a_, out, n);
    if (got < 0) return DataLoss(std::string("cannot read layer entry: ") + archive_error_string(a_));
    return static_cast<size_t>(got);
  }

 private:
  struct archive* a_;
};

Entry::Type TypeOf(struct archive_entry* e) {
  if (archive_entry_hardlink(e)) return Entry::Type::kHardlink;
  switch (archive_entry_filetype(e)) {
    case AE_IFREG: return Entry::Type::kFile;
    case AE_IFDIR: return Entry::Type::kDirectory;
    case AE_IFLNK: return Entry::Type::kSymlink;
    default: return Entry::Type::kOther;
  }
}

}  // namespace

Result<std::string> EntryContent::ReadAll(size_t max_bytes) {
  std::string out;
  char buf[65536];
  for (;;) {
    MK_ASSIGN_OR_RETURN(size_t n, Read(buf, sizeof buf));
    if (n == 0) return out;
    if (out.size() + n > max_bytes) return InvalidArgument("entry larger than " + std::to_string(max_bytes) + " bytes");
    out.append(buf, n);
  }
}

std::string NormalizeEntryPath(std::string_view path) {
  std::vector<std::string> parts;
  for (auto& part : Split(path, '/'))
    if (!part.empty() && part != ".") parts.push_back(part);
  return Join(parts, "/");
}

Status WalkLayer(store::Store& store, const Reference& repo, const oci::Descriptor& layer, const EntryVisitor& visit) {
  BytePipe pipe(1 << 20, static_cast<uint64_t>(layer.size));
  Status fetch_status;
  std::thread producer([&] {
    fetch_status = store::FetchVerified(store, repo, layer, [&](const char* d, size_t n) { return pipe.Write(d, n); });
    pipe.Close(fetch_status);
  });
  const std::string what = "layer " + layer.digest.str();
  PipeSource source{&pipe};
  Status walk_status;
  {
    std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    if (archive_read_open(a.get(), &source, nullptr, ReadCallback, nullptr) != ARCHIVE_OK) {
      walk_status = source.error.ok() ? InvalidArgument(what + ": not a tar archive: " + archive_error_string(a.get()))
                                      : source.error;
    } else {
      for (;;) {
        struct archive_entry* e = nullptr;
        int rc = archive_read_next_header(a.get(), &e);
        if (rc == ARCHIVE_EOF) break;
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
          walk_status = !source.error.ok() ? source.error
                                           : InvalidArgument(what + ": bad tar stream: " + archive_error_string(a.get()));
          break;
        }
        Entry entry;
        const char* p = archive_entry_pathname(e);
        entry.path = NormalizeEntryPath(p ? p : "");
        entry.type = TypeOf(e);
        entry.size = archive_entry_size(e);
        entry.mode = archive_entry_perm(e);
        if (const char* l = archive_entry_hardlink(e)) entry.link_target = l;
        else if (const char* s = archive_entry_symlink(e)) entry.link_target = s;
        ArchiveContent content(a.get());
        auto next = visit(entry, content);
        if (!next.ok()) {
          walk_status = !source.error.ok() ? source.error : next.status().WithContext(what);
          break;
        }
        if (*next == Visit::kStop) break;
      }
    }
  }
  if (walk_status.ok()) {
    // Read what the tar reader left (padding, or everything after an early
    // stop) so the digest check covers the whole layer.
    std::vector<char> scratch(1 << 16);
    for (;;) {
      auto n = pipe.Read(scratch.data(), scratch.size());
      if (!n.ok()) {
        walk_status = n.status();
        break;
      }
      if (*n == 0) break;
    }
  } else {
    pipe.Abort(walk_status);
  }
  producer.join();
  if (!fetch_status.ok()) return fetch_status;
  return walk_status;
}

}  // namespace mk::archive
