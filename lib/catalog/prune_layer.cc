#include "catalog/prune_layer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace mk::catalog {

Result<ScratchFile> ScratchFile::Create() {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/mirrorkit-catalog-XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0) return IoError("cannot create a temporary file in " + path + ": " + std::strerror(errno));
  ::unlink(path.c_str());
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  return ScratchFile(UniqueFd(fd));
}

Status ScratchFile::Append(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd_.get(), data.data(), data.size(), static_cast<off_t>(size_));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(std::string("cannot write a temporary file: ") + std::strerror(errno));
    }
    size_ += static_cast<uint64_t>(n);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<size_t> ScratchFile::ReadAt(uint64_t offset, char* out, size_t n) const {
  for (;;) {
    ssize_t got = ::pread(fd_.get(), out, n, static_cast<off_t>(offset));
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR) return IoError(std::string("cannot read a temporary file: ") + std::strerror(errno));
  }
}

Result<BuiltLayer> BuildLayer(const std::function<Status(archive::TarWriter&)>& fill) {
  MK_ASSIGN_OR_RETURN(ScratchFile blob, ScratchFile::Create());
  DigestHasher hash;
  {
    archive::TarWriter writer(
        [&](const char* data, size_t n) -> Status {
          hash.Update(data, n);
          return blob.Append(std::string_view(data, n));
        },
        archive::TarWriter::Compression::kGzip);
    MK_RETURN_IF_ERROR(fill(writer));
    MK_RETURN_IF_ERROR(writer.Close());
  }
  BuiltLayer layer{.blob = std::move(blob), .digest = hash.Finish()};
  layer.size = layer.blob.size();
  DigestHasher tar_hash;
  uint64_t offset = 0;
  MK_RETURN_IF_ERROR(archive::Decompress(
      [&](char* out, size_t n) -> Result<size_t> {
        MK_ASSIGN_OR_RETURN(size_t got, layer.blob.ReadAt(offset, out, n));
        offset += got;
        return got;
      },
      "the pruned catalog layer",
      [&](const char* data, size_t n) {
        tar_hash.Update(data, n);
        return Status::Ok();
      }));
  layer.diff_id = tar_hash.Finish();
  return layer;
}

}  // namespace mk::catalog
