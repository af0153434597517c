// The one layer a pruned catalog adds, built on disk rather than in memory
// (a whole catalog's documents can be tens of MiB): a gzip tar written
// into a scratch file (a temporary unlinked at once, so nothing is left
// behind on any exit path), its digest computed while it is written and
// its diff_id by reading it back through the decompressor, so the config
// names exactly what a runtime unpacks. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "archive/tar.h"
#include "base/status.h"
#include "base/unique_fd.h"
#include "digest/digest.h"

namespace mk::catalog {

// A temporary file without a name ($TMPDIR, else /tmp), read and written by
// offset. Movable; the descriptor is owned.
class ScratchFile {
 public:
  ScratchFile() = default;
  static Result<ScratchFile> Create();
  Status Append(std::string_view data);
  // Reads up to n bytes at offset; 0 at the end.
  Result<size_t> ReadAt(uint64_t offset, char* out, size_t n) const;
  uint64_t size() const { return size_; }

 private:
  explicit ScratchFile(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
  uint64_t size_ = 0;
};

struct BuiltLayer {
  ScratchFile blob;
  Digest digest;   // of the gzip bytes
  Digest diff_id;  // of the tar
  uint64_t size = 0;
};

// fill adds the layer's entries to the writer it is given.
Result<BuiltLayer> BuildLayer(const std::function<Status(archive::TarWriter&)>& fill);

}  // namespace mk::catalog
