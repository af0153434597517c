// Tar in and out, over libarchive (the only libarchive user): walking the
// entries of a tar stream read from any byte source (uncompressed, gzip or
// zstd), or of a tar file, and writing an uncompressed tar through a byte
// sink. A third-party wrapper low in the module order: it knows bytes and
// tar entries, nothing of images, stores or references.
//
// Entry paths are normalized ("./a/b" and "/a/b" become "a/b"); nothing here
// writes an entry to the filesystem, so a hostile path is only a string the
// visitor may refuse. Functions are reentrant; a TarWriter is used from one
// thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace mk::archive {

struct Entry {
  enum class Type { kFile, kDirectory, kSymlink, kHardlink, kOther };
  std::string path;
  Type type = Type::kOther;
  int64_t size = 0;
  unsigned mode = 0;
  std::string link_target;  // symlinks and hard links
};

// Reads the current entry's content; valid only inside the visitor call.
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

// A byte source: fills out with up to n bytes and returns how many, 0 at
// the end, or the source's own error.
using ByteReader = std::function<Result<size_t>(char* out, size_t n)>;

// Walks the tar stream read from read until its end or until the visitor
// says kStop (the rest of the source is then left unread). An error of the
// source is reported before the tar reader's complaint about it; what names
// the stream in messages.
Status WalkTarStream(const ByteReader& read, const std::string& what, const EntryVisitor& visit);

// Streams the decompressed bytes of read (gzip, zstd, ..., or none: what
// libarchive recognizes) to sink, to the end of the source; for a layer's
// uncompressed digest (its diff_id) without holding it.
Status Decompress(const ByteReader& read, const std::string& what,
                  const std::function<Status(const char* data, size_t n)>& sink);

// Walks a tar file on disk (uncompressed or compressed), e.g. a volume
// written by TarWriter.
Status WalkTarFile(const std::string& path, const EntryVisitor& visit);

// Writes a tar (ustar/pax) through a byte sink, one regular file at a
// time, streaming each file's content; 512-byte blocks, so an uncompressed
// volume's size is exactly predictable (see TarEntryBytes). kGzip writes
// the same tar gzip-compressed (an image layer; see graph/), with no name
// or time in the gzip header so the same files give the same bytes.
class TarWriter {
 public:
  using Sink = std::function<Status(const char* data, size_t n)>;
  enum class Compression { kNone, kGzip };
  explicit TarWriter(Sink sink, Compression compression = Compression::kNone);
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // Adds a file of exactly size bytes read from source (0 = end).
  Status Add(const std::string& path, uint64_t size, const ByteReader& source);
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
