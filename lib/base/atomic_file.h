// AtomicFile: writes a file so that no reader ever sees it half-written under
// its final name. Bytes go to a unique temporary file in the same directory
// (".NAME.tmp-XXXXXX"), Commit() fsyncs it, renames it over the final name and
// fsyncs the directory; destruction without Commit() removes the temporary.
// The mode is applied at creation (0600 for files holding secrets), so the
// content is never readable by others, not even briefly. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/status.h"
#include "base/unique_fd.h"

namespace mk {

class AtomicFile {
 public:
  static Result<AtomicFile> Create(const std::string& path, mode_t mode = 0644);
  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();

  Status Write(std::string_view data);
  Status Commit();
  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_path_; }
  // The temporary file's descriptor, for patching written bytes in place
  // (pread/pwrite) before Commit. Owned by this object.
  int fd() const { return fd_.get(); }

 private:
  AtomicFile(std::string path, std::string temp_path, UniqueFd fd)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(std::move(fd)) {}
  std::string path_;
  std::string temp_path_;
  UniqueFd fd_;
  bool committed_ = false;
};

// Writes data to path atomically in one call.
Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode = 0644);

// mkdir -p, mode 0755 for what it makes.
Status MakeDirectories(const std::string& path);

// Reads a whole regular file of at most max_bytes.
Result<std::string> ReadFileLimited(const std::string& path, size_t max_bytes);

// Reads standard input to its end, at most max_bytes; a SIGINT while it
// waits ends the read with kCancelled.
Result<std::string> ReadStdinLimited(size_t max_bytes);

// A FILE argument: "-" or "" for standard input, else the file.
Result<std::string> ReadInputLimited(const std::string& path, size_t max_bytes);

}  // namespace mk
