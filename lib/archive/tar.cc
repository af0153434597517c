#include "archive/tar.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "base/strings.h"

namespace mk::archive {
namespace {

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

struct ReaderSource {
  const ByteReader* read;
  std::vector<char> buf = std::vector<char>(1 << 16);
  Status error;  // the source's own failure, reported first
};

la_ssize_t ReadCallback(struct archive* a, void* user, const void** out) {
  auto* src = static_cast<ReaderSource*>(user);
  auto n = (*src->read)(src->buf.data(), src->buf.size());
  if (!n.ok()) {
    src->error = n.status();
    archive_set_error(a, EIO, "%s", "the tar stream's source failed");
    return -1;
  }
  *out = src->buf.data();
  return static_cast<la_ssize_t>(*n);
}

// libarchive's message, or a stand-in: a hostile stream may leave none,
// and a message is one line.
std::string ErrorText(struct archive* a) {
  const char* e = archive_error_string(a);
  std::string text = e && *e ? e : "unreadable";
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

class ArchiveContent : public EntryContent {
 public:
  ArchiveContent(struct archive* a, const std::string& path) : a_(a), path_(path) {}
  Result<size_t> Read(char* out, size_t n) override {
    la_ssize_t got = archive_read_data(a_, out, n);
    // The entry is the culprit a user can look for (a truncated layer, a
    // size its bytes do not reach).
    if (got < 0) return DataLoss("cannot read layer entry " + Quote(path_) + ": " + ErrorText(a_));
    return static_cast<size_t>(got);
  }

 private:
  struct archive* a_;
  const std::string& path_;
};

Entry::Type TypeOf(struct archive_entry* e) {
  if (archive_entry_hardlink(e)) return Entry::Type::kHardlink;
  switch (archive_entry_filetype(e)) {
    case AE_IFREG:
      return Entry::Type::kFile;
    case AE_IFDIR:
      return Entry::Type::kDirectory;
    case AE_IFLNK:
      return Entry::Type::kSymlink;
    default:
      return Entry::Type::kOther;
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

namespace {

// Runs the visitor over an archive opened on a read callback.
// source_error, when given, is the stream's own failure, reported first.
Status WalkOpened(struct archive* a, const std::string& what, const Status* source_error, const EntryVisitor& visit) {
  std::string previous;  // the last good entry: where a broken header sits
  for (;;) {
    struct archive_entry* e = nullptr;
    int rc = archive_read_next_header(a, &e);
    if (rc == ARCHIVE_EOF) return Status::Ok();
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      if (source_error && !source_error->ok()) return *source_error;
      return InvalidArgument(
          what + ": bad tar stream" +
          (previous.empty() ? std::string(" at its first entry") : " after entry " + Quote(previous)) + ": " +
          ErrorText(a));
    }
    Entry entry;
    const char* p = archive_entry_pathname(e);
    entry.path = NormalizeEntryPath(p ? p : "");
    entry.type = TypeOf(e);
    entry.size = archive_entry_size(e);
    entry.mode = archive_entry_perm(e);
    if (const char* l = archive_entry_hardlink(e))
      entry.link_target = l;
    else if (const char* sl = archive_entry_symlink(e))
      entry.link_target = sl;
    // A size no tar of a real layer has: libarchive would still try to
    // read (or skip) that much; refused here, naming the entry.
    if (entry.size < 0) return InvalidArgument(what + ": entry " + Quote(entry.path) + " has a negative size");
    ArchiveContent content(a, entry.path);
    auto next = visit(entry, content);
    if (!next.ok()) {
      if (source_error && !source_error->ok()) return *source_error;
      return next.status().WithContext(what);
    }
    if (*next == Visit::kStop) return Status::Ok();
    previous = entry.path;
  }
}

std::unique_ptr<struct archive, ArchiveDeleter> NewReader() {
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  return a;
}

}  // namespace

Status WalkTarStream(const ByteReader& read, const std::string& what, const EntryVisitor& visit) {
  ReaderSource source{&read};
  auto a = NewReader();
  if (archive_read_open(a.get(), &source, nullptr, ReadCallback, nullptr) != ARCHIVE_OK)
    return source.error.ok() ? InvalidArgument(what + ": not a tar archive: " + ErrorText(a.get())) : source.error;
  return WalkOpened(a.get(), what, &source.error, visit);
}

Status Decompress(const ByteReader& read, const std::string& what,
                  const std::function<Status(const char* data, size_t n)>& sink) {
  ReaderSource source{&read};
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open(a.get(), &source, nullptr, ReadCallback, nullptr) != ARCHIVE_OK)
    return source.error.ok() ? InvalidArgument(what + ": cannot read: " + ErrorText(a.get())) : source.error;
  struct archive_entry* entry = nullptr;
  int rc = archive_read_next_header(a.get(), &entry);
  if (rc == ARCHIVE_EOF) return Status::Ok();  // an empty stream
  if (rc != ARCHIVE_OK) {
    if (!source.error.ok()) return source.error;
    return DataLoss(what + ": cannot decompress: " + ErrorText(a.get()));
  }
  std::vector<char> buf(1 << 16);
  for (;;) {
    la_ssize_t got = archive_read_data(a.get(), buf.data(), buf.size());
    if (got < 0) {
      if (!source.error.ok()) return source.error;
      return DataLoss(what + ": cannot decompress: " + ErrorText(a.get()));
    }
    if (got == 0) return Status::Ok();
    MK_RETURN_IF_ERROR(sink(buf.data(), static_cast<size_t>(got)));
  }
}

Status WalkTarFile(const std::string& path, const EntryVisitor& visit) {
  auto a = NewReader();
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 20) != ARCHIVE_OK)
    return InvalidArgument("cannot read " + path + ": " + ErrorText(a.get()));
  return WalkOpened(a.get(), path, nullptr, visit);
}

struct TarWriter::Impl {
  Sink sink;
  Status error;
  struct archive* a = nullptr;
  bool closed = false;
};

TarWriter::TarWriter(Sink sink, Compression compression) : impl_(new Impl) {
  impl_->sink = std::move(sink);
  impl_->a = archive_write_new();
  archive_write_set_format_pax_restricted(impl_->a);
  if (compression == Compression::kGzip) {
    archive_write_add_filter_gzip(impl_->a);
    // No time in the gzip header: the same files make the same layer digest.
    archive_write_set_filter_option(impl_->a, "gzip", "timestamp", nullptr);
  }
  archive_write_set_bytes_per_block(impl_->a, 512);
  archive_write_set_bytes_in_last_block(impl_->a, 1);
  archive_write_open(
      impl_->a, impl_.get(), nullptr,
      [](struct archive*, void* user, const void* buf, size_t n) -> la_ssize_t {
        auto* impl = static_cast<Impl*>(user);
        Status s = impl->sink(static_cast<const char*>(buf), n);
        if (!s.ok()) {
          impl->error = s;
          return -1;
        }
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
}

TarWriter::~TarWriter() {
  if (!impl_->closed) archive_write_free(impl_->a);  // frees without a clean close
}

Status TarWriter::Add(const std::string& path, uint64_t size, const ByteReader& source) {
  struct archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, path.c_str());
  archive_entry_set_size(e, static_cast<la_int64_t>(size));
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_mtime(e, 0, 0);
  int rc = archive_write_header(impl_->a, e);
  archive_entry_free(e);
  if (rc != ARCHIVE_OK)
    return impl_->error.ok() ? IoError(std::string("tar header: ") + ErrorText(impl_->a)) : impl_->error;
  std::vector<char> buf(1 << 20);
  uint64_t done = 0;
  while (done < size) {
    MK_ASSIGN_OR_RETURN(size_t n, source(buf.data(), static_cast<size_t>(std::min<uint64_t>(buf.size(), size - done))));
    if (n == 0)
      return DataLoss(path + " ended after " + std::to_string(done) + " of " + std::to_string(size) + " bytes");
    if (archive_write_data(impl_->a, buf.data(), n) < 0)
      return impl_->error.ok() ? IoError(std::string("tar data: ") + ErrorText(impl_->a)) : impl_->error;
    done += n;
  }
  return Status::Ok();
}

Status TarWriter::AddString(const std::string& path, std::string_view content) {
  size_t off = 0;
  return Add(path, content.size(), [&](char* out, size_t n) -> Result<size_t> {
    size_t k = std::min(n, content.size() - off);
    std::memcpy(out, content.data() + off, k);
    off += k;
    return k;
  });
}

Status TarWriter::Close() {
  if (impl_->closed) return Status::Ok();
  impl_->closed = true;
  int rc = archive_write_close(impl_->a);
  archive_write_free(impl_->a);
  if (rc != ARCHIVE_OK) return impl_->error.ok() ? IoError("cannot finish the tar archive") : impl_->error;
  return impl_->error;
}

}  // namespace mk::archive
