// AtomicFile: writes a file so that no reader ever sees it half-written under
// its final name. Bytes go to a unique temporary file in the same directory
// (".NAME.tmp-XXXXXX"), Commit() fsyncs it, renames it over the final name and
// fsyncs the directory; destruction without Commit() removes the temporary.
// The mode is applied at creation (0600 for files holding secrets), so the
// content is never readable by others, not even briefly. Not thread-safe.
//
// A SIGKILL or a power cut leaves the temporary behind. To tell such an
// orphan from the temporary of a writer still at work (several blob-copy
// processes may fill one directory), an AtomicFile holds an exclusive flock
// on its temporary from creation until it is renamed or removed (see
// base/file_lock.h); the kernel drops the lock when the writer dies, so
// RemoveStaleTemps removes exactly the temporaries nobody holds.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/unique_fd.h"

namespace mk {

class AtomicFile {
 public:
  static Result<AtomicFile> Create(const std::string& path, mode_t mode = 0644);
  // Takes over temp_path, a temporary for path that a killed writer left
  // (its lock is free), to finish it: the bytes stay, the file offset is 0.
  // nullopt when a live writer holds it or it is gone.
  static Result<std::optional<AtomicFile>> Adopt(const std::string& path, const std::string& temp_path);
  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();

  Status Write(std::string_view data);
  // Empties the temporary and writes from its start again (a later tar
  // entry of the same path replaces an earlier one).
  Status Truncate();
  Status Commit();
  // Gives the temporary up without removing it: its lock is dropped, so a
  // later writer may Adopt it (a resumable write that was interrupted).
  void Keep();
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

// Whether a file name is an AtomicFile temporary (".NAME.tmp-XXXXXX") for a
// final name matching final_glob (fnmatch; "*" for any).
bool IsTempName(const std::string& name, const std::string& final_glob = "*");

// Removes path, a temporary, when no live AtomicFile holds it (its lock is
// free: the writer died). True when removed; false when in use, gone or not
// a regular file.
Result<bool> RemoveTempIfStale(const std::string& path);

// Removes the stale temporaries in dir whose final name matches final_glob
// and returns how many went; temporaries of live writers stay. Safe to run
// while other processes write into dir. One that cannot be removed does not
// stop the others; the first such error is returned.
Result<int> RemoveStaleTemps(const std::string& dir, const std::string& final_glob = "*");

// Read-modify-write of one file shared by several processes: holds an
// exclusive lock on path's directory (FileLock) while produce() runs — it
// reads whatever it needs, path included — and while its result replaces
// path atomically with the given mode. Every writer of path must use it.
Status ReplaceFileLocked(const std::string& path, mode_t mode, const std::function<Result<std::string>()>& produce);

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
