// Layer reading: walks the entries of an image layer (a tar, optionally
// gzip/zstd compressed) while it streams from a store, never holding the
// layer on disk or whole in memory.
//
// The layer's bytes are verified against its digest as they arrive; the walk
// reports success only after the whole layer was read and matched, even when
// the visitor stopped early, so nothing taken from a corrupt layer is ever
// trusted. Entry paths are normalized ("./a/b" and "/a/b" become "a/b").
// Uses libarchive (the only libarchive user) and one producer thread per walk.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/store.h"

namespace mk::archive {

struct Entry {
  enum class Type { kFile, kDirectory, kSymlink, kHardlink, kOther };
  std::string path;
  Type type = Type::kOther;
  int64_t size = 0;
  unsigned mode = 0;
  std::string link_target;  // symlinks and hard links
};

// Reads the current entry's content.
class EntryContent {
 public:
  virtual ~EntryContent() = default;
  // Bytes read, 0 at the end of the entry.
  virtual Result<size_t> Read(char* out, size_t n) = 0;
  // The whole entry, refused when larger than max_bytes.
  Result<std::string> ReadAll(size_t max_bytes);
};

enum class Visit { kContinue, kStop };
using EntryVisitor = std::function<Result<Visit>(const Entry& entry, EntryContent& content)>;

Status WalkLayer(store::Store& store, const Reference& repo, const oci::Descriptor& layer, const EntryVisitor& visit);

// Walks a tar file on disk (uncompressed or compressed), e.g. a volume
// written by TarWriter.
Status WalkTarFile(const std::string& path, const EntryVisitor& visit);

// Writes an uncompressed tar (ustar/pax) through a byte sink, one regular
// file at a time, streaming each file's content; 512-byte blocks, so a
// volume's size is exactly predictable (see TarEntryBytes).
class TarWriter {
 public:
  using Sink = std::function<Status(const char* data, size_t n)>;
  explicit TarWriter(Sink sink);
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // Adds a file of exactly size bytes read from source (0 = end).
  Status Add(const std::string& path, uint64_t size, const std::function<Result<size_t>(char*, size_t)>& source);
  Status AddString(const std::string& path, std::string_view content);
  Status Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Bytes a file of size bytes takes in a TarWriter archive (header + data
// padded to 512), for paths under 100 characters; and the closing bytes.
inline uint64_t TarEntryBytes(uint64_t size) { return 512 + (size + 511) / 512 * 512; }
inline constexpr uint64_t kTarEndBytes = 1024;

// "./a//b/" -> "a/b"; empty for the root.
std::string NormalizeEntryPath(std::string_view path);

}  // namespace mk::archive
